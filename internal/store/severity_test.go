package store

import (
	"testing"
	"time"

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

func TestExpiredTokensAreRefused(t *testing.T) {
	clock := mustTime(t, "2026-11-22T12:00:00Z")
	st := OpenTest(t, WithClock(func() time.Time { return clock }))
	u := &model.User{Email: "bot@example.com", Name: "Bot", Role: model.RoleEditor}
	require.NoError(t, st.CreateUser(ctx, u))
	expires := clock.Add(time.Hour)
	tok := &model.APIToken{UserID: u.ID, Name: "short", Hash: []byte("0123456789abcdef0123456789abcdef"), Prefix: "dbf_x", ExpiresAt: &expires}
	require.NoError(t, st.CreateToken(ctx, tok))
	_, err := st.TokenByHash(ctx, tok.Hash)
	require.NoError(t, err)
	clock = clock.Add(time.Hour)
	_, err = st.TokenByHash(ctx, tok.Hash)
	assert.ErrorIs(t, err, model.ErrNotFound, "refused at its end date")

	past := clock.Add(-time.Minute)
	var ve *model.ValidationError
	assert.ErrorAs(t, st.CreateToken(ctx, &model.APIToken{UserID: u.ID, Name: "old", Hash: []byte("x"), Prefix: "dbf_y", ExpiresAt: &past}), &ve)
	assert.ErrorAs(t, st.CreateToken(ctx, &model.APIToken{UserID: u.ID, Name: "nul\x00", Hash: []byte("y"), Prefix: "dbf_z"}), &ve)
}

func TestSeverityActionDueWeeks(t *testing.T) {
	st := OpenTest(t)
	sevs, err := st.Severities(ctx)
	require.NoError(t, err)
	weeks := map[string]int{}
	for _, sv := range sevs {
		weeks[sv.Name] = sv.ActionDueWeeks
	}
	assert.Equal(t, map[string]int{"SEV1": 2, "SEV2": 4, "SEV3": 8, "SEV4": 12}, weeks)

	// A change that leaves the weeks out keeps them; one that sets them changes them.
	require.NoError(t, st.UpdateSeverity(ctx, "SEV2", &model.Severity{Name: "SEV2", Description: "Major", Position: 2}))
	require.NoError(t, st.UpdateSeverity(ctx, "SEV3", &model.Severity{Name: "SEV3", Position: 3, ActionDueWeeks: 6}))
	sv := &model.Severity{Name: "SEV5", Position: 5}
	require.NoError(t, st.CreateSeverity(ctx, sv))
	sevs, err = st.Severities(ctx)
	require.NoError(t, err)
	for _, sv := range sevs {
		weeks[sv.Name] = sv.ActionDueWeeks
	}
	assert.Equal(t, map[string]int{"SEV1": 2, "SEV2": 4, "SEV3": 6, "SEV4": 12, "SEV5": model.DefaultActionDueWeeks}, weeks)

	var ve *model.ValidationError
	require.ErrorAs(t, st.UpdateSeverity(ctx, "SEV1", &model.Severity{Name: "SEV1", Position: 1, ActionDueWeeks: 105}), &ve)
	assert.Contains(t, ve.Fields, "action_due_weeks")
}
