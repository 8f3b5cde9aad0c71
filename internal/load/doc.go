// Package load holds the bounded load test of the passkey sign-in (its
// tests only): the whole server on 127.0.0.1 on PostgreSQL, the rate the
// machine sustains measured first, then four times that rate from one
// tenant while another signs in at a low rate. It shows the degradation is
// graceful: every answer correct (a session for the right user, or 429 or
// 503 with Retry-After from server.Admission, never a 500), the other
// tenant served within a bounded latency, the heap back where it was.
package load
