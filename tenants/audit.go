package tenants

import (
	"bytes"
	"encoding/json"
	"fmt"

	"github.com/sesame-id/sesame/internal/audit"
	"github.com/sesame-id/sesame/internal/webhook"
)

// settingsEvent is the audit event of a settings change: the sections
// that changed, before and after, from the redacted documents (so no
// provider secret), audit.Clean dropping any key that names a secret.
func settingsEvent(before, after Settings) (audit.Event, error) {
	b, err := sections(before.Redacted())
	if err != nil {
		return audit.Event{}, err
	}
	a, err := sections(after.Redacted())
	if err != nil {
		return audit.Event{}, err
	}
	e := audit.Event{Type: audit.SettingsChanged, Before: map[string]any{}, After: map[string]any{}}
	for k, av := range a {
		if bv, ok := b[k]; ok && bytes.Equal(bv, av) {
			continue
		}
		e.Before[k], e.After[k] = decode(b[k]), decode(av)
	}
	return e, nil
}

func sections(s Settings) (map[string]json.RawMessage, error) {
	raw, err := json.Marshal(s)
	if err != nil {
		return nil, fmt.Errorf("encode settings for the audit log: %w", err)
	}
	var out map[string]json.RawMessage
	if err := json.Unmarshal(raw, &out); err != nil {
		return nil, fmt.Errorf("decode settings for the audit log: %w", err)
	}
	return out, nil
}

func decode(raw json.RawMessage) any {
	if raw == nil {
		return nil
	}
	var v any
	_ = json.Unmarshal(raw, &v) // raw came from json.Marshal
	return v
}

// AuditPolicy is what internal/audit needs of t to record its events:
// the retention, the event types its webhooks want, delivered through
// jobs (nil: none enqueued), and whether a new device's sign-in is told.
func (t *Tenant) AuditPolicy(jobs webhook.Inserter) audit.Policy {
	return audit.Policy{
		Retention: t.Settings.Account.AuditRetention(), Webhooks: t.WebhookEvents, Jobs: jobs,
		NewSignInNotice: t.Settings.Account.NewSignInNotice,
	}
}
