package completion_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmd/completion"
	"github.com/procore-sa/procore-sa/internal/cmd/root"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// guidesBuiltinIDs is the built-in guides in their fixed order.
var guidesBuiltinIDs = []string{"spectrum", "syncezy", "laborchart", "hammertech", "admin-helper", "dmsa"}

const guidesTestGuide = `id: my-guide
title: My own guide
account_model: dmsa
steps:
  - id: read
    kind: notice
    title: Read this first
    body: A guide of my own.
`

// answer is what cobra's hidden __complete command answered: the
// candidates (without their descriptions) and the directive.
type answer struct {
	items     []string
	directive cobra.ShellCompDirective
}

// completeOn runs 'procore-sa __complete ARGS...' on a, as a shell does at
// a tab (the last argument is the word being completed).
func completeOn(t *testing.T, a *cmdutil.Factory, args ...string) answer {
	t.Helper()
	var out, errb strings.Builder
	a.IOStreams.Out, a.IOStreams.ErrOut = &out, &errb
	cmd := root.NewCmdRoot(a)
	cmd.SetArgs(append([]string{cobra.ShellCompRequestCmd}, args...))
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	if err := cmd.Execute(); err != nil {
		t.Fatalf("__complete %q: %v", args, err)
	}
	lines := strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n")
	last := lines[len(lines)-1]
	d, err := strconv.Atoi(strings.TrimPrefix(last, ":"))
	if !strings.HasPrefix(last, ":") || err != nil {
		t.Fatalf("__complete %q: no directive line in %q", args, out.String())
	}
	var items []string
	for _, l := range lines[:len(lines)-1] {
		items = append(items, strings.SplitN(l, "\t", 2)[0])
	}
	return answer{items, cobra.ShellCompDirective(d)}
}

func complete(t *testing.T, args ...string) answer {
	t.Helper()
	return completeOn(t, cmdtest.Factory(strings.NewReader(""), nil, nil), args...)
}

func (c answer) noFiles() bool {
	return c.directive&cobra.ShellCompDirectiveNoFileComp != 0
}

func TestCompleteGuideIDs(t *testing.T) {
	dir := cmdtest.Env(t)
	cmdtest.WriteFile(t, dir, "mine.yaml", guidesTestGuide)
	want := append(slices.Clone(guidesBuiltinIDs), "my-guide")

	// The root's GUIDE: the guide ids beside the commands.
	c := complete(t, "")
	for _, id := range append(slices.Clone(want), "guides", "secret", "version") {
		if !slices.Contains(c.items, id) {
			t.Errorf("procore-sa <TAB> lacks %q: %v", id, c.items)
		}
	}
	if !c.noFiles() {
		t.Errorf("procore-sa <TAB> allows files: %v", c.directive)
	}
	// The root takes one guide: nothing after it.
	if c := complete(t, "dmsa", ""); len(c.items) != 0 || !c.noFiles() {
		t.Errorf("procore-sa dmsa <TAB> = %+v", c)
	}
	if c := complete(t, "guides", "show", ""); !slices.Equal(c.items, want) || !c.noFiles() {
		t.Errorf("guides show <TAB> = %+v, want %v", c, want)
	}

	// --guide on every command that takes it, in both spellings.
	n := 0
	for path, cmd := range cmdtest.AllCommands(cmdtest.Tree(t)) {
		if cmd.Flags().Lookup("guide") == nil {
			continue
		}
		n++
		args := strings.Fields(path)
		if c := complete(t, append(args, "--guide", "")...); !slices.Equal(c.items, want) || !c.noFiles() {
			t.Errorf("%s --guide <TAB> = %+v, want %v", path, c, want)
		}
		// --guide=<TAB>: cobra answers the bare values; the shell keeps the prefix.
		if c := complete(t, append(args, "--guide=")...); !slices.Equal(c.items, want) {
			t.Errorf("%s --guide=<TAB> = %v, want %v", path, c.items, want)
		}
	}
	if n < 2 {
		t.Errorf("only %d commands take --guide", n)
	}
}

// TestCompleteEnv: --env offers exactly the environments that --env
// accepts, on the root and under any command.
func TestCompleteEnv(t *testing.T) {
	cmdtest.Env(t)
	for _, args := range [][]string{{"--env", ""}, {"verify", "--env", ""}, {"add-all", "--user", "1", "--env", ""}} {
		c := complete(t, args...)
		if !slices.Equal(c.items, []string{"production", "sandbox", "monthly"}) || !c.noFiles() {
			t.Errorf("%v = %+v", args, c)
		}
		for _, e := range c.items {
			if _, err := procore.EnvironmentNamed(e); err != nil {
				t.Errorf("--env offers %q, which it refuses: %v", e, err)
			}
		}
	}
}

func TestCompleteFormat(t *testing.T) {
	cmdtest.Env(t)
	n := 0
	for path, cmd := range cmdtest.AllCommands(cmdtest.Tree(t)) {
		if cmd.Flags().Lookup("format") == nil {
			continue
		}
		n++
		c := complete(t, append(strings.Fields(path), "dmsa", "--format", "")...)
		if !slices.Equal(c.items, steps.Formats) || !c.noFiles() {
			t.Errorf("%s --format <TAB> = %+v, want %v", path, c, steps.Formats)
		}
	}
	if n == 0 {
		t.Error("no command takes --format")
	}
}

// blockingKeyring never answers, as a locked keychain whose unlock prompt
// nobody sees.
type blockingKeyring struct{ release chan struct{} }

func (k blockingKeyring) Get(string, string) (string, error) {
	<-k.release
	return "", errors.New("late")
}
func (k blockingKeyring) Set(string, string, string) error { <-k.release; return errors.New("late") }
func (k blockingKeyring) Delete(string, string) error      { <-k.release; return errors.New("late") }

type failingKeyring struct{}

func (failingKeyring) Get(string, string) (string, error) { return "", errors.New("no bus") }
func (failingKeyring) Set(string, string, string) error   { return errors.New("no bus") }
func (failingKeyring) Delete(string, string) error        { return errors.New("no bus") }

// TestCompleteProfiles: --profile, secret delete and secret export offer
// the profiles of the keychain's index (the demo's under --demo), and
// nothing, quickly, when the keychain fails or does not answer.
func TestCompleteProfiles(t *testing.T) {
	cmdtest.Env(t)
	ca := cmdtest.Factory(strings.NewReader(""), nil, nil)
	ca.Credentials = &credstore.Store{Service: "procore-sa", Keyring: &credstore.MemoryKeyring{}, Timeout: 5 * time.Second, InteractiveTimeout: 5 * time.Second}
	cred := credstore.Credential{Version: 1, Kind: credstore.KindClientCredentials, Environment: "sandbox", CompanyID: 7,
		ClientID: "id", ClientSecret: secret.New("s3cret-never-shown"), CreatedAt: time.Now().UTC()}
	for _, p := range []string{"spectrum", "admin"} {
		if _, err := ca.Credentials.Save(context.Background(), credstore.Placement{Profile: p}, cred, false); err != nil {
			t.Fatal(err)
		}
	}
	want := []string{"admin", "spectrum"}
	for _, args := range [][]string{
		{"--profile", ""}, {"verify", "--profile", ""}, {"add-all", "--profile", ""},
		{"secret", "delete", ""}, {"secret", "export", ""}, {"secret", "export", "--to", "x.age", ""},
	} {
		c := completeOn(t, ca, args...)
		if !slices.Equal(c.items, want) || !c.noFiles() {
			t.Errorf("%v = %+v, want %v", args, c, want)
		}
		if strings.Contains(strings.Join(c.items, " "), "s3cret") {
			t.Errorf("%v offered a secret", args)
		}
	}
	for _, args := range [][]string{{"secret", "delete", "spectrum", ""}, {"secret", "export", "spectrum", ""}} {
		if c := completeOn(t, ca, args...); len(c.items) != 0 || !c.noFiles() {
			t.Errorf("%v = %+v: one profile only", args, c)
		}
	}
	// The demo keeps its own keychain service: none of these are its.
	if c := completeOn(t, ca, "--demo", "secret", "delete", ""); len(c.items) != 0 {
		t.Errorf("--demo secret delete <TAB> = %v", c.items)
	}

	for name, kr := range map[string]credstore.Keyring{"failing": failingKeyring{}, "blocking": blockingKeyring{release: make(chan struct{})}} {
		a := cmdtest.Factory(strings.NewReader(""), nil, nil)
		a.Credentials = &credstore.Store{Service: "procore-sa", Keyring: kr}
		start := time.Now()
		c := completeOn(t, a, "secret", "delete", "")
		if took := time.Since(start); took > completion.Timeout+time.Second {
			t.Errorf("%s keychain: completion took %v", name, took)
		}
		if len(c.items) != 0 || !c.noFiles() {
			t.Errorf("%s keychain: %+v", name, c)
		}
		if b, ok := kr.(blockingKeyring); ok {
			close(b.release)
		}
	}
}

// TestCompleteRuns: --resume offers the journaled runs, newest first, the
// demo's under --demo, and creates no directory when there are none.
func TestCompleteRuns(t *testing.T) {
	cmdtest.Env(t)
	stateDir := filepath.Join(os.Getenv("XDG_STATE_HOME"), "procore-sa")
	if c := complete(t, "add-all", "--resume", ""); len(c.items) != 0 || !c.noFiles() {
		t.Errorf("no runs: %+v", c)
	}
	if _, err := os.Stat(stateDir); err == nil {
		t.Errorf("completion made %s", stateDir)
	}
	for _, f := range []string{"runs/20261101T090000Z-aaaa.jsonl", "runs/20261123T101500Z-ab12.jsonl", "runs/notes.txt", "demo/runs/20261201T000000Z-dddd.jsonl"} {
		p := filepath.Join(stateDir, filepath.FromSlash(f))
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte("{}\n"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	if c := complete(t, "add-all", "--resume", ""); !slices.Equal(c.items, []string{"20261123T101500Z-ab12", "20261101T090000Z-aaaa"}) || !c.noFiles() {
		t.Errorf("add-all --resume <TAB> = %+v", c)
	}
	if c := complete(t, "--demo", "add-all", "--resume", ""); !slices.Equal(c.items, []string{"20261201T000000Z-dddd"}) {
		t.Errorf("--demo add-all --resume <TAB> = %+v", c)
	}
}

// TestCompleteNoFiles: wherever no file fits, completion offers none; where
// a file is asked for, only files of its kind.
func TestCompleteNoFiles(t *testing.T) {
	cmdtest.Env(t)
	fileArgs := map[string][]string{"guides validate": {"yaml", "yml"}, "secret import": {"age", "txt"}}
	fileFlags := map[string][]string{"report": {"csv"}, "to": {"age"}, "out": {"age", "txt"}}
	// Files of any name: a private key, a list of public keys.
	anyFile := map[string]bool{"identity": true, "to-file": true}
	root := cmdtest.Tree(t)
	checked := 0
	for path, cmd := range cmdtest.AllCommands(root) {
		args := strings.Fields(path)
		if cmd.Runnable() {
			c := complete(t, append(slices.Clone(args), "")...)
			if exts, ok := fileArgs[path]; ok {
				if c.directive != cobra.ShellCompDirectiveFilterFileExt || !slices.Equal(c.items, exts) {
					t.Errorf("%s <TAB> = %+v, want files %v", path, c, exts)
				}
			} else if !c.noFiles() {
				t.Errorf("%s <TAB> offers files: %+v", path, c)
			}
			checked++
		}
		// Every flag that takes a value, the global ones included.
		cmd.Flags().VisitAll(func(f *pflag.Flag) {
			if f.Value.Type() == "bool" || f.Hidden {
				return
			}
			c := complete(t, append(slices.Clone(args), "--"+f.Name, "")...)
			if anyFile[f.Name] {
				if c.directive != cobra.ShellCompDirectiveDefault || len(c.items) != 0 {
					t.Errorf("%s --%s <TAB> = %+v, want any file", path, f.Name, c)
				}
			} else if exts, ok := fileFlags[f.Name]; ok && !(path == "secret handover" && f.Name == "to") { // a key, not a file
				if c.directive != cobra.ShellCompDirectiveFilterFileExt || !slices.Equal(c.items, exts) {
					t.Errorf("%s --%s <TAB> = %+v, want files %v", path, f.Name, c, exts)
				}
			} else if !c.noFiles() {
				t.Errorf("%s --%s <TAB> offers files: %+v", path, f.Name, c)
			}
			checked++
		})
	}
	if checked < 40 {
		t.Errorf("only %d places checked", checked)
	}
}

// TestCompleteHelp: 'help <TAB>' offers the commands and the help topics,
// and 'help secret <TAB>' that command's subcommands.
func TestCompleteHelp(t *testing.T) {
	cmdtest.Env(t)
	c := complete(t, "help", "")
	for _, want := range []string{"environment", "exit-codes", "secret", "guides", "version"} {
		if !slices.Contains(c.items, want) {
			t.Errorf("help <TAB> lacks %q: %v", want, c.items)
		}
	}
	if !c.noFiles() {
		t.Errorf("help <TAB> offers files")
	}
	if c := complete(t, "help", "secret", ""); !slices.Equal(c.items, []string{"delete", "export", "handover", "import", "list"}) {
		t.Errorf("help secret <TAB> = %v", c.items)
	}
}

// TestCompletionScripts: the completion command writes a script for each
// shell the release ships one for.
func TestCompletionScripts(t *testing.T) {
	cmdtest.Env(t)
	for shell, want := range map[string]string{"bash": "__procore-sa_", "zsh": "#compdef procore-sa", "fish": "complete -c procore-sa", "powershell": "Register-ArgumentCompleter"} {
		out, errOut, code := cmdtest.Run(t, "", "completion", shell)
		if code != cmdutil.ExitOK || !strings.Contains(out, want) {
			t.Errorf("completion %s: exit %d, %d bytes, lacks %q: %s", shell, code, len(out), want, errOut)
		}
	}
}
