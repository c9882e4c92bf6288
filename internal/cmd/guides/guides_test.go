package guides_test

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
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
  - id: do
    kind: instruction
    title: Do the thing
    checklist:
      - Open Procore
      - Click Save
`

func TestGuidesList(t *testing.T) {
	dir := cmdtest.Env(t)
	mine := cmdtest.WriteFile(t, dir, "mine.yaml", guidesTestGuide)
	broken := cmdtest.WriteFile(t, dir, "broken.yaml", strings.Replace(guidesTestGuide, "title: My own guide", "titel: My own guide", 1))

	out, errOut, code := cmdtest.Run(t, "", "guides")
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	if len(lines) != 1+len(guidesBuiltinIDs)+1 {
		t.Fatalf("%d lines:\n%s", len(lines), out)
	}
	if !regexp.MustCompile(`^ID +ACCOUNT MODEL +TITLE +STEPS +FROM$`).MatchString(lines[0]) {
		t.Errorf("header %q", lines[0])
	}
	titleCol := strings.Index(lines[0], "TITLE")
	for i, id := range guidesBuiltinIDs {
		l := lines[i+1]
		if !strings.HasPrefix(l, id+" ") || !strings.HasSuffix(l, "built-in") {
			t.Errorf("line %d is %q, want the built-in %s", i+2, l, id)
		}
		if l[titleCol-1] != ' ' || l[titleCol] == ' ' {
			t.Errorf("line %q: the title column is not aligned", l)
		}
	}
	last := lines[len(lines)-1]
	if !regexp.MustCompile(`^my-guide +dmsa +My own guide +2 +your guide, from ` + regexp.QuoteMeta(mine) + `$`).MatchString(last) {
		t.Errorf("personal guide line %q", last)
	}
	if !strings.Contains(errOut, broken+`:2:1: unknown key "titel"`) {
		t.Errorf("the broken guide is not reported with its position:\n%s", errOut)
	}
	if strings.Contains(out, "broken") {
		t.Error("the broken guide is listed")
	}

	if _, errOut, code := cmdtest.Run(t, "", "guides", "extra"); code != cmdutil.ExitUsage {
		t.Errorf("guides extra: exit %d: %s", code, errOut)
	}
}

func TestGuidesShow(t *testing.T) {
	dir := cmdtest.Env(t)
	cmdtest.WriteFile(t, dir, "mine.yaml", guidesTestGuide)

	mine := filepath.Join(dir, "mine.yaml")
	out, errOut, code := cmdtest.Run(t, "", "guides", "show", "my-guide")
	if code != cmdutil.ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"My own guide\n(your guide, from " + mine + ")\n", "Account model: Developer Managed Service Account\n",
		"Step 1 of 2: Read this first\n", "Step 2 of 2: Do the thing\n", "  [ ] Open Procore\n"} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks %q:\n%s", want, out)
		}
	}

	out, _, code = cmdtest.Run(t, "", "guides", "show", "my-guide", "--format", "markdown")
	if code != cmdutil.ExitOK || !strings.Contains(out, "## Step 2 of 2: Do the thing\n") || !strings.Contains(out, "- [ ] Click Save\n") ||
		!strings.Contains(out, "(your guide, from `"+mine+"`)") {
		t.Errorf("markdown, exit %d:\n%s", code, out)
	}

	out, _, code = cmdtest.Run(t, "", "guides", "show", "my-guide", "--format=json")
	var g steps.Guide
	if code != cmdutil.ExitOK || json.Unmarshal([]byte(out), &g) != nil || g.ID != "my-guide" || len(g.Steps) != 2 {
		t.Errorf("json, exit %d:\n%s", code, out)
	}

	for _, id := range guidesBuiltinIDs {
		out, errOut, code := cmdtest.Run(t, "", "guides", "show", id, "--format", "markdown")
		if code != cmdutil.ExitOK || !strings.Contains(out, "## Step 1 of ") || strings.Contains(out, "your guide") {
			t.Errorf("show %s: exit %d: %s", id, code, errOut)
		}
	}

	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"guides", "show", "nope"}, `unknown guide "nope"; see 'procore-sa guides'`},
		{[]string{"guides", "show", "dmsa", "--format", "yaml"}, `--format "yaml": use text, markdown, json`},
		{[]string{"guides", "show"}, "guides show takes one guide id"},
		{[]string{"guides", "show", "dmsa", "spectrum"}, "guides show takes one guide id"},
		{[]string{"guides", "show", "dmsa", "--colour"}, "unknown flag: --colour"},
	} {
		out, errOut, code := cmdtest.Run(t, "", tt.args...)
		if code != cmdutil.ExitUsage || !strings.Contains(errOut, tt.want) || out != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 saying %q", tt.args, code, out, errOut, tt.want)
		}
	}
}

func TestGuidesValidate(t *testing.T) {
	cmdtest.Env(t)
	dir := t.TempDir()
	good := cmdtest.WriteFile(t, dir, "good.yaml", guidesTestGuide)
	bad := cmdtest.WriteFile(t, dir, "bad.yaml", strings.Replace(guidesTestGuide, "kind: instruction", "kind: instructions", 1))
	clash := cmdtest.WriteFile(t, dir, "clash.yaml", strings.Replace(guidesTestGuide, "id: my-guide", "id: dmsa", 1))
	src, ok := steps.BuiltinSource("dmsa")
	if !ok {
		t.Fatal("no dmsa source")
	}
	own := cmdtest.WriteFile(t, dir, "dmsa.yaml", string(src))

	out, errOut, code := cmdtest.Run(t, "", "guides", "validate", good)
	if code != cmdutil.ExitOK || out != good+": ok (2 steps)\n" || errOut != "" {
		t.Errorf("a good file: exit %d, stdout %q, stderr %q", code, out, errOut)
	}

	out, errOut, code = cmdtest.Run(t, "", "guides", "validate", good, bad, clash, own, filepath.Join(dir, "none.yaml"))
	if code != cmdutil.ExitFailed {
		t.Errorf("exit %d, want 1", code)
	}
	for _, want := range []string{good + ": ok (2 steps)\n", own + ": ok ("} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	for _, want := range []string{
		bad + `:10:11: step "do": kind "instructions" is not known`,
		clash + `:1:5: guide id "dmsa" is already taken by a built-in guide`,
		filepath.Join(dir, "none.yaml"),
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("stderr lacks %q:\n%s", want, errOut)
		}
	}
	if strings.Contains(out, bad) || strings.Contains(out, clash) {
		t.Errorf("a bad file is called ok:\n%s", out)
	}

	if _, errOut, code := cmdtest.Run(t, "", "guides", "validate"); code != cmdutil.ExitUsage || !strings.Contains(errOut, "at least one FILE") {
		t.Errorf("no files: exit %d: %s", code, errOut)
	}
}

// TestRootConfigDir checks where personal guides are looked for: a relative
// XDG_CONFIG_HOME is ignored, as the XDG specification says.
func TestRootConfigDir(t *testing.T) {
	if runtime.GOOS == "darwin" || runtime.GOOS == "windows" {
		t.Skip("the defaults here are Linux's; state's tests cover every platform's")
	}
	home := t.TempDir()
	t.Setenv("HOME", home)
	abs := t.TempDir()
	for _, tt := range []struct{ xdg, want string }{
		{abs, filepath.Join(abs, "procore-sa")},
		{"", filepath.Join(home, ".config", "procore-sa")},
		{"relative/config", filepath.Join(home, ".config", "procore-sa")},
		{".", filepath.Join(home, ".config", "procore-sa")},
	} {
		t.Setenv("XDG_CONFIG_HOME", tt.xdg)
		got, err := cmdutil.ConfigDir()
		if err != nil || got != tt.want {
			t.Errorf("XDG_CONFIG_HOME=%q: cmdutil.ConfigDir() = %q, %v; want %q", tt.xdg, got, err, tt.want)
		}
	}

	// A relative XDG_CONFIG_HOME that happens to hold guides is not read.
	t.Chdir(t.TempDir())
	cmdtest.WriteFile(t, filepath.Join("cfg", "procore-sa", "guides"), "mine.yaml", guidesTestGuide)
	t.Setenv("XDG_CONFIG_HOME", "cfg")
	t.Setenv("XDG_STATE_HOME", t.TempDir())
	out, errOut, code := cmdtest.Run(t, "", "guides")
	if code != cmdutil.ExitOK || strings.Contains(out, "my-guide") {
		t.Errorf("guides read a relative XDG_CONFIG_HOME: exit %d\n%s%s", code, out, errOut)
	}
}
