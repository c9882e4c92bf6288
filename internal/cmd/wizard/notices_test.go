package wizard_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/colorprofile"
	"github.com/charmbracelet/x/exp/teatest/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/state"
	"github.com/procore-sa/procore-sa/steps"
	"github.com/procore-sa/procore-sa/tui"
)

// syncBuffer is a stderr that the program's goroutines may write to.
type syncBuffer struct {
	mu chan struct{}
	b  bytes.Buffer
}

func newSyncBuffer() *syncBuffer { return &syncBuffer{mu: make(chan struct{}, 1)} }

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu <- struct{}{}
	defer func() { <-s.mu }()
	return s.b.String()
}

// TestAuditFailureShownOnTheFullScreen: a capture in the full-screen
// wizard whose audit log cannot be written (here a directory where the
// file should be; a full disk is the same path) says so in the screen's
// status line, writes nothing under the screen while it is up, and says it
// again on stderr once the screen is gone.
func TestAuditFailureShownOnTheFullScreen(t *testing.T) {
	cmdtest.Env(t)
	st, err := state.Open(filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(st.Path("audit.jsonl"), 0o700); err != nil {
		t.Fatal(err)
	}
	stderr := newSyncBuffer()
	a := cmdtest.Factory(strings.NewReader(""), &bytes.Buffer{}, stderr)
	a.Flags.Profile = "default"
	creds := credstore.NewStore("procore-sa-test")
	creds.Keyring = &credstore.MemoryKeyring{}
	g := &steps.Guide{ID: "g", Title: "Capture", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "capture", Kind: steps.KindCredential, Title: "Capture", Body: "Paste them."},
		{ID: "after", Kind: steps.KindInstruction, Title: "After", Checklist: []string{"Done"}},
	}}
	a.Credentials = creds
	a.Start()
	keeper, err := a.App().Keeper()
	if err != nil {
		t.Fatal(err)
	}
	m := tui.New(tui.Options{Guides: []*steps.Guide{g}, GuideID: g.ID, Services: app.Services{Keeper: keeper}})
	tm := teatest.NewTestModel(t, m, teatest.WithInitialTermSize(100, 30),
		teatest.WithProgramOptions(tea.WithColorProfile(colorprofile.Ascii)))
	a.Notices.Begin(func(msg string) { tm.Send(tui.NoticeMsg{Text: msg}) }) // as runWizard does with the program's Send
	shows := func(text string) {
		t.Helper()
		teatest.WaitFor(t, tm.Output(), func(b []byte) bool { return bytes.Contains(b, []byte(text)) },
			teatest.WithDuration(5*time.Second))
	}
	shows("Client secret")
	tm.Type("dmsa-client-1")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type("a-secret-for-the-test")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Type("42")
	tm.Send(tea.KeyPressMsg{Code: tea.KeyTab})
	tm.Send(tea.KeyPressMsg{Code: tea.KeySpace, Text: " "}) // do not prove it: no Procore here
	tm.Send(tea.KeyPressMsg{Code: tea.KeyEnter})
	shows("could not write the audit log")
	if s := stderr.String(); s != "" {
		t.Fatalf("written under the full screen: %q", s)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	tm.WaitFinished(t, teatest.WithFinalTimeout(5*time.Second))
	a.Notices.End(stderr)
	if s := stderr.String(); !strings.Contains(s, "procore-sa: could not write the audit log:") || !strings.Contains(s, st.Path("audit.jsonl")) {
		t.Fatalf("not said again once the screen was gone: %q", s)
	}
}
