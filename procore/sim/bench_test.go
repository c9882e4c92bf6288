package sim

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"testing"
	"time"
)

// BenchmarkThroughput measures requests a second over real HTTP on
// loopback: an httptest server, a keep-alive client and several goroutines,
// so that the figure includes net/http on both sides, as a client's
// benchmark would see it. Run with -cpu 1 to see one core's worth.
func BenchmarkThroughput(b *testing.B) {
	// The DMSA permitted every project, so that a page holds 100 rows.
	s := New(Config{Seed: 1, HourlyLimit: 1 << 30, SpikeLimit: 1 << 30, DMSAPermitAll: true})
	ts := httptest.NewServer(s)
	defer ts.Close()
	fx := s.Fixtures()
	tr := &http.Transport{MaxIdleConnsPerHost: 64, MaxConnsPerHost: 64}
	defer tr.CloseIdleConnections()
	client := &http.Client{Transport: tr}

	resp, err := client.PostForm(ts.URL+"/oauth/token", url.Values{"grant_type": {"client_credentials"},
		"client_id": {fx.DMSAClientID}, "client_secret": {fx.DMSAClientSecret}})
	if err != nil {
		b.Fatal(err)
	}
	var grant struct {
		AccessToken string `json:"access_token"`
	}
	err = json.NewDecoder(resp.Body).Decode(&grant)
	resp.Body.Close()
	if err != nil || grant.AccessToken == "" {
		b.Fatalf("client credentials: %d %v", resp.StatusCode, err)
	}
	tok := grant.AccessToken

	for _, bc := range []struct{ name, path string }{
		{"me", "/rest/v1.0/me"},
		{"projects100", fmt.Sprintf("/rest/v1.1/projects?company_id=%d&per_page=100", fx.CompanyID)},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.SetParallelism(8)
			start := time.Now()
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					r, _ := http.NewRequest(http.MethodGet, ts.URL+bc.path, nil)
					r.Header.Set("Authorization", "Bearer "+tok)
					r.Header.Set("Procore-Company-Id", strconv.FormatInt(fx.CompanyID, 10))
					resp, err := client.Do(r)
					if err != nil {
						b.Error(err)
						return
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode != http.StatusOK {
						b.Errorf("status %d", resp.StatusCode)
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "req/s")
		})
	}
}
