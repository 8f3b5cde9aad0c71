package browser

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// chromiumEnv is the environment variable that names the Chromium binary to
// run, as a path or as a name that PATH resolves.
const chromiumEnv = "CHROMIUM"

// fallbackChromium is where Debian's chromium package puts its launcher. It is
// the last place looked at, for a PATH that lacks /usr/bin.
const fallbackChromium = "/usr/bin/chromium"

// installHint is the one-line advice printed when no Chromium is found.
const installHint = "install it with `apt-get install -y chromium` or point " + chromiumEnv + " at a Chromium binary"

// errNoChromium reports that no Chromium binary was found in any of the usual
// places. It is the only error that lets a test skip outside CI: every other
// error is a misconfiguration that must fail the test.
var errNoChromium = errors.New("no Chromium binary found")

// findChromium returns the Chromium binary to start: the one that the
// environment variable CHROMIUM names, else `chromium` on PATH, else
// /usr/bin/chromium. getenv and lookPath are os.Getenv and exec.LookPath,
// passed in so that the search can be tested without touching the machine.
//
// A CHROMIUM that names nothing runnable is an error of its own, not
// errNoChromium: whoever set it wanted that binary, and silently skipping the
// browser tests would hide the mistake.
func findChromium(getenv func(string) string, lookPath func(string) (string, error)) (string, error) {
	if want := getenv(chromiumEnv); want != "" {
		path, err := lookPath(want)
		if err != nil {
			return "", fmt.Errorf("%s=%q is not a runnable Chromium: %w", chromiumEnv, want, err)
		}
		return path, nil
	}
	for _, candidate := range []string{"chromium", fallbackChromium} {
		if path, err := lookPath(candidate); err == nil {
			return path, nil
		}
	}
	return "", fmt.Errorf("%w (looked at $%s, chromium on PATH and %s)", errNoChromium, chromiumEnv, fallbackChromium)
}

// lookPath is exec.LookPath that also accepts a name that resolves to a path
// relative to the working directory, which exec.LookPath reports with
// exec.ErrDot. A CHROMIUM such as ./chrome-linux/chrome is a deliberate choice
// of the person who set it.
func lookPath(file string) (string, error) {
	path, err := exec.LookPath(file)
	if errors.Is(err, exec.ErrDot) {
		return filepath.Abs(path)
	}
	return path, err
}

// leftovers returns the ids of the processes whose command line holds
// --user-data-dir=dir. Chromium passes that flag to every process it starts
// (renderers, the GPU and network services, the zygote), so it finds the
// whole browser of one profile without relying on process groups. It reads
// /proc, so it finds nothing where there is no /proc.
func leftovers(dir string) []int {
	want := "--user-data-dir=" + dir
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil
	}
	self := os.Getpid()
	var pids []int
	for _, entry := range entries {
		pid, err := strconv.Atoi(entry.Name())
		if err != nil || pid == self {
			continue
		}
		cmdline, err := os.ReadFile(filepath.Join("/proc", entry.Name(), "cmdline"))
		if err != nil {
			continue
		}
		for arg := range strings.SplitSeq(string(cmdline), "\x00") {
			if arg == want {
				pids = append(pids, pid)
				break
			}
		}
	}
	return pids
}

// reap waits up to grace for the processes of the profile dir to exit on
// their own, and kills the ones that are still there after it. It returns the
// ids of the processes it had to kill, so that the caller can report them.
func reap(dir string, grace time.Duration) []int {
	deadline := time.Now().Add(grace)
	for {
		pids := leftovers(dir)
		if len(pids) == 0 {
			return nil
		}
		if time.Now().After(deadline) {
			for _, pid := range pids {
				if p, err := os.FindProcess(pid); err == nil {
					_ = p.Kill() // it may have exited meanwhile; nothing to do then
				}
			}
			return pids
		}
		time.Sleep(20 * time.Millisecond)
	}
}
