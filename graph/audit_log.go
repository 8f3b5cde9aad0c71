package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/tenants"
)

// MaxAuditTypes bounds the types one audit log filter may name.
const MaxAuditTypes = 30

// auditEvents reads one page of the caller's tenant's audit log.
func (r *Resolver) auditEvents(ctx context.Context, first int, after *string, f *model.AuditEventFilter) (*model.AuditEventConnection, error) {
	c := callerFrom(ctx)
	if first < 1 || first > MaxPage {
		return nil, &tenants.InputError{Field: "first", Problem: "ask for 1 to 100 events per page"}
	}
	p := db.AuditPage{Limit: first}
	if after != nil && *after != "" {
		id, err := uuid.Parse(*after)
		if err != nil {
			return nil, &tenants.InputError{Field: "after", Problem: "is not a cursor from pageInfo.endCursor; start again without it"}
		}
		p.After = &id
	}
	if f != nil {
		if len(f.Types) > MaxAuditTypes {
			return nil, &tenants.InputError{Field: "types", Problem: "name at most 30 event types"}
		}
		p.Types, p.UserID, p.Since, p.Until = f.Types, f.UserID, f.Since, f.Until
		if p.Since != nil && p.Until != nil && !p.Since.Before(*p.Until) {
			return nil, &tenants.InputError{Field: "until", Problem: "must be after since"}
		}
	}
	events, more, err := c.scope.Audit().List(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &model.AuditEventConnection{Nodes: events, PageInfo: &model.PageInfo{HasNextPage: more}}
	if len(events) > 0 {
		end := events[len(events)-1].ID.String()
		out.PageInfo.EndCursor = &end
	}
	return out, nil
}
