package notify

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/debrief-dev/debrief/internal/model"
	"github.com/debrief-dev/debrief/internal/store"
)

// BenchmarkOutboxThroughput delivers b.N queued events to a fast local
// receiver (one hook) and reports deliveries per second (goal ≥ 500).
func BenchmarkOutboxThroughput(b *testing.B) {
	st := store.OpenTest(b)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) }))
	defer srv.Close()
	secret, err := NewSecret()
	require.NoError(b, err)
	h := &model.Webhook{URL: srv.URL, Events: []string{model.EventChangeRecorded}, Format: model.FormatJSON, Secret: secret}
	require.NoError(b, h.Validate(true))
	require.NoError(b, st.CreateWebhook(ctx, h))
	at := st.Now().Add(-time.Hour)
	for i := 0; i < b.N; i++ {
		_, err := st.RecordChange(ctx, &model.Change{Service: "api", Summary: "bench", StartedAt: at})
		require.NoError(b, err)
	}
	w := testWorker(st, st.Now)
	b.ResetTimer()
	start := time.Now()
	w.Drain(ctx)
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "deliveries/s")
	ds, err := st.Deliveries(ctx, h.ID, 0, 1)
	require.NoError(b, err)
	require.Equal(b, model.DeliveryDelivered, ds[0].Status)
}
