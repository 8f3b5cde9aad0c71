// A relying party built on openid-client, a certified OpenID Connect
// relying-party library, for flows/provider's tests (rp_node_test.go) to
// drive against a running Sesame.
//
//   node rp.mjs                    serve requests read from stdin, one a line
//   node rp.mjs COMMAND [JSON]     run one command
//
// The client comes from the environment: RP_ISSUER, RP_CLIENT_ID,
// RP_CLIENT_SECRET (empty for a public client), RP_REDIRECT_URI and
// RP_ID_TOKEN_ALG (default RS256); the issuer is discovered once. A
// request line is {"command": COMMAND, "args": {...}}; each answer is one
// line of JSON: {"ok": RESULT} or, when the library or the server refuses,
// {"refused": {name, code, error, status, message}} (a single command
// then exits 3). Anything else (a bad command, a crash) ends the process
// with status 1 and the reason on stderr.
//
// Commands:
//   discover                                   the server's metadata
//   authorize  {scope}                         an authorization URL with PKCE S256, nonce and state
//   callback   {url, verifier, nonce, state}   the code exchanged, the ID token validated
//   refresh    {refreshToken}                  a refresh token exchanged
//   userinfo   {accessToken, sub}              the userinfo response for sub
//   client_credentials {scope}                 a token for a machine client
import http from 'node:http'
import readline from 'node:readline'
import * as client from 'openid-client'

// loopbackFetch is the library's fetch: every request goes to 127.0.0.1 on
// the URL's port with the URL's host in the Host header. Sesame serves each
// tenant on its own host (acme.localhost:PORT); browsers resolve
// *.localhost to loopback (RFC 6761) but Node's resolver does not. Only
// http URLs on *.localhost are allowed: the test server speaks plain http.
function loopbackFetch(url, options) {
  const u = new URL(url)
  if (u.protocol !== 'http:' || !(u.hostname === 'localhost' || u.hostname.endsWith('.localhost'))) {
    return Promise.reject(new Error(`loopbackFetch: refusing ${u.origin}`))
  }
  const body = options.body == null ? undefined : String(options.body)
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: u.port || 80,
        path: u.pathname + u.search,
        method: options.method,
        headers: { ...Object.fromEntries(new Headers(options.headers)), host: u.host },
        signal: options.signal,
      },
      (res) => {
        const chunks = []
        res.on('data', (c) => chunks.push(c))
        res.on('error', reject)
        res.on('end', () => {
          const headers = new Headers()
          for (const [k, v] of Object.entries(res.headers)) {
            for (const one of [].concat(v)) headers.append(k, one)
          }
          const empty = [101, 204, 205, 304].includes(res.statusCode)
          resolve(new Response(empty ? null : Buffer.concat(chunks), { status: res.statusCode, headers }))
        })
      },
    )
    req.on('error', reject)
    req.end(body)
  })
}

function env(name, fallback) {
  const v = process.env[name]
  if (v === undefined || v === '') {
    if (fallback !== undefined) return fallback
    throw new Error(`${name} is not set`)
  }
  return v
}

// configure discovers the issuer and returns the client's configuration.
// allowInsecureRequests lets the library talk http to the local test
// issuer; it is for tests only (a real relying party insists on https).
// enableNonRepudiationChecks makes it verify ID token signatures with the
// issuer's JWKS as well as the claims (iss, aud, exp, nonce, azp).
async function configure() {
  const secret = process.env.RP_CLIENT_SECRET || ''
  const metadata = {
    redirect_uris: [env('RP_REDIRECT_URI', 'http://127.0.0.1:9/callback')],
    id_token_signed_response_alg: env('RP_ID_TOKEN_ALG', 'RS256'),
  }
  if (secret) metadata.client_secret = secret
  const auth = secret ? client.ClientSecretBasic(secret) : client.None()
  return client.discovery(new URL(env('RP_ISSUER')), env('RP_CLIENT_ID'), metadata, auth, {
    [client.customFetch]: loopbackFetch,
    execute: [client.allowInsecureRequests, client.enableNonRepudiationChecks],
  })
}

// tokenSet is what a token response held, with the ID token's claims.
function tokenSet(tokens) {
  return {
    access_token: tokens.access_token,
    token_type: tokens.token_type,
    expires_in: tokens.expires_in,
    scope: tokens.scope,
    refresh_token: tokens.refresh_token,
    id_token: tokens.id_token,
    claims: tokens.claims(),
  }
}

const commands = {
  async discover(config) {
    return config.serverMetadata()
  },

  async authorize(config, args) {
    const verifier = client.randomPKCECodeVerifier()
    const nonce = client.randomNonce()
    const state = client.randomState()
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: env('RP_REDIRECT_URI', 'http://127.0.0.1:9/callback'),
      scope: args.scope || 'openid email profile',
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      nonce,
      state,
    })
    return { url: url.href, verifier, nonce, state }
  },

  async callback(config, args) {
    const tokens = await client.authorizationCodeGrant(config, new URL(args.url), {
      pkceCodeVerifier: args.verifier,
      expectedNonce: args.nonce,
      expectedState: args.state,
      idTokenExpected: true,
    })
    return tokenSet(tokens)
  },

  async refresh(config, args) {
    return tokenSet(await client.refreshTokenGrant(config, args.refreshToken))
  },

  async userinfo(config, args) {
    return client.fetchUserInfo(config, args.accessToken, args.sub)
  },

  async client_credentials(config, args) {
    const tokens = await client.clientCredentialsGrant(config, args.scope ? { scope: args.scope } : {})
    return { access_token: tokens.access_token, token_type: tokens.token_type, expires_in: tokens.expires_in, scope: tokens.scope }
  },
}

// refusal describes an error of the library or the server: the OAuth
// error code where the server sent one, the library's code otherwise.
function refusal(err) {
  return {
    name: err.name,
    code: err.code,
    error: err.error ?? err.cause?.error,
    status: err.status ?? err.cause?.status,
    message: err.message,
    cause: err.cause?.message,
  }
}

const refusals = [client.ClientError, client.ResponseBodyError, client.AuthorizationResponseError,
  client.WWWAuthenticateChallengeError]

// answer runs one request against the configuration and returns its
// answer; errors other than refusals are thrown.
async function answer(configured, name, args) {
  const run = commands[name]
  if (!run) throw new Error(`unknown command ${JSON.stringify(name)}; one of ${Object.keys(commands).join(', ')}`)
  try {
    return { ok: await run(await configured, args || {}) }
  } catch (err) {
    if (!refusals.some((kind) => err instanceof kind)) throw err
    return { refused: refusal(err) }
  }
}

async function main() {
  const configured = configure()
  configured.catch(() => {}) // reported by the first request that awaits it
  const [name, raw] = process.argv.slice(2)
  if (name) {
    const out = await answer(configured, name, raw && JSON.parse(raw))
    process.stdout.write(JSON.stringify(out.ok ?? out) + '\n')
    if (out.refused) process.exitCode = 3
    return
  }
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of lines) {
    if (line.trim() === '') continue
    const req = JSON.parse(line)
    process.stdout.write(JSON.stringify(await answer(configured, req.command, req.args)) + '\n')
  }
}

main().catch((err) => {
  process.stderr.write(`rp.mjs: ${err.stack || err}\n`)
  process.exit(1)
})
