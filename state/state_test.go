package state

import (
	"io/fs"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/steps"
)

func mode(t *testing.T, path string) fs.FileMode {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Mode().Perm()
}

func guide() *steps.Guide {
	return &steps.Guide{ID: "g", Title: "A guide", AccountModel: steps.DMSA, Steps: []steps.Step{
		{ID: "one", Kind: steps.KindInstruction, Title: "One", Checklist: []string{"Tick me", "And me"}},
		{ID: "form", Kind: steps.KindForm, Title: "Form", Fields: []steps.Field{
			{ID: "email", Label: "Email", Type: steps.FieldEmail},
			{ID: "api-secret", Label: "A secret a guide should not ask for", Type: steps.FieldText},
		}},
		{ID: "pw", Kind: steps.KindPassword, Title: "Password"},
		{ID: "grid", Kind: steps.KindMatrix, Title: "Grid", Matrix: &steps.Matrix{Rows: []string{"Job Cost"}, Columns: []string{"Can Import", "Can Export"}}},
	}}
}

func TestSessionRoundTrip(t *testing.T) {
	s, err := Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	g := guide()
	if got, err := s.LoadSession(g.ID); got != nil || err != nil {
		t.Fatalf("no session yet: got %v, %v", got, err)
	}
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w := steps.NewWalker(g, nil, func() time.Time { return now })
	w.Toggle(0)
	w.Toggle(1)
	if err := w.Next(); err != nil {
		t.Fatal(err)
	}
	w.SetValue("email", "sync@example.com")
	if err := s.SaveSession(w.Session); err != nil {
		t.Fatal(err)
	}
	if got := mode(t, s.Path("sessions/g.json")); got != 0o600 {
		t.Errorf("session file mode %v", got)
	}
	back, err := s.LoadSession(g.ID)
	if err != nil {
		t.Fatal(err)
	}
	if back.Step != 1 || back.Values["email"] != "sync@example.com" || !back.Checked["one"][1] {
		t.Errorf("round trip lost something: %+v", back)
	}
	if err := s.DeleteSession(g.ID); err != nil {
		t.Fatal(err)
	}
	if err := s.DeleteSession(g.ID); err != nil {
		t.Errorf("deleting twice: %v", err)
	}
	if got, _ := s.LoadSession(g.ID); got != nil {
		t.Error("session still there after delete")
	}
}

func TestLoadSessionRefusesOthers(t *testing.T) {
	s, _ := Open(t.TempDir())
	for name, body := range map[string]string{
		"broken": "{", "other": `{"version":1,"guide":"someone-else"}`, "future": `{"version":9,"guide":"future"}`,
	} {
		if err := s.WriteFile("sessions/"+name+".json", []byte(body)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.LoadSession(name); err == nil {
			t.Errorf("%s: loaded", name)
		}
	}
	for _, id := range []string{"../escape", "a/b", "", ".hidden"} {
		if err := s.SaveSession(&steps.Session{GuideID: id}); err == nil {
			t.Errorf("saved a session for guide id %q", id)
		}
	}
}

func TestTranscript(t *testing.T) {
	s, _ := Open(t.TempDir())
	g := guide()
	now := time.Date(2026, 11, 23, 10, 0, 0, 0, time.UTC)
	w := steps.NewWalker(g, nil, func() time.Time { return now })
	w.Toggle(0)
	w.Toggle(1)
	must(t, w.Next())
	w.SetValue("email", "sync@example.com")
	w.SetValue("api-secret", "hunter2-SECRET")
	must(t, w.Next())
	must(t, w.AcceptPassword("Sync3r!Passw0rd", "Sync3r!Passw0rd"))
	must(t, w.Next())
	w.ToggleCell(0, 1)
	must(t, w.Next())
	path, err := s.WriteTranscript(g, w.Session, now)
	if err != nil {
		t.Fatal(err)
	}
	if want := s.Path("transcripts/g-20261123T100000Z.md"); path != want {
		t.Errorf("path %s, want %s", path, want)
	}
	if got := mode(t, path); got != 0o600 {
		t.Errorf("transcript mode %v", got)
	}
	data, _ := os.ReadFile(path)
	text := string(data)
	for _, want := range []string{
		"# A guide", "## Step 1 of 4: One", "- [x] Tick me", "- [x] And me", "Completed 2026-11-23T10:00:00Z",
		"- Email: `sync@example.com`", "(withheld)", "A password meeting every rule was set",
		"| Job Cost |   | x |", "Finished: 2026-11-23T10:00:00Z",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("transcript lacks %q:\n%s", want, text)
		}
	}
	for _, leak := range []string{"hunter2", "Sync3r"} {
		if strings.Contains(text, leak) {
			t.Errorf("transcript holds %q", leak)
		}
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestAudit(t *testing.T) {
	s, _ := Open(t.TempDir())
	must(t, s.Audit(AuditEntry{Action: "save", Profile: "default", Detail: "guide dmsa"}))
	must(t, s.Audit(AuditEntry{Action: "delete", Profile: "default"}))
	data, err := os.ReadFile(s.Path("audit.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], `"action":"save"`) || !strings.Contains(lines[1], `"profile":"default"`) ||
		!strings.Contains(lines[0], `"user":"`) {
		t.Fatalf("audit log:\n%s", data)
	}
	if got := mode(t, s.Path("audit.jsonl")); got != 0o600 {
		t.Errorf("audit mode %v", got)
	}
}
