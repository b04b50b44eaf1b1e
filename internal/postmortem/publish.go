package postmortem

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
)

// Publisher is what Publish needs of the store: a transaction that loads
// the document, lets the snapshot check and render it, and stores the
// revision. *store.Store is one.
type Publisher interface {
	Publish(ctx context.Context, incidentID int64, version int, snap model.PublishFunc) (*model.PostmortemRevision, error)
}

// PublishOptions say how a revision is rendered.
type PublishOptions struct {
	// BaseURL is the configured address links in the Markdown point to;
	// "" leaves them relative to Debrief's root (an export sets them again,
	// see Relink), so no host name a proxy passed on is frozen in.
	BaseURL string
	// Lint finds the blameless-language findings the gate and the snapshot
	// carry.
	Lint *lint.Checker
}

// Publish publishes the postmortem of incident id, based on its version,
// as its next revision: the gate, the Markdown and the Snapshot see the
// same state, in one transaction. The error is a *model.GateError with
// every reason when the gate refuses, a *model.ConflictError for a stale
// version or one already published.
func Publish(ctx context.Context, st Publisher, id int64, version int, opt PublishOptions) (*model.PostmortemRevision, error) {
	return st.Publish(ctx, id, version, func(doc *model.Document, revision int, at time.Time) (string, []byte, error) {
		if err := CheckGate(doc, opt.Lint); err != nil {
			return "", nil, err
		}
		return RenderRevision(doc, opt.Lint, Options{BaseURL: opt.BaseURL, Revision: revision, PublishedAt: &at})
	})
}

// CheckGate is nil when doc may be published, else a *model.GateError
// with every reason it may not yet.
func CheckGate(doc *model.Document, c *lint.Checker) error {
	reasons := Gate(doc, Findings(doc, c))
	if len(reasons) == 0 {
		return nil
	}
	things := "things"
	if len(reasons) == 1 {
		things = "thing"
	}
	return &model.GateError{Message: fmt.Sprintf("cannot publish yet: %d %s to fix", len(reasons), things), Reasons: reasons}
}

// RenderRevision is doc as revision opt.Revision published at
// *opt.PublishedAt, without the gate: the Markdown and the JSON of its
// Snapshot, as a revision stores them.
func RenderRevision(doc *model.Document, c *lint.Checker, opt Options) (markdown string, data []byte, err error) {
	if opt.PublishedAt == nil {
		return "", nil, fmt.Errorf("postmortem: a revision needs its publishing time")
	}
	md := Render(doc, opt)
	data, err = json.Marshal(NewSnapshot(doc, c, *opt.PublishedAt))
	if err != nil {
		return "", nil, err
	}
	return string(md), data, nil
}
