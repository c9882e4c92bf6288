package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/steps"
)

// canary is the recognisable secret typed into the capture screen.
const canary = "LEAKCANARY-7f3a9c1e5b2d-QUOKKA"

// TestSecretLeaksNowhere walks the dmsa guide in a real terminal, typing a
// recognisable client secret at the capture step, and then looks for it
// everywhere it must never be: the state and config directories (the
// audit log and the transcript among them), the terminal's whole
// scrollback, every process's command line, and stderr. It must be in the
// keychain, and only there.
func TestSecretLeaksNowhere(t *testing.T) {
	home := t.TempDir()
	// A guide of the person's own, so that no later step needs the secret
	// to be one the simulator knows.
	dir := filepath.Join(home, "config", "procore-sa", "guides")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "leak.yaml"), []byte(leakGuide), 0o600); err != nil {
		t.Fatal(err)
	}
	g, problems := steps.LoadFile(filepath.Join(dir, "leak.yaml"))
	if problems != nil {
		t.Fatal(problems)
	}
	stderr := filepath.Join(home, "stderr")
	tm := newTerm(t, home, 100, 30, "--demo", "--profile", "leaktest", g.ID, "2>"+stderr)
	o := demoRun()
	o.Capture.Secret, o.Capture.NoProve = canary, true
	for _, st := range walkthrough.ScriptWith(g, o) {
		tm.waitFor(fmt.Sprintf("Step %d of %d", st.Index+1, len(g.Steps)))
		tm.do(st.Actions...)
		if st.Title == "Capture the client ID and secret" || st.Index == len(g.Steps)-1 {
			checkCmdlines(t)
		}
	}
	tm.waitFor("Press enter to exit")
	checkCmdlines(t)
	scrollback := tm.tmux("capture-pane", "-p", "-S", "-", "-t", "e2e")
	tm.press("enter")
	if code := tm.exitCode(); code != "0" {
		t.Fatalf("exit code %s", code)
	}
	if strings.Contains(scrollback, canary) || strings.Contains(scrollback, canary[:12]) {
		t.Fatal("the secret is in the terminal's scrollback")
	}
	if b, _ := os.ReadFile(stderr); bytes.Contains(b, []byte(canary)) {
		t.Fatal("the secret is on stderr")
	}
	files := 0
	for _, dir := range []string{filepath.Join(home, "state"), filepath.Join(home, "config")} {
		_ = filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
			if err != nil || info.IsDir() {
				return nil
			}
			files++
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(canary)) {
				t.Errorf("the secret is in %s", path)
			}
			return nil
		})
	}
	audit, _ := os.ReadFile(filepath.Join(home, "state", "procore-sa", "demo", "audit.jsonl"))
	transcripts, _ := filepath.Glob(filepath.Join(home, "state", "procore-sa", "demo", "transcripts", "*.md"))
	if len(transcripts) != 1 {
		t.Fatalf("transcripts: %v", transcripts)
	}
	keychainOnly := os.Getenv("PROCORE_SA_KEYRING_READY") == "1"
	if keychainOnly {
		if !bytes.Contains(audit, []byte(`"action":"save"`)) {
			t.Errorf("the save is not in the audit log:\n%s", audit)
		}
		out, err := exec.Command("secret-tool", "lookup", "service", "procore-sa-demo", "username", "leaktest").Output()
		if err != nil || !bytes.Contains(out, []byte(canary)) {
			t.Errorf("the secret is not in the keychain: %v", err)
		}
		_ = exec.Command("secret-tool", "clear", "service", "procore-sa-demo", "username", "leaktest").Run()
	}
	if files < 2 { // the audit log and the transcript at least
		t.Fatalf("only %d files looked at", files)
	}
}

const leakGuide = `id: leak-check
title: Leak check
account_model: dmsa
steps:
  - id: intro
    kind: notice
    title: Before
    body: A capture, then one more step.
  - id: capture
    kind: credential_capture
    title: Capture the client ID and secret
    body: Paste them.
  - id: after
    kind: instruction
    title: After
    checklist: [Done]
`

// checkCmdlines looks for the secret in every process's arguments.
func checkCmdlines(t *testing.T) {
	t.Helper()
	procs, _ := filepath.Glob("/proc/[0-9]*/cmdline")
	if len(procs) == 0 {
		t.Skip("no /proc here")
	}
	for _, p := range procs {
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(b, []byte(canary)) {
			t.Fatalf("the secret is on the command line of %s: %q", p, b)
		}
	}
}
