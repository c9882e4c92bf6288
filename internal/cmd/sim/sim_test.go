package sim_test

import (
	"bufio"
	"context"
	"io"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmd/root"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// TestSimCommand runs `procore-sa sim` on a free port and signs in to it
// with the credentials it prints, through the real client.
func TestSimCommand(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	go func() {
		var errb strings.Builder
		code := root.Execute(ctx, cmdtest.Factory(strings.NewReader(""), pw, &errb), []string{"sim", "--addr", "127.0.0.1:0", "--projects", "12"})
		pw.Close()
		done <- code
	}()
	vals := map[string]string{}
	sc := bufio.NewScanner(pr)
	for len(vals) < 12 && sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		vals[k] = v
	}
	for _, k := range []string{"login_url", "api_url", "company_id", "dmsa_client_id", "dmsa_client_secret",
		"dmsa_user_id", "dmsa_directory_admin", "admin_client_id", "admin_client_secret", "admin_login"} {
		if vals[k] == "" {
			t.Fatalf("sim printed no %s: %v", k, vals)
		}
	}
	env := procore.Environment{LoginURL: vals["login_url"], APIURL: vals["api_url"]}
	var company int64
	for _, r := range vals["company_id"] {
		company = company*10 + int64(r-'0')
	}
	c, err := procore.New(procore.Config{Env: env, CompanyID: company,
		Auth: procore.ClientCredentials(env, nil, vals["dmsa_client_id"], secret.New(vals["dmsa_client_secret"]))})
	if err != nil {
		t.Fatal(err)
	}
	facts, err := app.VerifyFacts(context.Background(), c)
	// By default the DMSA is no Directory Admin and is permitted no
	// project until an admin adds its user to some.
	if vals["dmsa_directory_admin"] != "false" {
		t.Errorf("dmsa_directory_admin: %q", vals["dmsa_directory_admin"])
	}
	if err != nil || len(facts) != 3 || !strings.Contains(facts[2], "0 active projects") {
		t.Fatalf("verify against the sim command: %v, %v", facts, err)
	}
	cancel()
	select {
	case code := <-done:
		if code != cmdutil.ExitInterrupted {
			t.Errorf("exit %d after interrupt, want %d", code, cmdutil.ExitInterrupted)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the simulator did not stop")
	}
}

func TestSimRefusesNonLoopback(t *testing.T) {
	if _, _, code := cmdtest.Run(t, "", "sim", "--addr", "0.0.0.0:7070"); code != cmdutil.ExitUsage {
		t.Fatalf("exit %d, want %d", code, cmdutil.ExitUsage)
	}
}

// TestSimCommandDirectoryAdminDMSA: --dmsa-directory-admin makes the DMSA a
// Directory Admin, says so in the output, and Procore's permission
// manifest agrees.
func TestSimCommandDirectoryAdminDMSA(t *testing.T) {
	pr, pw := io.Pipe()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		cmd := root.NewCmdRoot(cmdtest.Factory(strings.NewReader(""), pw, io.Discard))
		cmd.SetArgs([]string{"sim", "--addr", "127.0.0.1:0", "--projects", "3", "--dmsa-directory-admin"})
		_ = cmd.ExecuteContext(ctx) // ends with the interrupt
		pw.Close()
	}()
	vals := map[string]string{}
	sc := bufio.NewScanner(pr)
	for vals["dmsa_directory_admin"] == "" && sc.Scan() {
		k, v, _ := strings.Cut(sc.Text(), ": ")
		vals[k] = v
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()
	defer func() { cancel(); <-done }()
	if vals["dmsa_directory_admin"] != "true" {
		t.Fatalf("dmsa_directory_admin: %q", vals["dmsa_directory_admin"])
	}
	env := procore.Environment{LoginURL: vals["login_url"], APIURL: vals["api_url"]}
	company, _ := strconv.ParseInt(vals["company_id"], 10, 64)
	c, err := procore.New(procore.Config{Env: env, CompanyID: company,
		Auth: procore.ClientCredentials(env, nil, vals["dmsa_client_id"], secret.New(vals["dmsa_client_secret"]))})
	if err != nil {
		t.Fatal(err)
	}
	if ok, err := c.DirectoryAdmin(context.Background()); err != nil || !ok {
		t.Fatalf("DirectoryAdmin = %t, %v", ok, err)
	}
}
