package web_test

import (
	"flag"
	"os"
	"runtime"
	"strconv"
	"testing"

	"github.com/sesame-id/sesame/internal/browser"
)

// parallelPerCPU is how many parallel tests run at once per CPU when the
// command line does not say (-parallel). The tests of this package mostly
// wait on Chromium and on their servers: at go test's default of one per
// CPU, a whole run under -race used about 600 CPU-seconds in the 20 or so
// minutes it took on 2 CPUs, a quarter of what they had.
const parallelPerCPU = 2

// TestMain runs the tests with one Chromium for the whole package, each
// test in a browser context of its own (browser.Main), and with more tests
// at once than go test's default (parallelPerCPU).
func TestMain(m *testing.M) {
	flag.Parse()
	set := false
	flag.Visit(func(f *flag.Flag) { set = set || f.Name == "test.parallel" })
	if !set {
		if err := flag.Set("test.parallel", strconv.Itoa(parallelPerCPU*runtime.GOMAXPROCS(0))); err != nil {
			panic(err)
		}
	}
	os.Exit(browser.Main(m))
}
