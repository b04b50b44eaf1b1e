package synth

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/lint"
	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/postmortem"
)

// A revision the generator writes and one a real publish writes are the
// same postmortem.Snapshot: each decodes into it with no unknown key, and
// both have the same keys at every level.
func TestRevisionDataIsTheSnapshotOfARealPublish(t *testing.T) {
	t.Parallel()
	st, _ := generate(t, Options{N: 40, Seed: 3, Now: testNow, Workers: 2})
	ctx := context.Background()
	checker, err := lint.Default()
	require.NoError(t, err)

	pubs, err := st.PublishedBatch(ctx, model.AllIncidents, 0, 40)
	require.NoError(t, err)
	require.NotEmpty(t, pubs, "the archive has published postmortems")
	// A postmortem the gate lets through again: start its next draft and
	// publish it the way the server does.
	var synthData, realData string
	for _, p := range pubs {
		id := p.Incident.ID
		pm, err := st.Postmortem(ctx, id)
		require.NoError(t, err)
		synthRev, err := st.Revision(ctx, id, pm.Revisions)
		require.NoError(t, err)
		pm, err = st.SetPostmortemStatus(ctx, id, model.PostmortemDraft, pm.Version)
		require.NoError(t, err)
		rev, err := postmortem.Publish(ctx, st, id, pm.Version, postmortem.PublishOptions{Lint: checker})
		var ge *model.GateError
		if errors.As(err, &ge) {
			continue
		}
		require.NoError(t, err)
		synthData, realData = synthRev.Data, rev.Data
		break
	}
	require.NotEmpty(t, realData, "some generated postmortem passes the gate")

	decode := func(data string) postmortem.Snapshot {
		dec := json.NewDecoder(bytes.NewReader([]byte(data)))
		dec.DisallowUnknownFields()
		var snap postmortem.Snapshot
		require.NoError(t, dec.Decode(&snap), data)
		return snap
	}
	synthSnap, realSnap := decode(synthData), decode(realData)
	assert.Equal(t, keyPaths(t, realData), keyPaths(t, synthData))
	assert.Equal(t, realSnap.Incident.ID, synthSnap.Incident.ID)
	assert.Equal(t, realSnap.Factors, synthSnap.Factors)
	assert.Equal(t, realSnap.Whys, synthSnap.Whys)
	assert.Equal(t, realSnap.Postmortem.Sections, synthSnap.Postmortem.Sections)
	assert.NotEmpty(t, synthSnap.Whys[0].Children, "whys are trees, as in the API")
}

// keyPaths lists every object key of a JSON document with its path
// ("whys[].children[].text"), arrays merged.
func keyPaths(t *testing.T, data string) []string {
	t.Helper()
	var v any
	require.NoError(t, json.Unmarshal([]byte(data), &v))
	seen := map[string]bool{}
	var walk func(prefix string, v any)
	walk = func(prefix string, v any) {
		switch v := v.(type) {
		case map[string]any:
			for k, x := range v {
				seen[prefix+k] = true
				walk(prefix+k+".", x)
			}
		case []any:
			for _, x := range v {
				walk(prefix[:len(prefix)-1]+"[].", x)
			}
		}
	}
	walk("", v)
	out := make([]string, 0, len(seen))
	for k := range seen {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
