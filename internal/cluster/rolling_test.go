package cluster

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// loadWorkers is how many clients sign in at once during the restart.
const loadWorkers = 3

// codeSignIns is how many code sign-ins each worker makes besides its
// sign-up's code: the per-recipient limit allows three codes in ten
// minutes, and the per-IP limit twenty (every client is HAProxy's
// 127.0.0.1 to the nodes).
const codeSignIns = 2

// TestCluster_RollingRestartUnderLoad: while clients sign up (the address
// proved by an emailed code), sign in with their passkeys and sign in by
// emailed codes through HAProxy, each node in turn is SIGTERMed and
// started again. No sign-in fails beyond a request lost at a node's stop,
// which the client retries once; every code reaches its recipient exactly
// once; every flow ends where it should.
func TestCluster_RollingRestartUnderLoad(t *testing.T) {
	t.Parallel()
	c := newCluster(t)
	c.createTenant("load", nil)
	c.up()

	var (
		stop     atomic.Bool
		wg       sync.WaitGroup
		mu       sync.Mutex
		failures []error
		stats    = make([]workerStats, loadWorkers)
	)
	for i := range loadWorkers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := c.work(fmt.Sprintf("user%d@example.com", i), &stop, &stats[i]); err != nil {
				mu.Lock()
				failures = append(failures, fmt.Errorf("worker %d: %w", i, err))
				mu.Unlock()
			}
		}()
	}

	time.Sleep(time.Second)
	for _, n := range c.nodes {
		c.stop(n)
		c.start(n)
		c.waitReady(n)
		time.Sleep(time.Second)
	}
	stop.Store(true)
	wg.Wait()
	require.Empty(t, failures)
	for _, n := range c.nodes {
		log := c.nodeLog(n)
		require.Equal(t, 2, strings.Count(log, `"msg":"serving"`), "node %s started twice", n.name)
		require.Equal(t, 1, strings.Count(log, `"msg":"stopped"`), "node %s stopped gracefully once", n.name)
	}

	// Every code sent reached its recipient once: none lost (each worker
	// waited for each code), none sent twice (a job run again by another
	// node after a restart would show here).
	time.Sleep(2 * time.Second)
	total := 0
	for i, s := range stats {
		to := fmt.Sprintf("user%d@example.com", i)
		require.Equal(t, s.codeSends, c.sent(to), "codes to %s (retried steps: %d)", to, s.retried)
		require.Positive(t, s.passkeySignIns, "worker %d never signed in with its passkey", i)
		total += s.passkeySignIns
		t.Logf("worker %d: %d passkey sign-ins, %d codes, %d steps retried, nodes %v", i, s.passkeySignIns, s.codeSends, s.retried, s.nodes)
	}
	for _, s := range stats {
		for _, n := range c.nodes {
			require.Contains(t, s.nodes, n.name, "node %s served none of a worker's requests", n.name)
		}
	}
	require.GreaterOrEqual(t, total, loadWorkers*nodeCount, "too few sign-ins to prove anything")
}

// workerStats is what one load worker did.
type workerStats struct {
	passkeySignIns int
	codeSends      int
	retried        int
	nodes          []string
}

func (s *workerStats) saw(a answer) {
	if a.node != "" && !slices.Contains(s.nodes, a.node) {
		s.nodes = append(s.nodes, a.node)
	}
}

// work signs up email with a passkey, then signs in with it until stop,
// with codeSignIns sign-ins by emailed code along the way.
func (c *cluster) work(email string, stop *atomic.Bool, s *workerStats) error {
	dev := c.newDevice("load")
	if err := c.signUp(email, dev, s); err != nil {
		return fmt.Errorf("sign-up: %w", err)
	}
	for i := 0; !stop.Load(); i++ {
		if i%5 == 4 && s.codeSends < 1+codeSignIns {
			if err := c.codeSignIn(email, s); err != nil {
				return fmt.Errorf("code sign-in: %w", err)
			}
			continue
		}
		if err := c.passkeySignIn(dev, s); err != nil {
			return fmt.Errorf("passkey sign-in %d: %w", s.passkeySignIns+1, err)
		}
		s.passkeySignIns++
	}
	return nil
}

// signUp creates the account on the device's tenant by the flow API, the address proved first.
func (c *cluster) signUp(email string, dev *device, s *workerStats) error {
	cl := c.newClient(dev.slug)
	before := c.sent(email)
	a, err := cl.step("/api/flows/sign-up", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, "", 201, &s.retried)
	if err != nil {
		return err
	}
	s.saw(a)
	s.codeSends++
	token, _, _ := flowOf(a)
	code, err := c.waitCode(email, before)
	if err != nil {
		return err
	}
	if a, err = cl.step("/api/flows/sign-up/code.verify", map[string]any{"code": code}, token, 200, &s.retried); err != nil {
		return err
	}
	s.saw(a)
	_, state, publicKey := flowOf(a)
	if state != "passkey" {
		return fmt.Errorf("after code.verify the flow is %q, want passkey", state)
	}
	cred, err := dev.create(publicKey)
	if err != nil {
		return err
	}
	if a, err = cl.step("/api/flows/sign-up/passkey.finish", map[string]any{"credential": cred}, token, 200, &s.retried); err != nil {
		return err
	}
	s.saw(a)
	if a, err = cl.step("/api/flows/sign-up/two_step.skip", map[string]any{}, token, 200, &s.retried); err != nil {
		return err
	}
	s.saw(a)
	if _, state, _ = flowOf(a); state != "done" {
		return fmt.Errorf("sign-up ends %q, want done", state)
	}
	return nil
}

// passkeySignIn signs in with the device's passkey by the WebAuthn routes.
func (c *cluster) passkeySignIn(dev *device, s *workerStats) error {
	cl := c.newClient(dev.slug)
	a, err := cl.step("/webauthn/authenticate/options", nil, "", 200, &s.retried)
	if err != nil {
		return err
	}
	s.saw(a)
	assertion, err := dev.get(a.body)
	if err != nil {
		return err
	}
	a, err = cl.step("/webauthn/authenticate", assertion, "", 200, &s.retried)
	s.saw(a)
	return err
}

// codeSignIn signs in by the code an email brings.
func (c *cluster) codeSignIn(email string, s *workerStats) error {
	cl := c.newClient("load")
	a, err := cl.step("/api/flows/sign-in", map[string]any{"action": "identify", "input": map[string]any{"identifier": email}}, "", 201, &s.retried)
	if err != nil {
		return err
	}
	s.saw(a)
	token, _, _ := flowOf(a)
	before := c.sent(email)
	if a, err = cl.step("/api/flows/sign-in/code.send", map[string]any{}, token, 200, &s.retried); err != nil {
		return err
	}
	s.saw(a)
	s.codeSends++
	code, err := c.waitCode(email, before)
	if err != nil {
		return err
	}
	if a, err = cl.step("/api/flows/sign-in/code.verify", map[string]any{"code": code}, token, 200, &s.retried); err != nil {
		return err
	}
	s.saw(a)
	if _, state, _ := flowOf(a); state != "done" {
		return fmt.Errorf("code sign-in ends %q, want done", state)
	}
	return nil
}

// waitCode is codeTo for a goroutine: it returns an error instead of
// failing the test.
func (c *cluster) waitCode(to string, before int) (string, error) {
	deadline := time.Now().Add(codeWait)
	for time.Now().Before(deadline) {
		var last []byte
		n := 0
		for _, m := range c.smtp.Messages() {
			if slices.Contains(m.To, to) {
				n++
				last = m.Body
			}
		}
		if n > before {
			if m := sixDigits.FindSubmatch(last); m != nil {
				return string(m[1]), nil
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	return "", errors.New("no code reached " + to)
}
