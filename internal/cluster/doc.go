// Package cluster holds the cluster test: three `sesame serve` processes on
// one PostgreSQL database behind HAProxy in round-robin, driven by the
// browser journeys (an OpenID Connect client's and a second factor's
// included), by a next release's expand and contract schema steps, and by a
// bounded load during a rolling restart. The
// package has no production code; its tests build the sesame binary once
// and run it as an operator would (see the README's "Several servers"
// section).
//
// HAProxy (Debian's haproxy package) must be installed: without it the
// tests fail under CI (the environment variable CI is set) and skip with an
// install hint elsewhere, as the browser harness does for Chromium.
package cluster
