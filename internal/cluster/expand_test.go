package cluster

import (
	"context"
	"net/http"
	"os/exec"
	"slices"
	"time"

	"github.com/stretchr/testify/require"
	"github.com/uptrace/bun"

	"github.com/sesame-id/sesame/db/migrations"
)

// The next release's schema steps, played by the test with db.MigrateWith
// as the next release's `sesame migrate` would apply them.
var (
	// expandStep only adds: a nullable column on a table every sign-in
	// reads and writes, and a table.
	expandStep = migrations.Migration{Version: "29990101000000_next_expand", Additive: true, Up: statements(
		`ALTER TABLE users ADD COLUMN nickname TEXT`,
		`ALTER TABLE sessions ADD COLUMN device_label TEXT`,
		`CREATE TABLE next_notes (id {uuid} PRIMARY KEY, body TEXT NOT NULL)`,
	)}
	// contractStep takes away (here, the table the expand step added): the
	// servers of this release cannot tell what a contract step removes.
	contractStep = migrations.Migration{Version: "29990102000000_next_contract", Up: statements(
		`DROP TABLE next_notes`,
	)}
)

func statements(list ...string) func(context.Context, bun.Tx, string) error {
	return func(ctx context.Context, tx bun.Tx, dialect string) error {
		for _, s := range list {
			q, err := migrations.Render(dialect, s)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		return nil
	}
}

// expandThenContract: the next release's expand step is applied while the
// three nodes of this release serve. Every node stays ready, a node
// restarted on the expanded database starts, and sign-ups and passkey
// sign-ins through HAProxy succeed on every node. Then the contract step:
// every node answers /readyz with 503 (and /healthz with 200: it is
// alive), and this release's `sesame migrate` refuses the database.
func (c *cluster) expandThenContract(slug string) {
	t := c.t
	t.Helper()
	ctx := context.Background()
	applied, err := c.db.MigrateWith(ctx, append(slices.Clone(migrations.All()), expandStep))
	require.NoError(t, err)
	require.Equal(t, []string{expandStep.Version}, applied)
	for _, n := range c.nodes {
		require.Equal(t, http.StatusOK, c.probe(n, "/readyz"), "node %s is not ready on the expanded schema", n.name)
	}
	restarted := c.nodes[0]
	c.stop(restarted)
	c.start(restarted)
	c.waitReady(restarted)
	c.waitInRotation(restarted)
	require.Regexp(t, `"msg":"database has additive migrations from a newer sesame; serving","ahead":"`+expandStep.Version+`"`, c.nodeLog(restarted))

	var s workerStats
	dev := c.newDevice(slug)
	require.NoError(t, c.signUp("eve@example.com", dev, &s))
	for range nodeCount {
		require.NoError(t, c.passkeySignIn(dev, &s))
	}
	require.Zero(t, s.retried, "a request was lost")
	require.Len(t, s.nodes, nodeCount, "the sign-ups and sign-ins on the expanded schema missed a node: %v", s.nodes)

	applied, err = c.db.MigrateWith(ctx, append(slices.Clone(migrations.All()), expandStep, contractStep))
	require.NoError(t, err)
	require.Equal(t, []string{contractStep.Version}, applied)
	for _, n := range c.nodes {
		require.Equal(t, http.StatusServiceUnavailable, c.probe(n, "/readyz"), "node %s is ready past a contract step it does not have", n.name)
		require.Equal(t, http.StatusOK, c.probe(n, "/healthz"))
	}
	cmd := exec.Command(c.bin, "migrate")
	cmd.Env = c.env
	out, err := cmd.CombinedOutput()
	require.Error(t, err, "sesame migrate accepted a database with a newer contract step: %s", out)
	require.Contains(t, string(out), contractStep.Version)
	require.NotContains(t, string(out), expandStep.Version)
}

// probe answers the status of GET path on the node itself.
func (c *cluster) probe(n *node, path string) int {
	c.t.Helper()
	client := &http.Client{Timeout: 10 * time.Second}
	resp, err := client.Get("http://" + n.addr + path)
	require.NoError(c.t, err)
	resp.Body.Close()
	return resp.StatusCode
}

// waitInRotation waits until HAProxy sends requests to the node again
// (its health check has seen it up).
func (c *cluster) waitInRotation(n *node) {
	c.t.Helper()
	client := &http.Client{Timeout: 2 * time.Second}
	require.Eventually(c.t, func() bool {
		resp, err := client.Get("http://" + c.proxy + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.Header.Get(nodeHeader) == n.name
	}, startWait, 20*time.Millisecond, "HAProxy does not send requests to node %s", n.name)
}
