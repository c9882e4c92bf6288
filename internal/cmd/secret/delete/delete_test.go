package delete

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

// TestDeleteAsksFirst: without --yes, a terminal is asked and a no deletes
// nothing; with no terminal to ask, --yes is required (exit 2). The
// keychain is not reached in either case (App is nil here).
func TestDeleteAsksFirst(t *testing.T) {
	ios, _, out, _ := iostreams.Test()
	opts := &Options{Out: ios.Out, Profile: "old-sync"}
	var ue *cmdutil.UsageError
	if err := Run(context.Background(), opts); !errors.As(err, &ue) || !strings.Contains(err.Error(), "--yes") {
		t.Fatalf("no terminal, no --yes: %v", err)
	}
	var asked string
	opts.Confirm = func(q string) (bool, error) { asked = q; return false, nil }
	if err := Run(context.Background(), opts); !errors.Is(err, cmdutil.ErrSilent) {
		t.Fatalf("declined: %v", err)
	}
	if !strings.Contains(asked, `Delete profile "old-sync"`) || !strings.Contains(out.String(), "Nothing was deleted.") {
		t.Fatalf("asked %q, printed %q", asked, out.String())
	}
}

// TestDeleteFlags: --yes reaches the options.
func TestDeleteFlags(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	var got *Options
	cmd := NewCmdDelete(cmdutil.New(ios, cmdutil.BuildInfo{}), func(_ context.Context, o *Options) error { got = o; return nil })
	cmd.SetArgs([]string{"old-sync", "--yes"})
	if err := cmd.Execute(); err != nil || got == nil || !got.Yes || got.Profile != "old-sync" || got.Confirm != nil {
		t.Fatalf("err %v, options %+v", err, got)
	}
}
