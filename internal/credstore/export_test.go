package credstore

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/secret"
)

// TestAgeFileDecryptsWithAgeTool writes a file and decrypts it with the
// age command (Debian package age). age reads a passphrase only from a
// terminal, so script(1) gives it one.
const recognisable = "s3cr3t-QUOKKA-77"

func TestAgeFileDecryptsWithAgeTool(t *testing.T) {
	for _, tool := range []string{"age", "script"} {
		if _, err := exec.LookPath(tool); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is not installed; scripts/test installs it", tool)
			}
			t.Skipf("%s is not installed", tool)
		}
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "cred.age")
	pass := secret.New("correct horse battery staple")
	doc := []byte(`{"version":1,"kind":"client_credentials","client_secret":"` + recognisable + `"}`)
	if err := WriteAgeFile(path, pass, doc); err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(path)
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("file mode: %v, %v", fi, err)
	}
	raw, _ := os.ReadFile(path)
	if bytes.Contains(raw, []byte(recognisable)) {
		t.Fatal("the file holds the secret in plain text")
	}
	if err := WriteAgeFile(path, pass, doc); err == nil || !strings.Contains(err.Error(), "already exists") {
		t.Fatalf("overwrote an existing file: %v", err)
	}
	if err := WriteAgeFile(filepath.Join(dir, "short.age"), secret.New("short"), doc); err == nil {
		t.Fatal("accepted a short passphrase")
	}
	out := filepath.Join(dir, "plain.json")
	cmd := exec.Command("script", "-qec", "age -d -o "+out+" "+path, "/dev/null")
	cmd.Stdin = strings.NewReader(pass.Reveal() + "\n")
	done := make(chan error, 1)
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("age -d: %v\n%s", err, log.String())
		}
	case <-time.After(30 * time.Second):
		cmd.Process.Kill()
		t.Fatalf("age -d did not finish:\n%s", log.String())
	}
	got, err := os.ReadFile(out)
	if err != nil || !bytes.Equal(got, doc) {
		t.Fatalf("decrypted %q, %v; want %q", got, err, doc)
	}
}
