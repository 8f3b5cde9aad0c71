package browser

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// pageHTML is the page of TestPageHelpers: two items (one hidden), an
// element that reads what a script run before the page's own left, an
// element that a timer fills in before it requests /ping, and a labelled
// field.
const pageHTML = `<!doctype html><html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Page</title><link rel="icon" href="data:,"></head><body>
<p class="item"> one </p><p class="item" hidden>two</p>
<p id="seen"></p><p id="later">waiting</p>
<label for="name"> Your name </label><input id="name" data-kind="person">
<script>
document.getElementById("seen").textContent = window.before ?? "unset";
setTimeout(() => { document.getElementById("later").textContent = "done"; fetch("/ping"); }, 200);
</script></body></html>`

// servePage serves pageHTML at /page on 127.0.0.1 and counts its loads.
func servePage(t *testing.T) (origin string, loads *atomic.Int32) {
	t.Helper()
	loads = &atomic.Int32{}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /page", func(w http.ResponseWriter, _ *http.Request) {
		loads.Add(1)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, pageHTML)
	})
	mux.HandleFunc("GET /ping", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	_, port, err := net.SplitHostPort(srv.Listener.Addr().String())
	require.NoError(t, err)
	return "http://acme.localhost:" + port, loads
}

func TestPageHelpers_ReadWaitForAndReshapeThePage(t *testing.T) {
	t.Parallel()
	origin, loads := servePage(t)
	tab := New(t).NewTab(t)

	// A script added before the navigation runs before the page's own.
	tab.RunBeforePageScripts(t, `window.before = "set";`)
	tab.SetViewport(t, 360, 740, true)
	tab.Navigate(t, origin+"/page")
	require.Equal(t, "set", tab.Text(t, "#seen"))
	var width int
	tab.Eval(t, "innerWidth", &width)
	require.Equal(t, 360, width)

	require.True(t, tab.Has(t, ".item[hidden]"))
	require.False(t, tab.Has(t, "#nothing"))
	require.True(t, tab.Shows(t, "#seen"))
	require.False(t, tab.Shows(t, ".item[hidden]"), "a hidden element is not shown")
	require.False(t, tab.Shows(t, "#nothing"))
	require.Equal(t, 2, tab.Count(t, ".item"))
	require.Equal(t, []string{"one", "two"}, tab.Texts(t, ".item"))
	require.Equal(t, "person", tab.Attr(t, "#name", "data-kind"))
	require.Equal(t, "", tab.Attr(t, "#name", "data-missing"))
	require.Equal(t, "Your name", tab.Label(t, "#name"))
	require.Equal(t, "", tab.Label(t, "#seen"))
	require.Equal(t, "", tab.FocusedID(t))
	tab.Click(t, "#name")
	require.Equal(t, "name", tab.FocusedID(t))

	tab.WaitText(t, "#later", "done")
	tab.WaitRequest(t, 0, origin+"/ping")
	tab.Settle(t)

	tab.SetViewport(t, 1280, 800, false)
	tab.Reload(t)
	require.Equal(t, int32(2), loads.Load(), "the reload loaded the page again")
	tab.Eval(t, "innerWidth", &width)
	require.Equal(t, 1280, width)
	require.Empty(t, tab.ConsoleErrors())
}

func TestPageHelpers_WaitTextAndWaitRequestFailWithWhatTheyRead(t *testing.T) {
	t.Parallel()
	origin, _ := servePage(t)
	tab := New(t).NewTab(t)
	tab.Navigate(t, origin+"/page")
	tab.SetTimeout(3 * time.Second) // WaitText gives up 2 s before the tab's timeout

	rec := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		tab.WaitText(rec, "#seen", "never")
	}()
	<-done
	require.True(t, rec.failed, "WaitText on a text that never comes did not fail")
	require.Contains(t, rec.String(), `#seen reads "unset", want "never"`)

	rec = &recordingTB{TB: t}
	done = make(chan struct{})
	go func() {
		defer close(done)
		tab.WaitRequest(rec, len(tab.Requests()), origin+"/never")
	}()
	<-done
	require.True(t, rec.failed, "WaitRequest on a URL never requested did not fail")
	require.Contains(t, rec.String(), "the page never requested "+origin+"/never")
}

func TestShotPath_IsAFolderNamedAfterTheTest(t *testing.T) {
	t.Parallel()
	path := ShotPath(t, "page.png")
	require.Equal(t, "page.png", filepath.Base(path))
	require.Equal(t, "TestShotPath_IsAFolderNamedAfterTheTest", filepath.Base(filepath.Dir(path)))
}
