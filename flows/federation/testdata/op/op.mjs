// An OpenID Provider built on oidc-provider (npm), a certified OpenID
// Provider library, for the Go tests of flows/federation and flows/web
// (op_node_test.go, federation_op_browser_test.go) to run as the real
// upstream of a Sesame connector.
//
//   node op.mjs
//
// Everything comes from the environment:
//   OP_CLIENT_ID, OP_CLIENT_SECRET, OP_REDIRECT_URI   the one client (the connector)
//   OP_TOKEN_AUTH      its token_endpoint_auth_method (default client_secret_basic)
//   OP_ACCOUNTS        {"login": {"email": ..., "email_verified": ..., "name": ...}, ...}
//
// The provider listens on 127.0.0.1 on a free port, its issuer
// http://127.0.0.1:PORT, and prints one line of JSON when it is ready:
// {"issuer": ISSUER, "port": PORT}. It stops when its stdin closes.
//
// Sign-in and consent are oidc-provider's own development interactions
// (a login form whose login is the account id, then a consent form);
// an account that OP_ACCOUNTS does not name does not exist. PKCE is
// required of the client, which is confidential.
//
// GET /test/token-requests answers {"token_requests": N}: how many times
// the token endpoint was called, so a test can prove a code was redeemed
// once.
import { generateKeyPairSync } from 'node:crypto'
import http from 'node:http'
import Provider from 'oidc-provider'

function env(name, fallback) {
  const v = process.env[name]
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback
    throw new Error(`${name} is not set`)
  }
  return v
}

const accounts = JSON.parse(env('OP_ACCOUNTS'))

// findAccount answers for the accounts OP_ACCOUNTS names only; the
// subject is the account's login.
async function findAccount(_ctx, sub) {
  const account = accounts[sub]
  if (!account) return undefined
  return {
    accountId: sub,
    async claims() {
      return { sub, ...account }
    },
  }
}

function signingKey() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 })
  return { ...privateKey.export({ format: 'jwk' }), kid: 'op-test', use: 'sig', alg: 'RS256' }
}

const server = http.createServer()
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address()
  const issuer = `http://127.0.0.1:${port}`
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: env('OP_CLIENT_ID'),
        client_secret: env('OP_CLIENT_SECRET'),
        redirect_uris: [env('OP_REDIRECT_URI')],
        token_endpoint_auth_method: env('OP_TOKEN_AUTH', 'client_secret_basic'),
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
    ],
    findAccount,
    claims: {
      openid: ['sub'],
      email: ['email', 'email_verified'],
      profile: ['name'],
    },
    pkce: { required: () => true },
    jwks: { keys: [signingKey()] },
    cookies: { keys: [Buffer.from(globalThis.crypto.getRandomValues(new Uint8Array(32))).toString('hex')] },
    features: { devInteractions: { enabled: true } },
  })
  provider.on('server_error', (_ctx, err) => console.error('server_error', err))
  const callback = provider.callback()
  let tokenRequests = 0
  server.on('request', (req, res) => {
    if (req.method === 'GET' && req.url === '/test/token-requests') {
      res.setHeader('content-type', 'application/json')
      res.end(JSON.stringify({ token_requests: tokenRequests }))
      return
    }
    if (req.method === 'POST' && req.url.split('?')[0] === '/token') tokenRequests++
    callback(req, res)
  })
  process.stdout.write(JSON.stringify({ issuer, port }) + '\n')
})

process.stdin.on('end', () => server.close(() => process.exit(0)))
process.stdin.resume()
