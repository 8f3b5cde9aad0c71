package graph

import (
	"context"

	"github.com/google/uuid"

	"github.com/sesame-id/sesame/db"
	"github.com/sesame-id/sesame/flows/webhooks"
	"github.com/sesame-id/sesame/graph/model"
	"github.com/sesame-id/sesame/tenants"
)

// webhooks is the webhook rules on the API's dependencies.
func (r *Resolver) webhooks() *webhooks.Service {
	return &webhooks.Service{Deps: r.Flows.WithDefaults()}
}

func specOfWebhook(in model.WebhookEndpointInput) webhooks.Spec {
	return webhooks.Spec{URL: in.URL, Events: in.Events, Enabled: in.Enabled}
}

// webhookDeliveries reads one page of an endpoint's delivery log.
func (r *Resolver) webhookDeliveries(ctx context.Context, endpointID uuid.UUID, first int, after *string) (*model.WebhookDeliveryConnection, error) {
	if first < 1 || first > MaxPage {
		return nil, &tenants.InputError{Field: "first", Problem: "ask for 1 to 100 deliveries per page"}
	}
	p := db.DeliveryPage{EndpointID: endpointID, Limit: first}
	if after != nil && *after != "" {
		id, err := uuid.Parse(*after)
		if err != nil {
			return nil, &tenants.InputError{Field: "after", Problem: "is not a cursor from pageInfo.endCursor; start again without it"}
		}
		p.After = &id
	}
	ds, more, err := callerFrom(ctx).scope.Webhooks().Deliveries(ctx, p)
	if err != nil {
		return nil, err
	}
	out := &model.WebhookDeliveryConnection{Nodes: ds, PageInfo: &model.PageInfo{HasNextPage: more}}
	if len(ds) > 0 {
		end := ds[len(ds)-1].ID.String()
		out.PageInfo.EndCursor = &end
	}
	return out, nil
}
