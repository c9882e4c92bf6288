package status

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

// TestStatusFromOptions runs status on options set by hand, no terminal and
// no command line: the rows as text and as JSON, the empty case, and a
// keychain that cannot be read.
func TestStatusFromOptions(t *testing.T) {
	rows := []cmdutil.ProfileRow{
		{Profile: "default", Kind: "client_credentials", Environment: "production", AgeDays: 3, CreatedAt: time.Date(2026, 11, 29, 0, 0, 0, 0, time.UTC)},
		{Profile: "old", Kind: "admin_oauth", Environment: "sandbox", AgeDays: 200, Rotate: true},
		{Profile: "broken", Problem: "the keychain entry is not JSON"},
	}
	run := func(asJSON bool, rows []cmdutil.ProfileRow, err error) (string, error) {
		ios, _, out, _ := iostreams.Test()
		opts := &Options{Out: ios.Out, JSON: asJSON, Service: func() string { return "procore-sa" },
			Profiles: func(context.Context) ([]cmdutil.ProfileRow, error) { return rows, err }}
		err = Run(context.Background(), opts)
		return out.String(), err
	}
	got, err := run(false, rows, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"default ", "3 days\n", "200 days (rotate: older than 180 days)", "the keychain entry is not JSON"} {
		if !strings.Contains(got, want) {
			t.Errorf("status lacks %q:\n%s", want, got)
		}
	}
	if lines := strings.Split(got, "\n"); strings.Join(strings.Fields(lines[0]), " ") != "PROFILE KIND ENVIRONMENT AGE" {
		t.Errorf("no header row: %q", lines[0])
	}
	if got, _ := run(false, nil, nil); !strings.Contains(got, "No stored profiles.") {
		t.Errorf("empty: %q", got)
	}

	got, err = run(true, nil, nil)
	var doc struct {
		Service  string               `json:"service"`
		Profiles []cmdutil.ProfileRow `json:"profiles"`
	}
	if err != nil || json.Unmarshal([]byte(got), &doc) != nil || doc.Service != "procore-sa" || doc.Profiles == nil || len(doc.Profiles) != 0 {
		t.Errorf("empty JSON: %v %q", err, got)
	}
	got, _ = run(true, rows, nil)
	if json.Unmarshal([]byte(got), &doc) != nil || len(doc.Profiles) != 3 || !doc.Profiles[1].Rotate || doc.Profiles[2].Problem == "" {
		t.Errorf("JSON: %q", got)
	}

	locked := errors.New("the keychain is locked")
	if _, err := run(false, nil, locked); !errors.Is(err, locked) {
		t.Errorf("got %v, want the keychain's error", err)
	}
}

// TestStatusFlags: the command line reaches the options, and runF runs
// instead of the command.
func TestStatusFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdStatus(cmdutil.New(ios, cmdutil.BuildInfo{}), func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"--json"})
	if err := cmd.Execute(); err != nil || got == nil || !got.JSON {
		t.Fatalf("err %v, options %+v", err, got)
	}
}
