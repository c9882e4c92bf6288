package plain

import (
	"context"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/internal/handover"
)

// handingKeeper is a test keeper that can hand what it kept to a vendor.
type handingKeeper struct{ *apptest.Keeper }

func (handingKeeper) Handover() app.Handoverer { return noHandover{} }

type noHandover struct{}

func (noHandover) PlanHandover(context.Context, string, []handover.Recipient, string, bool) (*app.HandoverPlan, error) {
	panic("planned a handover nobody asked for")
}

func (noHandover) WriteHandover(context.Context, *app.HandoverPlan, bool) (app.HandoverResult, error) {
	panic("wrote a handover nobody asked for")
}

// TestPlainCaptureOffersHandoverWithoutAsking: read from a script (not a
// terminal), the kept credential's hand-over is said, never asked, so no
// answer meant for the next step is taken.
func TestPlainCaptureOffersHandoverWithoutAsking(t *testing.T) {
	c := handingKeeper{&apptest.Keeper{}}
	got, _, err := runCapture(t, c, lines("", "dmsa-client-1234", testSecret, "4264807", "y", ""))
	if err != nil {
		t.Fatalf("%v\n%s", err, got)
	}
	for _, want := range []string{"To hand it to the vendor encrypted to their public key: procore-sa secret handover default --to KEY", "Every step is done."} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "Paste their key") {
		t.Errorf("asked for a key from a script:\n%s", got)
	}
}
