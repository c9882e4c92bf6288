package tui

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/app/apptest"
	"github.com/procore-sa/procore-sa/plain"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
)

// The tests here walk the same guide through both front-ends, the full
// screen and the plain lines, over the same application-layer protocol,
// and check that they decide alike, and as that protocol decides: whether
// saved work is offered for resume, which company ids a capture takes, and
// how long a passphrase is.

// agreeOut is the plain runner's output, read while it writes.
type agreeOut struct {
	mu sync.Mutex
	b  strings.Builder
}

func (o *agreeOut) Write(p []byte) (int, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.Write(p)
}

func (o *agreeOut) String() string {
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.b.String()
}

// walkPlain walks g at a line prompt with the given answers, one a line,
// until they run out; it returns what was printed.
func walkPlain(t *testing.T, g *steps.Guide, svc app.Services, answers ...string) string {
	t.Helper()
	out := &agreeOut{}
	r := &plain.Runner{In: strings.NewReader(strings.Join(answers, "\n") + "\n"), Out: out, Store: svc.Sessions,
		Custody: svc.Keeper, Now: fixedNow}
	_ = r.Run(context.Background(), g) // ends when the answers do
	return out.String()
}

// firstStepFormGuide starts with a form, so that there is work to lose
// before any step is complete.
func firstStepFormGuide() *steps.Guide {
	return &steps.Guide{ID: "agree-form", Title: "Agree", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "domain-form", Kind: steps.KindForm, Title: "The domain", Fields: []steps.Field{
			{ID: "domain", Label: "Company email domain", Type: steps.FieldText, Required: true},
		}},
		{ID: "end", Kind: steps.KindNotice, Title: "End"},
	}}
}

// TestFrontEndsAgreeOnResume: a walk saved with work on its first step
// (Step 0) is offered for resume by both front-ends; one saved with
// nothing done is offered by neither; and both follow app.OfferResume.
func TestFrontEndsAgreeOnResume(t *testing.T) {
	g := firstStepFormGuide()
	for _, c := range []struct {
		name  string
		work  func(w *steps.Walker)
		offer bool
	}{
		{"work on the first step", func(w *steps.Walker) { w.SetValue("domain", "acme.com") }, true},
		{"nothing done", func(*steps.Walker) {}, false},
		{"on the second step", func(w *steps.Walker) {
			w.SetValue("domain", "acme.com")
			if err := w.Next(); err != nil {
				t.Fatal(err)
			}
		}, true},
	} {
		t.Run(c.name, func(t *testing.T) {
			// Each front-end gets its own copy of the saved walk: the
			// first to run must not change what the second finds.
			saved := func() *state.Store {
				st := openStore(t)
				w := steps.NewWalker(g, nil, fixedNow)
				c.work(w)
				if err := st.SaveSession(w.Session); err != nil {
					t.Fatal(err)
				}
				return st
			}
			st := saved()
			s, err := st.LoadSession(g.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got := app.OfferResume(g, s); got != c.offer {
				t.Fatalf("app.OfferResume = %t, want %t (session at step %d)", got, c.offer, s.Step)
			}

			d := newDriver(t, Options{Guides: []*steps.Guide{g}, GuideID: g.ID, Services: app.Services{Sessions: saved()}}, 80, 24)
			screen := strings.Contains(d.text(), "saved progress")
			lines := walkPlain(t, g, app.Services{Sessions: saved()}, "")
			printed := strings.Contains(lines, "You have saved progress")
			if screen != c.offer || printed != c.offer {
				t.Errorf("offered for resume: full screen %t, plain %t; want %t\nscreen:\n%s\nplain:\n%s", screen, printed, c.offer, d.text(), lines)
			}
		})
	}
}

// captureFirstGuide starts with the credential step.
func captureFirstGuide() *steps.Guide {
	return &steps.Guide{ID: "agree-capture", Title: "Agree", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "credentials", Kind: steps.KindCredential, Title: "Capture the credentials"},
		{ID: "end", Kind: steps.KindNotice, Title: "End"},
	}}
}

// TestFrontEndsAgreeOnCompanyIDs: each company id is taken, or refused,
// alike by the full screen, the plain lines and app.ParseCompanyID; a
// taken one is saved as the number it reads.
func TestFrontEndsAgreeOnCompanyIDs(t *testing.T) {
	const fallback = "4264807" // what plain is given after a refusal, so that it ends
	g := captureFirstGuide()
	for _, id := range []string{"4264807", "+123", "-123", "0", "12x", "１２３", "9223372036854775808", " 123", "123 "} {
		t.Run(id, func(t *testing.T) {
			want, perr := app.ParseCompanyID(id)
			takes := perr == nil

			k := &apptest.Keeper{}
			d := newDriver(t, Options{Guides: []*steps.Guide{g}, GuideID: g.ID,
				Services: app.Services{Sessions: openStore(t), Keeper: k}}, 80, 24)
			d.typ("dmsa-client-1234").press("tab").typ(testSecret).press("tab").typ(id).press("enter")
			kept, _ := k.Snapshot()
			screen := len(kept) == 1
			if screen && kept[0].CompanyID != want {
				t.Errorf("the full screen saved company %d, want %d", kept[0].CompanyID, want)
			}

			k2 := &apptest.Keeper{}
			lines := walkPlain(t, g, app.Services{Sessions: openStore(t), Keeper: k2}, "id-1", testSecret, id, fallback, "n", "", "")
			kept2, _ := k2.Snapshot()
			if len(kept2) != 1 {
				t.Fatalf("plain saved %d credentials:\n%s", len(kept2), lines)
			}
			printed := strconv.FormatInt(kept2[0].CompanyID, 10) != fallback || id == fallback
			if printed && kept2[0].CompanyID != want {
				t.Errorf("plain saved company %d, want %d", kept2[0].CompanyID, want)
			}
			if screen != takes || printed != takes {
				t.Errorf("company id %q taken: full screen %t, plain %t, app %t (%v)\nscreen:\n%s\nplain:\n%s", id, screen, printed, takes, perr, d.text(), lines)
			}
		})
	}
}

// TestFrontEndsAgreeOnPassphraseLength: a passphrase's length is counted in
// characters, not bytes, by both front-ends, as app.CheckPassphrase counts
// it: 11 accented letters (22 bytes) are too short, 12 are enough.
func TestFrontEndsAgreeOnPassphraseLength(t *testing.T) {
	// After a refusal plain asks again: it is given the same passphrase
	// again and an empty line (both refused), then one that is enough.
	const enough = "a long passphrase"
	down := errors.New("no Secret Service is running on the D-Bus session bus")
	g := captureFirstGuide()
	for _, pass := range []string{strings.Repeat("é", app.MinPassphrase-1), strings.Repeat("é", app.MinPassphrase),
		strings.Repeat("日", app.MinPassphrase-1), strings.Repeat("x", app.MinPassphrase-1), strings.Repeat("x", app.MinPassphrase)} {
		t.Run(strconv.Itoa(len(pass))+"-bytes-"+strconv.Itoa(len([]rune(pass)))+"-characters", func(t *testing.T) {
			takes := app.CheckPassphrase(pass, pass) == nil

			k := (&apptest.Keeper{}).FailAlways(down)
			d := newDriver(t, Options{Guides: []*steps.Guide{g}, GuideID: g.ID,
				Services: app.Services{Sessions: openStore(t), Keeper: k}}, 80, 24)
			d.typ("dmsa-client-1234").press("tab").typ(testSecret).press("tab").typ("4264807").press("enter", "a")
			d.typ(pass).press("enter").typ(pass).press("enter", "enter")
			_, exported := k.Snapshot()
			p, ok := exported[k.DefaultExportPath()]
			screen := ok && p.Reveal() == pass

			k2 := (&apptest.Keeper{}).FailAlways(down)
			lines := walkPlain(t, g, app.Services{Sessions: openStore(t), Keeper: k2},
				"id-1", testSecret, "4264807", "n", "a", pass, pass, "", enough, enough, "", "", "")
			_, exported2 := k2.Snapshot()
			p2, ok2 := exported2[k2.DefaultExportPath()]
			if !ok2 {
				t.Fatalf("plain wrote no age file:\n%s", lines)
			}
			printed := p2.Reveal() == pass
			if screen != takes || printed != takes {
				t.Errorf("passphrase of %d characters taken: full screen %t, plain %t, app %t\nscreen:\n%s", len([]rune(pass)), screen, printed, takes, d.text())
			}
		})
	}
}
