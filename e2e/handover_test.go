package e2e

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
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

// TestPlainRotationHandsOverAtATerminal rotates a demo credential at the
// plain line prompts of a real terminal and, once the new secret is kept,
// takes the offer to hand it to the vendor: their age key pasted, its
// fingerprint shown, the file written. The age command reads the new
// secret from it; the secret is nowhere else but the keychain.
func TestPlainRotationHandsOverAtATerminal(t *testing.T) {
	needTmux(t)
	needKeychain(t)
	fx := sim.New(sim.Config{Seed: 1}).Fixtures()
	profile := fmt.Sprintf("plainrot-%d", os.Getpid())
	t.Cleanup(func() {
		_ = exec.Command("secret-tool", "clear", "service", "procore-sa-demo", "username", profile).Run()
	})
	home := t.TempDir()
	// The credential arrives as a handover to our own age key, imported
	// with that key (a passphrase export is the other test's).
	ours, _ := age.GenerateX25519Identity()
	ourKey := filepath.Join(home, "ours.key")
	os.WriteFile(ourKey, []byte(ours.String()+"\n"), 0o600)
	r, err := handover.ParseRecipient(ours.Recipient().String())
	if err != nil {
		t.Fatal(err)
	}
	cred := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "demo", CompanyID: fx.CompanyID,
		ClientID: fx.DMSAClientID, ClientSecret: secret.New(fx.DMSAClientSecret), Guide: "dmsa", CreatedAt: time.Now()}
	payload, err := handover.NewPayload("theirs", cred, procore.Environment{Name: "demo", APIURL: "http://127.0.0.1:1", LoginURL: "http://127.0.0.1:1"}, time.Now()).Encode()
	if err != nil {
		t.Fatal(err)
	}
	incoming := filepath.Join(home, "incoming.age")
	if err := handover.Write(incoming, []handover.Recipient{r}, false, payload); err != nil {
		t.Fatal(err)
	}
	imp := exec.Command(binary, "--demo", "--profile", profile, "secret", "import", incoming, "--identity", ourKey)
	imp.Env = append(os.Environ(), "XDG_STATE_HOME="+filepath.Join(home, "state"), "XDG_CONFIG_HOME="+filepath.Join(home, "config"))
	if out, err := imp.CombinedOutput(); err != nil || !bytes.Contains(out, []byte("Procore accepted it")) {
		t.Fatalf("import: %v\n%s", err, out)
	}

	id, _ := age.GenerateX25519Identity()
	keyFile := filepath.Join(home, "vendor.key")
	os.WriteFile(keyFile, []byte(id.String()+"\n"), 0o600)
	stderr := filepath.Join(home, "stderr")
	tm := newTerm(t, home, 120, 40, "--demo", "--plain", "rotate", profile, "2>"+stderr)
	line := func(s string) { tm.do(walkthrough.Action{Text: s}); tm.press("enter") }
	tm.waitFor("Press enter to continue")
	line("")
	for i := 1; i <= 4; i++ {
		tm.waitFor(fmt.Sprintf("Item %d of 4", i))
		line("y")
	}
	tm.waitFor("Client ID")
	line("demo")
	tm.waitFor("Check them with Procore before saving?")
	line("")
	tm.waitFor("Paste their key")
	line(id.Recipient().String())
	tm.waitFor("The vendor's key: age SHA256:")
	tm.waitFor("(or b to give another key)")
	out := filepath.Join(home, "vendor-handover.age")
	line(out)
	tm.waitFor("Written: ")
	tm.waitFor("Step 4 of 4")
	line("")
	if c := tm.exitCode(); c != "0" {
		b, _ := os.ReadFile(stderr)
		t.Fatalf("rotate: exit %s\n%s\n%s", c, b, tm.screen())
	}
	doc := storedDoc(t, profile)
	fresh, _ := doc["client_secret"].(string)
	if fresh == "" || fresh == fx.DMSAClientSecret {
		t.Fatal("the profile does not hold a new secret")
	}
	if fi, err := os.Stat(out); err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("the handover file: %v %v", fi, err)
	}
	plain, err := exec.Command("age", "-d", "-i", keyFile, out).Output()
	if err != nil || !bytes.Contains(plain, []byte("PROCORE_CLIENT_SECRET="+fresh+"\n")) {
		t.Fatalf("the handover does not hold the new secret: %v", err)
	}
	noneOf(t, tm, home, stderr, nil, fx.DMSAClientSecret, fresh)
}
