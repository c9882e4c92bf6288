package root

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/procore-sa/procore-sa/internal/cmd/help"
)

// helpTree is the command tree as the binary builds it, with cobra's lazily
// added completion command, for tests that walk every command.
func helpTree(t *testing.T) *cobra.Command {
	t.Helper()
	root := newRootCmd(newCLI(strings.NewReader(""), new(strings.Builder), new(strings.Builder)))
	root.InitDefaultCompletionCmd()
	return root
}

// allCommands is every command under root but cobra's hidden __complete,
// each with its path's words after the root's name.
func allCommands(root *cobra.Command) map[string]*cobra.Command {
	out := map[string]*cobra.Command{}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		if strings.HasPrefix(c.Name(), "__") {
			return
		}
		out[strings.TrimPrefix(strings.TrimPrefix(c.CommandPath(), root.Name()), " ")] = c
		for _, s := range c.Commands() {
			walk(s)
		}
	}
	walk(root)
	return out
}

// globalFlagLine matches a flag's line of a usage text.
func globalFlagLine(name string) *regexp.Regexp {
	return regexp.MustCompile(`(?m)^\s+(-\w, )?--` + regexp.QuoteMeta(name) + `\b`)
}

func TestVersionFlagMatchesVersion(t *testing.T) {
	guidesEnv(t)
	flag, flagErr, flagCode := guidesRun(t, "--version")
	cmd, cmdErr, cmdCode := guidesRun(t, "version")
	if flagCode != exitOK || cmdCode != exitOK || flagErr != "" || cmdErr != "" {
		t.Fatalf("--version: exit %d %q; version: exit %d %q", flagCode, flagErr, cmdCode, cmdErr)
	}
	if flag != cmd {
		t.Errorf("--version printed %q, version printed %q", flag, cmd)
	}
	if !regexp.MustCompile(`^procore-sa \S+ \(commit \S+, built \S+\)\n$`).MatchString(flag) {
		t.Errorf("version line %q", flag)
	}
	// No -v shorthand, which would read as "verbose".
	if _, _, code := guidesRun(t, "-v"); code != exitUsage {
		t.Errorf("-v: exit %d, want %d", code, exitUsage)
	}
}

// TestGlobalFlagsShownOnce: the root's help lists every global flag once;
// no other command's help lists any of them, but each points to where they
// are, and still lists its own flags.
func TestGlobalFlagsShownOnce(t *testing.T) {
	guidesEnv(t)
	root := helpTree(t)
	var globals []string
	root.PersistentFlags().VisitAll(func(f *pflag.Flag) { globals = append(globals, f.Name) })
	if len(globals) < 8 {
		t.Fatalf("global flags %v", globals)
	}
	out, _, code := guidesRun(t, "--help")
	if code != exitOK {
		t.Fatalf("--help: exit %d", code)
	}
	for _, g := range globals {
		if n := len(globalFlagLine(g).FindAllString(out, -1)); n != 1 {
			t.Errorf("root help lists --%s %d times:\n%s", g, n, out)
		}
	}
	for _, want := range []string{"Global flags (every command takes them):", "--version", "Help topics (procore-sa help TOPIC):\n  environment", "exit-codes"} {
		if !strings.Contains(out, want) {
			t.Errorf("root help lacks %q:\n%s", want, out)
		}
	}
	for path, c := range allCommands(root) {
		if path == "" || c.Annotations[help.TopicAnnotation] != "" {
			continue
		}
		out, errOut, code := guidesRun(t, append(strings.Fields(path), "--help")...)
		if code != exitOK {
			t.Errorf("%s --help: exit %d: %s", path, code, errOut)
			continue
		}
		for _, g := range globals {
			if globalFlagLine(g).MatchString(out) {
				t.Errorf("%s --help lists the global flag --%s:\n%s", path, g, out)
			}
		}
		if strings.Count(out, help.GlobalFlagsNote) != 1 {
			t.Errorf("%s --help does not point once to the global flags:\n%s", path, out)
		}
		c.LocalFlags().VisitAll(func(f *pflag.Flag) {
			if !f.Hidden && !globalFlagLine(f.Name).MatchString(out) {
				t.Errorf("%s --help does not list its own flag --%s:\n%s", path, f.Name, out)
			}
		})
	}
}

// TestHelpEnvironment: the topic names every variable procore-sa reads and
// each platform's directories, and lists the global flags (once); the three
// ways to ask for it print the same.
func TestHelpEnvironment(t *testing.T) {
	guidesEnv(t)
	out, errOut, code := guidesRun(t, "help", "environment")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"PROCORE_CLIENT_ID", "PROCORE_CLIENT_SECRET", "ACCESSIBLE", "NO_COLOR",
		"CLICOLOR\n", "CLICOLOR=0", "CLICOLOR_FORCE", "TERM=dumb", "XDG_STATE_HOME", "XDG_CONFIG_HOME",
		"~/.local/state/procore-sa", "~/.config/procore-sa/guides", "Library/Application", "%LOCALAPPDATA%\\procore-sa",
		"%APPDATA%\\procore-sa\\guides", "Global flags", "DBUS_SESSION_BUS_ADDRESS"} {
		if !strings.Contains(out, want) {
			t.Errorf("help environment lacks %q:\n%s", want, out)
		}
	}
	// Every variable the program's code reads is named.
	for _, v := range getenvNames(t) {
		if !strings.Contains(out, v) {
			t.Errorf("help environment does not name %s, which the code reads", v)
		}
	}
	helpTree(t).PersistentFlags().VisitAll(func(f *pflag.Flag) {
		if n := len(globalFlagLine(f.Name).FindAllString(out, -1)); n != 1 {
			t.Errorf("help environment lists --%s %d times", f.Name, n)
		}
	})
	for _, args := range [][]string{{"environment"}, {"environment", "--help"}} {
		if got, _, code := guidesRun(t, args...); code != exitOK || got != out {
			t.Errorf("%v: exit %d, printed\n%s\nwant what 'help environment' prints", args, code, got)
		}
	}
}

// getenvNames is every variable named in an os.Getenv call of the
// module's own code, wherever it lives (tests, e2e and test-only variables
// aside).
func getenvNames(t *testing.T) []string {
	t.Helper()
	re := regexp.MustCompile(`os\.(?:Getenv|LookupEnv)\("([A-Z_]+)"\)`)
	var names []string
	err := filepath.WalkDir(filepath.Join("..", "..", ".."), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "e2e", "dist", "build", "testdata", "cmdtest": // cmdtest serves tests only
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range re.FindAllStringSubmatch(string(src), -1) {
			if m[1] != "USER" && !slices.Contains(names, m[1]) { // USER names the audit log's actor only
				names = append(names, m[1])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) < 5 {
		t.Fatalf("found only %v", names)
	}
	return names
}

// TestHelpExitCodes: the topic lists each exit status the program uses, and
// the list is every exit code constant and literal in the package's code.
func TestHelpExitCodes(t *testing.T) {
	guidesEnv(t)
	out, errOut, code := guidesRun(t, "help", "exit-codes")
	if code != exitOK || errOut != "" {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, c := range []int{0, 1, 2, 130} {
		if !regexp.MustCompile(`(?m)^  ` + strconv.Itoa(c) + ` +\S`).MatchString(out) {
			t.Errorf("help exit-codes lacks %d:\n%s", c, out)
		}
	}
	var listed []int
	for _, c := range help.ExitCodes {
		listed = append(listed, c.Code)
	}
	for _, used := range usedExitCodes(t) {
		if !slices.Contains(listed, used) {
			t.Errorf("the code exits with %d, which help exit-codes does not list", used)
		}
	}
}

// usedExitCodes reads the commands' source (package main, internal/cmdutil
// and internal/cmd) for every exit code the program can end with: the
// Exit* constants and any literal code given to os.Exit.
func usedExitCodes(t *testing.T) []int {
	t.Helper()
	fset := token.NewFileSet()
	var files []string
	for _, dir := range []string{filepath.Join("..", "..", "..", "cmd", "procore-sa"), filepath.Join("..", "..", "cmdutil"), ".."} {
		err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
			if err == nil && !d.IsDir() && strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
				files = append(files, path)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	consts := map[string]int{}
	var codes []int
	for _, name := range files {
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(f, func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.ValueSpec:
				for i, id := range n.Names {
					if strings.HasPrefix(id.Name, "Exit") && i < len(n.Values) {
						if lit, ok := n.Values[i].(*ast.BasicLit); ok {
							v, _ := strconv.Atoi(lit.Value)
							consts[id.Name] = v
							codes = append(codes, v)
						}
					}
				}
			case *ast.CallExpr:
				if sel, ok := n.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "Exit" && len(n.Args) == 1 {
					if lit, ok := n.Args[0].(*ast.BasicLit); ok {
						v, _ := strconv.Atoi(lit.Value)
						codes = append(codes, v)
					}
				}
			}
			return true
		})
	}
	for _, want := range []string{"ExitOK", "ExitFailed", "ExitUsage", "ExitInterrupted"} {
		if _, ok := consts[want]; !ok {
			t.Fatalf("no constant %s found in %v", want, consts)
		}
	}
	return codes
}

func TestHelpCommand(t *testing.T) {
	guidesEnv(t)
	for _, tt := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"help"}, exitOK, "Global flags (every command takes them):"},
		{[]string{"help", "secret", "export"}, exitOK, "procore-sa secret export PROFILE --to FILE.age"},
		{[]string{"help", "exit-codes"}, exitOK, "Exit status of procore-sa"},
		{[]string{"help", "nosuch"}, exitUsage, `no help for "nosuch"`},
		{[]string{"help", "secret", "nosuch"}, exitUsage, `no help for "secret nosuch"`},
	} {
		out, errOut, code := guidesRun(t, tt.args...)
		if code != tt.code || !strings.Contains(out+errOut, tt.want) {
			t.Errorf("%v: exit %d, want %d and %q:\n%s%s", tt.args, code, tt.code, tt.want, out, errOut)
		}
	}
}

// TestLongHelpExamples: the commands the issue names have a long help and
// examples; and every example of every command is a command line that
// parses: its command exists and takes the flags it gives.
func TestLongHelpExamples(t *testing.T) {
	guidesEnv(t)
	for _, path := range []string{"version", "status", "doctor", "secret", "secret list", "secret delete", "secret export"} {
		out, _, code := guidesRun(t, append(strings.Fields(path), "--help")...)
		if code != exitOK {
			t.Fatalf("%s --help: exit %d", path, code)
		}
		c, _, err := helpTree(t).Find(strings.Fields(path))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		long := c.Long
		if long == "" || !strings.HasPrefix(out, strings.SplitN(long, "\n", 2)[0]) {
			t.Errorf("%s --help does not start with its long help:\n%s", path, out)
		}
		if !regexp.MustCompile(`(?m)^Examples:\n  procore-sa `).MatchString(out) {
			t.Errorf("%s --help has no examples:\n%s", path, out)
		}
	}
	root := helpTree(t)
	for path, c := range allCommands(root) {
		for line := range strings.SplitSeq(c.Example, "\n") {
			fields := strings.Fields(line)
			if len(fields) == 0 || fields[0] != "procore-sa" {
				continue // another tool's line, such as age -d
			}
			args := fields[1:]
			if i := slices.Index(args, "|"); i >= 0 {
				args = args[:i]
			}
			if i := slices.Index(args, ">"); i >= 0 {
				args = args[:i]
			}
			found, rest, err := root.Find(args)
			if err != nil {
				t.Errorf("%s: example %q: %v", path, line, err)
				continue
			}
			if err := found.ParseFlags(rest); err != nil {
				t.Errorf("%s: example %q: %v", path, line, err)
			}
		}
	}
}
