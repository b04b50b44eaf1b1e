package store

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
)

func TestSeverityScaleCanChange(t *testing.T) {
	st := OpenTest(t)
	inc := newIncident(t, st, "uses SEV2") // SEV2

	require.NoError(t, st.CreateSeverity(ctx, &model.Severity{Name: "SEV0", Description: "Everything is down", Position: 10}))
	var ve *model.ValidationError
	assert.ErrorAs(t, st.CreateSeverity(ctx, &model.Severity{Name: "SEV0", Position: 11}), &ve, "duplicate name")
	assert.ErrorAs(t, st.CreateSeverity(ctx, &model.Severity{Name: "P1", Position: 1}), &ve, "duplicate position")
	assert.ErrorAs(t, st.CreateSeverity(ctx, &model.Severity{Name: "<b>", Position: 12}), &ve, "bad name")

	// Renaming carries over to incidents.
	require.NoError(t, st.UpdateSeverity(ctx, "SEV2", &model.Severity{Name: "Major", Description: "d", Position: 2}))
	got, err := st.Incident(ctx, inc.ID)
	require.NoError(t, err)
	assert.Equal(t, "Major", got.Severity)

	var ce *model.ConflictError
	assert.ErrorAs(t, st.DeleteSeverity(ctx, "Major"), &ce, "in use")
	require.NoError(t, st.DeleteSeverity(ctx, "SEV0"))
	assert.ErrorIs(t, st.DeleteSeverity(ctx, "SEV0"), model.ErrNotFound)

	sevs, err := st.Severities(ctx)
	require.NoError(t, err)
	names := []string{}
	for _, s := range sevs {
		names = append(names, s.Name)
	}
	assert.Equal(t, []string{"SEV1", "Major", "SEV3", "SEV4"}, names)
}
