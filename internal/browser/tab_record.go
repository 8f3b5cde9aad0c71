package browser

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
)

// ConsoleErrors returns, in order, what the pages of the tab reported as
// errors since the tab opened: console.error and failed console.assert calls,
// uncaught exceptions and unhandled promise rejections, and error entries of
// the browser log (failed resource loads, Content-Security-Policy violations).
// A healthy page leaves it empty.
//
// A page without a <link rel="icon"> makes Chromium fetch /favicon.ico after
// the load event; a 404 there is recorded too, at a moment no action waits
// for, so such a page gives a list that depends on timing. Give every page an
// icon (href="data:," will do in a test page).
func (tab *Tab) ConsoleErrors() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.consoleErrors...)
}

// Requests returns, in order, the URL of every network request the pages of
// the tab made since the tab opened, navigations included. Tests use it to
// prove that a page loads nothing from hosts other than its own.
func (tab *Tab) Requests() []string {
	tab.mu.Lock()
	defer tab.mu.Unlock()
	return append([]string(nil), tab.requests...)
}

// record is the tab's event listener. chromedp calls it on the goroutine that
// reads the tab's messages, before the reply to any later command, so what a
// page did before an action returned is recorded when the action returns. It
// must be quick and must not send commands.
func (tab *Tab) record(ev any) {
	var consoleErr, request string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		consoleErr = fmt.Sprintf("console.%s: %s", ev.Type, remoteObjectsText(ev.Args))
		if st := ev.StackTrace; st != nil && len(st.CallFrames) > 0 {
			f := st.CallFrames[0]
			consoleErr += fmt.Sprintf(" (%s:%d:%d)", f.URL, f.LineNumber+1, f.ColumnNumber+1)
		}
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		consoleErr = "exception: " + d.Text
		if d.Exception != nil {
			consoleErr += " " + firstLine(remoteObjectText(d.Exception))
		}
		if d.URL != "" {
			consoleErr += fmt.Sprintf(" (%s:%d:%d)", d.URL, d.LineNumber+1, d.ColumnNumber+1)
		}
	case *log.EventEntryAdded:
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		consoleErr = fmt.Sprintf("log.%s: %s", ev.Entry.Source, ev.Entry.Text)
		if ev.Entry.URL != "" {
			consoleErr += " (" + ev.Entry.URL + ")"
		}
	case *network.EventRequestWillBeSent:
		request = ev.Request.URL
	default:
		return
	}
	tab.mu.Lock()
	defer tab.mu.Unlock()
	if consoleErr != "" {
		tab.consoleErrors = append(tab.consoleErrors, consoleErr)
	}
	if request != "" {
		tab.requests = append(tab.requests, request)
	}
}

// remoteObjectsText renders console arguments separated by spaces.
func remoteObjectsText(args []*runtime.RemoteObject) string {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = remoteObjectText(a)
	}
	return strings.Join(parts, " ")
}

// remoteObjectText renders one JavaScript value as the DevTools console
// would, close enough for a test failure message: strings as they are,
// primitives as their JSON, objects (errors included) by description.
func remoteObjectText(o *runtime.RemoteObject) string {
	if o == nil {
		return "null"
	}
	if o.Type == runtime.RemoteObjectTypeString {
		var s string
		if json.Unmarshal([]byte(o.Value), &s) == nil {
			return s
		}
	}
	switch {
	case o.UnserializableValue != "":
		return string(o.UnserializableValue)
	case o.Description != "":
		return o.Description
	case len(o.Value) > 0:
		return string(o.Value)
	}
	return string(o.Type)
}

// firstLine returns s up to its first line break; an error's description
// holds its stack on the following lines.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}
