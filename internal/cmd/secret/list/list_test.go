package list

import (
	"context"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

// TestListTable: a row per profile under the header, company and age in
// their columns, a problem in place of the age.
func TestListTable(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	opts := &Options{Out: ios.Out, Profiles: func(context.Context) ([]cmdutil.ProfileRow, error) {
		return []cmdutil.ProfileRow{
			{Profile: "default", Kind: "client_credentials", Environment: "production", CompanyID: 42, AgeDays: 1},
			{Profile: "broken", Problem: "not JSON"},
		}, nil
	}}
	if err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if len(lines) != 3 || strings.Join(strings.Fields(lines[0]), " ") != "PROFILE KIND ENVIRONMENT COMPANY AGE" {
		t.Fatalf("%q", out.String())
	}
	if f := strings.Fields(lines[1]); len(f) != 6 || f[0] != "default" || f[3] != "42" || f[4] != "1" {
		t.Errorf("row %q", lines[1])
	}
	if !strings.HasPrefix(lines[2], "broken ") || !strings.HasSuffix(lines[2], "not JSON") {
		t.Errorf("row %q", lines[2])
	}
}

// TestListNoCompanyZero: a credential without a company (an admin's
// sign-in) shows none, never a company 0.
func TestListNoCompanyZero(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	opts := &Options{Out: ios.Out, Profiles: func(context.Context) ([]cmdutil.ProfileRow, error) {
		return []cmdutil.ProfileRow{{Profile: "admin", Kind: "admin_oauth", Environment: "production", AgeDays: 2}}, nil
	}}
	if err := Run(context.Background(), opts); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	if f := strings.Fields(lines[1]); len(f) != 6 || f[3] != "-" {
		t.Fatalf("row %q", lines[1])
	}
}
