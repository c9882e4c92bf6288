package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestPlainWizardKeepsCapturedCredentials walks the DMSA guide in plain
// mode up to its capture step and past it: the plain wizard must have the
// same keeper as the full-screen one (the keychain, read back), and the
// secret must appear on no output and in no state file.
func TestPlainWizardKeepsCapturedCredentials(t *testing.T) {
	guidesEnv(t)
	const canary = "plain-canary-5ecret-7Qx"
	answers := []string{
		"",                      // 1 notice
		"y", "y", "y", "y", "y", // 2 checklist
		"Acme Sync", "", "", // 3 form
		"y", "y", "y", // 4 checklist
		"y", "y", "y", "y", // 5 matrix
		"",            // 6 form
		"y", "y", "y", // 7 checklist
		"acme-client", canary, "1234", "n", // 8 capture, saved without checking
		"q",
	}
	out, errOut, code := runWithInput(t, strings.Join(answers, "\n")+"\n",
		"--demo", "--plain", "--profile", "plain-test", "dmsa")
	if code != exitOK {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, out, errOut)
	}
	for _, want := range []string{"Step 8 of 10", "The secret is never shown", "and read back.", "Step 9 of 10"} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	if strings.Contains(out+errOut, canary) {
		t.Fatal("the client secret reached the output")
	}
	state := os.Getenv("XDG_STATE_HOME")
	filepath.WalkDir(state, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		if b, _ := os.ReadFile(p); strings.Contains(string(b), canary) {
			t.Errorf("the client secret is in %s", p)
		}
		return nil
	})
}
