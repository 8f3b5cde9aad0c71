package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestREADME_ListsEverySetting keeps the README's configuration table true:
// every setting's variable, flag and default must appear in it.
func TestREADME_ListsEverySetting(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	readme := string(b)
	for _, s := range settings() {
		row := ""
		for _, line := range strings.Split(readme, "\n") {
			if strings.Contains(line, "`"+s.Env+"`") {
				row = line
				break
			}
		}
		require.NotEmpty(t, row, "README.md has no row for %s", s.Env)
		require.Contains(t, row, "`--"+s.Flag+"`", s.Env)
		if s.Default != "" {
			require.Contains(t, row, "`"+s.Default+"`", s.Env)
		}
	}
}
