package e2e

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"filippo.io/age"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/handover"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// storedDoc is the keychain's document of profile in the demo's service.
func storedDoc(t *testing.T, profile string) map[string]any {
	t.Helper()
	out, err := exec.Command("secret-tool", "lookup", "service", "procore-sa-demo", "username", profile).Output()
	if err != nil {
		t.Fatalf("secret-tool lookup %s: %v", profile, err)
	}
	var doc map[string]any
	if err := json.Unmarshal(out, &doc); err != nil {
		t.Fatalf("the keychain entry of %s is not a document: %v", profile, err)
	}
	return doc
}

// allDemoEntries is what the demo's keychain service holds for profile
// and the profiles beside it, as secret-tool prints it.
func allDemoEntries(t *testing.T, profile string) string {
	t.Helper()
	out, _ := exec.Command("secret-tool", "search", "--all", "--unlock", "service", "procore-sa-demo").CombinedOutput()
	// Only this test's profile and any saved beside it: tests of other
	// packages keep the demo's (deterministic) credential in the same
	// keychain at the same time.
	var mine []string
	for _, item := range strings.Split(string(out), "\n[") {
		for _, line := range strings.Split(item, "\n") {
			if u, ok := strings.CutPrefix(line, "attribute.username = "); ok && (u == profile || strings.HasPrefix(u, profile+"-")) {
				mine = append(mine, item)
			}
		}
	}
	if len(mine) == 0 {
		t.Fatalf("the keychain has no entry for profile %s:\n%s", profile, out)
	}
	return strings.Join(mine, "\n[")
}

// runBinary runs the binary outside a terminal, in home's state and config
// directories, with stdin, and fails unless it exits 0.
func runBinary(t *testing.T, home, stdin string, args ...string) {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(home, "state"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	cmd.Stdin = strings.NewReader(stdin)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("procore-sa %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// inScrollback fails unless the terminal's whole scrollback holds each of
// want (a command that has ended).
func (tm *term) inScrollback(want ...string) {
	tm.t.Helper()
	sb := tm.tmux("capture-pane", "-p", "-J", "-S", "-", "-t", "e2e")
	for _, w := range want {
		if !strings.Contains(sb, w) {
			tm.t.Fatalf("the scrollback lacks %q:\n%s", w, sb)
		}
	}
}

// leave ends a wizard that is not holding a secret: ctrl+c, and yes when
// it asks.
func (tm *term) leave() {
	tm.t.Helper()
	tm.press("ctrl+c")
	deadline := time.Now().Add(3 * time.Second)
	for time.Now().Before(deadline) {
		if s := tm.screen(); strings.Contains(s, "Leave the guide?") {
			tm.press("y")
			return
		}
		if b, err := os.ReadFile(tm.exit); err == nil && len(b) > 0 {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestHandoverImportRotateLeakNowhere takes a demo credential through the
// three commands in a real terminal, and looks for its secrets (the old
// one, the new one, the export's passphrase) everywhere they must never be:
// every file of the run, the scrollback, stderr and every process's
// command line.
//
//  1. secret import of a passphrase export (passphrase typed at a hidden
//     prompt): proved, then kept in the keychain.
//  2. secret handover to an age key: the age command decrypts it to the
//     documented fields.
//  3. rotate with a new secret Procore refuses: the old one stays stored.
//  4. rotate with the simulator's reset secret: while it is typed the
//     keychain still holds the old one; once proved, only the new one is
//     stored, and Procore accepts it (the verify step); the capture
//     screen's hand-over writes it for the vendor's age key.
func TestHandoverImportRotateLeakNowhere(t *testing.T) {
	needTmux(t)
	needKeychain(t)
	for _, tool := range []string{"age", "secret-tool"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Fatalf("%s is needed (scripts/test installs it)", tool)
		}
	}
	fx := sim.New(sim.Config{Seed: 1}).Fixtures() // the demo's simulator
	old := fx.DMSAClientSecret
	profile := fmt.Sprintf("rot-%d", os.Getpid())
	t.Cleanup(func() {
		_ = exec.Command("secret-tool", "clear", "service", "procore-sa-demo", "username", profile).Run()
	})
	home := t.TempDir()
	const pass = "correct horse battery staple"
	secrets := []string{old, pass}

	// 1. Import a passphrase export of the demo's app, written by the
	// binary itself (scrypt is slow in a race-built test): kept first from
	// a handover to a key of ours, exported, and deleted.
	export := filepath.Join(home, "demo-export.age")
	cred := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "demo", CompanyID: fx.CompanyID,
		ClientID: fx.DMSAClientID, ClientSecret: secret.New(old), Guide: "dmsa", CreatedAt: time.Now().Add(-200 * 24 * time.Hour)}
	ours, _ := age.GenerateX25519Identity()
	ourKey := filepath.Join(home, "ours.key")
	os.WriteFile(ourKey, []byte(ours.String()+"\n"), 0o600)
	r, err := handover.ParseRecipient(ours.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	payload, err := handover.NewPayload("theirs", cred, procore.Environment{Name: "demo"}, time.Now()).Encode()
	if err != nil {
		t.Fatal(err)
	}
	incoming := filepath.Join(home, "incoming.age")
	if err := handover.Write(incoming, []handover.Recipient{r}, false, payload); err != nil {
		t.Fatal(err)
	}
	runBinary(t, home, "", "--demo", "--profile", profile, "secret", "import", incoming, "--identity", ourKey)
	runBinary(t, home, pass+"\n"+pass+"\n", "--demo", "secret", "export", profile, "--to", export)
	runBinary(t, home, "", "--demo", "secret", "delete", profile, "--yes")
	stderr := filepath.Join(home, "stderr-import")
	tm := newTerm(t, home, 110, 30, "--demo", "--profile", profile, "secret", "import", export, "2>"+stderr)
	waitFile(t, stderr, "Passphrase of")
	tm.do(walkthrough.Action{Text: pass})
	checkNone(t, secrets...)
	tm.press("enter")
	if c := tm.exitCode(); c != "0" {
		b, _ := os.ReadFile(stderr)
		t.Fatalf("import: exit %s\n%s\n%s", c, b, tm.screen())
	}
	tm.inScrollback("Procore accepted it", `Kept as profile "`+profile+`"`)
	noneOf(t, tm, home, stderr, nil, secrets...)
	if doc := storedDoc(t, profile); doc["client_secret"] != old {
		t.Fatal("the import did not keep the exported secret")
	}

	// 2. Hand it over to an age key; the age command reads it.
	id, _ := age.GenerateX25519Identity()
	keyFile := filepath.Join(home, "vendor.key")
	os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600)
	out := filepath.Join(home, "handover.age")
	stderr = filepath.Join(home, "stderr-handover")
	tm = newTerm(t, home, 110, 30, "--demo", "secret", "handover", profile, "--to", id.Recipient().String(), "--out", out, "--armor", "2>"+stderr)
	if c := tm.exitCode(); c != "0" {
		b, _ := os.ReadFile(stderr)
		t.Fatalf("handover: exit %s\n%s\n%s", c, b, tm.screen())
	}
	tm.inScrollback("age -d -i")
	noneOf(t, tm, home, stderr, nil, secrets...)
	plain, err := exec.Command("age", "-d", "-i", keyFile, out).Output()
	if err != nil {
		t.Fatalf("age -d: %v", err)
	}
	for _, want := range []string{"PROCORE_CLIENT_ID=" + fx.DMSAClientID + "\n", "PROCORE_CLIENT_SECRET=" + old + "\n",
		"PROCORE_COMPANY_ID=" + strconv.FormatInt(fx.CompanyID, 10) + "\n", "PROCORE_ENVIRONMENT=demo\n", "PROCORE_API_URL=http://127.0.0.1:"} {
		if !bytes.Contains(plain, []byte(want)) {
			t.Errorf("the handover lacks %q", strings.ReplaceAll(want, old, "[secret]"))
		}
	}
	audit, _ := os.ReadFile(filepath.Join(home, "state", "procore-sa", "demo", "audit.jsonl"))
	if !bytes.Contains(audit, []byte(`"action":"handover"`)) || !bytes.Contains(audit, []byte(out)) {
		t.Errorf("the handover is not in the audit log:\n%s", audit)
	}

	// 3. A new secret that Procore refuses leaves the old one stored.
	stderr = filepath.Join(home, "stderr-rotate-refused")
	tm = newTerm(t, home, 110, 34, "--demo", "rotate", profile, "2>"+stderr)
	rotateToCapture(tm)
	wrong := "WRONGNEWSECRET-5e6f7a8b9c0d"
	secrets = append(secrets, wrong)
	tm.do(walkthrough.Action{Text: fx.DMSAClientID}, walkthrough.Action{Key: "tab"}, walkthrough.Action{Text: wrong},
		walkthrough.Action{Key: "tab"}, walkthrough.Action{Text: strconv.FormatInt(fx.CompanyID, 10)})
	checkNone(t, secrets...)
	tm.press("enter")
	tm.waitFor("Procore refused the client ID and secret")
	if doc := storedDoc(t, profile); doc["client_secret"] != old {
		t.Fatal("a refused secret replaced the stored one")
	}
	tm.press("esc")
	tm.waitFor("Type discard")
	tm.do(walkthrough.Action{Text: "discard"})
	tm.press("enter")
	tm.waitFor("Step 2 of 4")
	tm.leave()
	if c := tm.exitCode(); c != "1" {
		b, _ := os.ReadFile(stderr)
		t.Fatalf("a rotation left unfinished: exit %s, want 1\n%s", c, b)
	}
	if b, _ := os.ReadFile(stderr); !bytes.Contains(b, []byte("the stored secret works now")) || !bytes.Contains(b, []byte("still holds the old secret")) {
		t.Errorf("stderr does not say the old secret works and stays:\n%s", b)
	}
	noneOf(t, tm, home, stderr, nil, secrets...)
	if doc := storedDoc(t, profile); doc["client_secret"] != old {
		t.Fatal("the old secret is not stored after a refused rotation")
	}

	// 4. The simulator's reset secret: old kept until the new is proved,
	// then only the new one is stored.
	before := storedDoc(t, profile)
	stderr = filepath.Join(home, "stderr-rotate")
	// HOME is the test's: the hand-over's file goes there.
	tm = newTermHome(t, home, 110, 34, "--demo", "rotate", profile, "2>"+stderr)
	rotateToCapture(tm)
	tm.press("C-o")
	tm.waitFor("Filled in with the simulator's app")
	if doc := storedDoc(t, profile); doc["client_secret"] != old {
		t.Fatal("the old secret left the keychain before the new one was proved")
	}
	tm.press("enter")
	tm.waitFor("Press enter to keep it and continue")
	// The new secret goes to the vendor, encrypted to their key.
	tm.waitFor("to hand it over to the vendor")
	tm.press("a")
	tm.waitFor("Public key:")
	tm.do(walkthrough.Action{Text: id.Recipient().String()})
	tm.press("enter")
	tm.waitFor("Key: age SHA256:")
	tm.press("y")
	tm.waitFor("Written to")
	tm.press("enter")
	tm.waitFor("Handed over to the vendor in")
	tm.press("enter")
	tm.waitFor("Step 4 of 4")
	tm.press("enter")
	tm.waitFor("The credential works")
	tm.press("enter")
	tm.waitFor("Press enter to exit")
	tm.press("enter")
	if c := tm.exitCode(); c != "0" {
		b, _ := os.ReadFile(stderr)
		t.Fatalf("rotate: exit %s\n%s\n%s", c, b, tm.screen())
	}
	doc := storedDoc(t, profile)
	fresh, _ := doc["client_secret"].(string)
	if fresh == "" || fresh == old || doc["client_id"] != fx.DMSAClientID || doc["guide"] != before["guide"] {
		t.Fatalf("after the rotation the profile holds client ID %v, guide %v, a new secret: %v", doc["client_id"], doc["guide"], fresh != old)
	}
	if strings.Contains(allDemoEntries(t, profile), old) {
		t.Fatal("the old secret is still in the keychain after the new one was proved")
	}
	secrets = append(secrets, fresh)
	handed, _ := filepath.Glob(filepath.Join(home, "procore-sa-"+profile+"-handover-*.age"))
	if len(handed) != 1 {
		t.Fatalf("hand-over files %v", handed)
	}
	if plain, err := exec.Command("age", "-d", "-i", keyFile, handed[0]).Output(); err != nil || !bytes.Contains(plain, []byte("PROCORE_CLIENT_SECRET="+fresh+"\n")) {
		t.Fatalf("the wizard's hand-over does not hold the new secret: %v", err)
	}
	noneOf(t, tm, home, stderr, nil, secrets...)
	audit, _ = os.ReadFile(filepath.Join(home, "state", "procore-sa", "demo", "audit.jsonl"))
	for _, want := range []string{"refused by Procore; the stored one is unchanged", "proved with its own token", "the old secret is removed"} {
		if !bytes.Contains(audit, []byte(want)) {
			t.Errorf("the audit log lacks %q", want)
		}
	}
	rotations, err := os.ReadFile(filepath.Join(home, "state", "procore-sa", "demo", "rotations.json"))
	if err != nil || !bytes.Contains(rotations, []byte(profile)) {
		t.Errorf("the rotation is not recorded for status: %v %s", err, rotations)
	}
	checkModes(t, filepath.Join(home, "state", "procore-sa"))
}

// newTermHome is newTerm with HOME set to home too, for what the binary
// writes to the home directory by default.
func newTermHome(t *testing.T, home string, w, h int, args ...string) *term {
	t.Helper()
	needTmux(t)
	tm := &term{t: t, socket: fmt.Sprintf("procore-sa-e2e-%d-%d", os.Getpid(), time.Now().UnixNano()), home: home}
	tm.exit = filepath.Join(home, "exit-code")
	os.Remove(tm.exit)
	shell := fmt.Sprintf("env -u NO_COLOR TERM=xterm-256color HOME=%q XDG_STATE_HOME=%q XDG_CONFIG_HOME=%q %q %s; echo $? > %q",
		home, filepath.Join(home, "state"), filepath.Join(home, "config"), binary, strings.Join(args, " "), tm.exit)
	tm.tmux("-f", "/dev/null", "new-session", "-d", "-s", "e2e", "-x", fmt.Sprint(w), "-y", fmt.Sprint(h), shell,
		";", "set-option", "-w", "-t", "e2e", "remain-on-exit", "on")
	t.Cleanup(func() { _ = exec.Command("tmux", "-L", tm.socket, "kill-server").Run() })
	return tm
}

// rotateToCapture goes through the rotation's first two steps (the old
// secret's fate, the Developer Portal's four steps) to its capture.
func rotateToCapture(tm *term) {
	tm.t.Helper()
	tm.waitFor("Step 1 of 4")
	tm.waitFor("Resetting the client secret in the Developer Portal")
	tm.press("enter")
	tm.waitFor("Step 2 of 4")
	for range 4 {
		tm.press("space", "down") // a tick stays on its item
	}
	tm.press("enter")
	tm.waitFor("Step 3 of 4")
}
