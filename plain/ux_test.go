package plain

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/steps"
)

// TestPlainCaptureUnreachable: a network failure reads as one, not as a
// refusal; the secret typed is kept for another try, and d prints the
// whole text.
func TestPlainCaptureUnreachable(t *testing.T) {
	dns := fmt.Errorf("check the credentials with Procore: %w", &url.Error{Op: "Post", URL: "https://login.procore.com/oauth/token",
		Err: &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "login.procore.com", IsNotFound: true}}})
	c := &apptest.Keeper{ProveErr: dns}
	got, _, err := runCapture(t, c, lines("", "id-1", testSecret, "4264807", "y", "d", "", "", "", "n", ""))
	if err != nil || len(c.Kept) != 1 || c.Kept[0].ClientSecret.Reveal() != testSecret {
		t.Fatalf("err %v, kept %d:\n%s", err, len(c.Kept), got)
	}
	for _, want := range []string{"Could not reach Procore: the name login.procore.com does not resolve.",
		"still here and was not judged", "Type d at the next question for the details", "Details: ", "no such host"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "refused") {
		t.Errorf("a network failure reads as a refusal:\n%s", got)
	}
	if i, j := strings.Index(got, "Could not reach"), strings.Index(got, "no such host"); j < i {
		t.Errorf("the details came before the sentence:\n%s", got)
	}
	noLeak(t, "the output", got, testSecret)
}

func parityGuide() *steps.Guide {
	return &steps.Guide{ID: "p", Title: "Parity", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "open", Kind: steps.KindInstruction, Title: "Open the Directory", Checklist: []string{"Open the company's Directory tool"}},
		{ID: "who", Kind: steps.KindForm, Title: "Who", Fields: []steps.Field{
			{ID: "domain", Label: "Company email domain", Type: steps.FieldText, Required: true, Placeholder: "example.com"},
			{ID: "email", Label: "Email Address", Type: steps.FieldEmail, Required: true, DomainFrom: "domain", Help: "A dedicated address on your company's domain."},
			{ID: "template", Label: "Permission Template", Type: steps.FieldChoice, Required: true, Options: []string{"Apply Later", "Standard"}},
		}},
		{ID: "erp", Kind: steps.KindMatrix, Title: "ERP", Matrix: &steps.Matrix{Rows: []string{"Vendor"}, Columns: []string{"Can Import"}, RequireAll: true}},
	}}
}

// TestPlainParity: every field's hint and help are said, a choice's
// options are numbered and a number chooses, every question is a
// sentence, and b goes back over finished steps.
func TestPlainParity(t *testing.T) {
	var out strings.Builder
	r := &Runner{In: strings.NewReader(lines("y", "acme.com", "sync@acme.com", "2", "b", "b", "", "", "", "", "y")), Out: &out}
	if err := r.Run(context.Background(), parityGuide()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{
		"Company email domain: for example example.com.",
		"Email Address: an address on acme.com.", "  A dedicated address on your company's domain.",
		"  1. Apply Later\n  2. Standard\n", "Choose the Permission Template: type its number (1 to 2) (required)",
		"Have you done this? Type y once it is done", "Is Can Import ticked for Vendor in Procore?",
		"This step is done. Press enter to go on, or type b to go back a step.",
		"Step 1 of 3: Open the Directory",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
	if strings.Count(got, "Step 1 of 3") != 2 {
		t.Errorf("b did not go back over the finished steps to the first:\n%s", got)
	}
	for _, line := range strings.Split(got, "\n") {
		if strings.HasSuffix(strings.TrimSpace(line), "[y/n]") {
			t.Errorf("a question that is not a sentence: %q", line)
		}
	}
}

// TestPlainInputEnded: input that runs out ends the walk as a quit,
// with a typed error a command can tell apart.
func TestPlainInputEnded(t *testing.T) {
	var out strings.Builder
	r := &Runner{In: strings.NewReader(""), Out: &out}
	err := r.Run(context.Background(), parityGuide())
	if !errors.Is(err, ErrInputEnded) || !errors.Is(err, ErrQuit) {
		t.Fatalf("got %v", err)
	}
}

// slowReportingAddAll plans slowly, saying what it has read.
type slowReportingAddAll struct{ fakeAddAll }

func (f *slowReportingAddAll) PlanEmitting(ctx context.Context, u app.Using, emit func(addall.Event)) (*addall.Plan, string, error) {
	emit(addall.Event{Kind: "reading", Rows: 600, Pages: 2, At: time.Now()})
	emit(addall.Event{Kind: "wait", Reason: "waiting 1 s for Procore's rate limit", Wait: time.Second, At: time.Now()})
	time.Sleep(60 * time.Millisecond)
	return f.Plan(ctx, u)
}

// TestPlainPlanningProgress: a slow plan says what it has read and what it
// waits for.
func TestPlainPlanningProgress(t *testing.T) {
	var out syncBuffer
	r := &Runner{In: strings.NewReader("sync@example.com\ny\n"), Out: &out, AddAll: &slowReportingAddAll{}, Verify: &apptest.Verify{}, planTick: 10 * time.Millisecond}
	if err := r.Run(context.Background(), guide()); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	got := out.String()
	for _, want := range []string{"  waiting 1 s for Procore's rate limit\n", "still planning: 600 projects read in 2 pages"} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}
