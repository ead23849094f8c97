package sandbox

import (
	"context"
	"errors"
	"fmt"

	"github.com/containers/podman/v5/pkg/bindings/containers"
)

// Managed is a container sysgate created, as the service lists it.
type Managed struct {
	ID     string
	Name   string
	ScanID string
	State  string
}

// Managed lists the containers that carry sysgate's label, in any state;
// those of one scan when scanID is not empty.
func (c *Client) Managed(ctx context.Context, scanID string) ([]Managed, error) {
	filter := []string{LabelManaged + "=true"}
	if scanID != "" {
		filter = append(filter, LabelScan+"="+scanID)
	}
	opts := new(containers.ListOptions).WithAll(true).WithFilters(map[string][]string{"label": filter})
	list, err := containers.List(c.bind(ctx), opts)
	if err != nil {
		return nil, fmt.Errorf("list sysgate's containers: %w", err)
	}
	out := make([]Managed, 0, len(list))
	for _, l := range list {
		m := Managed{ID: l.ID, ScanID: l.Labels[LabelScan], State: l.State}
		if len(l.Names) > 0 {
			m.Name = l.Names[0]
		}
		out = append(out, m)
	}
	return out, nil
}

// GC removes every container that carries sysgate's label (leftovers of
// scans that were killed before their teardown), or those of one scan when
// scanID is not empty, with their anonymous volumes, and returns those it
// removed. It goes on past a failure and returns the failures joined.
func (c *Client) GC(ctx context.Context, scanID string) ([]Managed, error) {
	list, err := c.Managed(ctx, scanID)
	if err != nil {
		return nil, err
	}
	var removed []Managed
	var errs []error
	for _, m := range list {
		if err := c.Remove(ctx, m.ID); err != nil {
			errs = append(errs, err)
			continue
		}
		removed = append(removed, m)
	}
	return removed, errors.Join(errs...)
}
