package status_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// TestStatusFlagsRotationByTheAppsClock: a credential older than 180 days
// by the app's clock is flagged for rotation, and one younger is not.
func TestStatusFlagsRotationByTheAppsClock(t *testing.T) {
	cmdtest.Env(t)
	now := time.Date(2031, 6, 1, 12, 0, 0, 0, time.UTC) // not today: the app's clock must be used
	c := cmdtest.NewCredApp(t, "")
	c.Now = func() time.Time { return now }
	mk := func(age time.Duration) credstore.Credential {
		return credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "production", CompanyID: 1,
			ClientID: "id", ClientSecret: secret.New("s-do-not-print"), CreatedAt: now.Add(-age)}
	}
	c.Save(t, "old", mk(181*24*time.Hour))
	c.Save(t, "young", mk(179*24*time.Hour))
	out, errOut, code := c.Run(t, "status", "--json")
	if code != cmdutil.ExitOK {
		t.Fatalf("status: exit %d\n%s%s", code, out, errOut)
	}
	var st struct {
		Profiles []cmdutil.ProfileRow `json:"profiles"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	got := map[string]cmdutil.ProfileRow{}
	for _, r := range st.Profiles {
		got[r.Profile] = r
	}
	if r := got["old"]; !r.Rotate || r.AgeDays != 181 {
		t.Errorf("old: %+v", r)
	}
	if r := got["young"]; r.Rotate || r.AgeDays != 179 {
		t.Errorf("young: %+v", r)
	}
	c.Out.Reset()
	out, _, _ = c.Run(t, "status")
	for line := range strings.SplitSeq(out, "\n") {
		if strings.HasPrefix(line, "old ") != strings.Contains(line, "rotate: older than 180 days") {
			t.Errorf("status line: %q", line)
		}
	}
	if strings.Contains(out, "do-not-print") {
		t.Error("status printed a secret")
	}
}
