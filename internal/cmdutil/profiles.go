package cmdutil

import (
	"context"
	"fmt"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
)

// RotateAfter is when a credential is flagged for rotation: six months,
// as vendors that rotate do.
const RotateAfter = 180 * 24 * time.Hour

// ProfileRow is what list and status show of a profile: never a secret.
type ProfileRow struct {
	Profile     string    `json:"profile"`
	Kind        string    `json:"kind"`
	Environment string    `json:"environment"`
	CompanyID   int64     `json:"company_id,omitempty"`
	CreatedAt   time.Time `json:"created_at"`
	AgeDays     int       `json:"age_days"`
	Rotate      bool      `json:"rotate"`
	Problem     string    `json:"problem,omitempty"`
}

// Age is the row's age in words, or why it could not be read.
func (r ProfileRow) Age() string {
	if r.Problem != "" {
		return r.Problem
	}
	s := fmt.Sprintf("%d days", r.AgeDays)
	if r.Rotate {
		s += " (rotate: older than 180 days)"
	}
	return s
}

// Profiles is a row for each stored profile.
func (f *Factory) Profiles(ctx context.Context) ([]ProfileRow, error) {
	store, _ := f.App().Credentials(ctx)
	// A keychain waiting for its unlock password says nothing: say what
	// the wait is, once.
	ctx = credstore.NoticeSlow(ctx, f.SayOnce(credstore.KeychainWait))
	names, err := store.Profiles(credstore.Interactive(ctx))
	if err != nil {
		return nil, err
	}
	var rows []ProfileRow
	for _, n := range names {
		c, err := store.Load(credstore.Interactive(ctx), n, true)
		if err != nil {
			rows = append(rows, ProfileRow{Profile: n, Problem: err.Error()})
			continue
		}
		age := f.Clock()().Sub(c.CreatedAt)
		rows = append(rows, ProfileRow{Profile: n, Kind: string(c.Kind), Environment: c.Environment, CompanyID: c.CompanyID,
			CreatedAt: c.CreatedAt.UTC(), AgeDays: int(age / (24 * time.Hour)), Rotate: age > RotateAfter})
	}
	return rows, nil
}
