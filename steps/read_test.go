package steps

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// loadWithin runs LoadCatalog on dir, failing the test if it has not
// returned in a few seconds (a file that blocks on open would hang it).
func loadWithin(t *testing.T, dir string) (*Catalog, []error) {
	t.Helper()
	type result struct {
		cat      *Catalog
		problems []error
	}
	done := make(chan result, 1)
	go func() {
		cat, problems := LoadCatalog(dir)
		done <- result{cat, problems}
	}()
	select {
	case r := <-done:
		return r.cat, r.problems
	case <-time.After(5 * time.Second):
		t.Fatal("LoadCatalog has not returned after 5 s: a file in the guides folder blocked it")
		return nil, nil
	}
}

// TestProcFileIsNeverQuoted loads a guide that is a symlink to the
// process's own environment, a file procfs reports as 0 bytes long yet
// reads data from: none of its contents may show in an error.
func TestProcFileIsNeverQuoted(t *testing.T) {
	env, err := os.ReadFile("/proc/self/environ")
	if err != nil || len(env) == 0 {
		t.Skip("no /proc/self/environ here")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "env.yaml")
	if err := os.Symlink("/proc/self/environ", link); err != nil {
		t.Fatal(err)
	}
	_, problems := loadWithin(t, dir)
	_, errLoad := LoadFile(link)
	_, errValidate := ValidateFile(link)
	errs := append(problems, errLoad, errValidate)
	if len(problems) != 1 || errLoad == nil || errValidate == nil {
		t.Fatalf("the proc file was not refused everywhere: %v", errs)
	}
	for _, err := range errs {
		msg := err.Error()
		if !strings.HasPrefix(msg, link+": ") {
			t.Errorf("%q does not name the file", msg)
		}
		for entry := range strings.SplitSeq(string(env), "\x00") {
			key, _, ok := strings.Cut(entry, "=")
			if ok && key != "" && strings.Contains(msg, key+"=") {
				t.Fatalf("the error quotes the environment (%s=...): %q", key, msg)
			}
		}
	}
}

// TestParseErrorsQuoteOneClippedLine: a value quoted in an error is its
// first line, clipped; nothing after a line break, nothing long.
func TestParseErrorsQuoteOneClippedLine(t *testing.T) {
	const canary = "SECRET-second-line"
	long := strings.Repeat("a", 300)
	head := "id: x\ntitle: X\naccount_model: dmsa\nsteps:\n  - id: a\n"
	for name, src := range map[string]string{
		"kind":          head + "    kind: |\n      first line\n      " + canary + "\n    title: A\n    body: B\n",
		"long kind":     head + "    kind: " + long + "\n    title: A\n    body: B\n",
		"bool":          head + "    kind: form\n    title: A\n    fields:\n      - {id: f, label: F, type: text, required: \"first\\n" + canary + "\"}\n",
		"long bool":     head + "    kind: form\n    title: A\n    fields:\n      - {id: f, label: F, type: text, required: " + long + "}\n",
		"unknown key":   "id: x\n" + long + ": 1\n",
		"duplicate key": long + ": 1\n" + long + ": 2\n",
		"account model": "id: x\naccount_model: \"first\\n" + canary + "\"\n",
		"default":       head + "    kind: form\n    title: A\n    fields:\n      - {id: f, label: F, type: number, default: \"1\\n" + canary + "\"}\n",
		"id":            "id: \"" + long + "\\n" + canary + "\"\n",
	} {
		t.Run(name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(src))
			if err == nil {
				t.Fatal("no error")
			}
			checkErrorLines(t, "x.yaml", err)
			if msg := err.Error(); strings.Contains(msg, canary) || strings.Contains(msg, long[:100]) {
				t.Errorf("the error quotes more than a clipped line: %q", msg)
			}
		})
	}
}

// TestParseRefusesHugeChecklist: an 80,000-item checklist pinned the
// wizard; it is refused, at a line and column.
func TestParseRefusesHugeChecklist(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: x\ntitle: X\naccount_model: dmsa\nsteps:\n  - id: a\n    kind: instruction\n    title: A\n    checklist:\n")
	for range 80_000 {
		b.WriteString("      - x\n")
	}
	_, err := Parse("x.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("an 80,000-item checklist was accepted")
	}
	checkErrorLines(t, "x.yaml", err)
}

// worstGuides are guides of about size bytes in the shapes that cost the
// YAML reader most per byte: many keys in one mapping, one-character
// items in a flow list, short block items, many steps, block text.
func worstGuides(size int) map[string]string {
	head := "id: big\ntitle: Big\naccount_model: dmsa\nsteps:\n"
	grow := func(start string, line func(i int) string, end string) string {
		var b strings.Builder
		b.WriteString(head + start)
		for i := 0; b.Len()+len(line(i))+len(end) <= size; i++ {
			b.WriteString(line(i))
		}
		return b.String() + end
	}
	return map[string]string{
		"keys": grow("  - id: a\n    kind: notice\n    title: A\n    body: B\n",
			func(i int) string { return fmt.Sprintf("    k%d: v\n", i) }, ""),
		"flow": grow("  - id: a\n    kind: instruction\n    title: A\n    checklist: [x",
			func(int) string { return ",x" }, "]\n"),
		"items": grow("  - id: a\n    kind: instruction\n    title: A\n    checklist:\n",
			func(int) string { return "      - x\n" }, ""),
		"steps": grow("", func(i int) string {
			return fmt.Sprintf("  - id: s%d\n    kind: notice\n    title: Step %d\n    body: Read this.\n", i, i)
		}, ""),
		"text": grow("  - id: a\n    kind: notice\n    title: A\n    body: |\n",
			func(int) string { return "      Some text of a line that goes on a bit, as a guide's body does.\n" }, ""),
		"options": grow("  - id: a\n    kind: form\n    title: A\n    fields:\n      - id: f\n        label: F\n        type: choice\n        options:\n",
			func(i int) string { return fmt.Sprintf("          - o%d\n", i) }, ""),
	}
}

// TestParseTimeIsBounded parses the most expensive files the size limit
// lets in. Parse is linear in the file, and the limits keep the largest
// accepted file far from the start-up budget (see BenchmarkLoadCatalog).
func TestParseTimeIsBounded(t *testing.T) {
	bound := 250 * time.Millisecond
	if raceEnabled {
		bound *= 10
	}
	for name, src := range worstGuides(MaxGuideSize) {
		start := time.Now()
		_, err := Parse("x.yaml", []byte(src))
		if d := time.Since(start); d > bound {
			t.Errorf("%s (%d bytes): Parse took %v, more than %v (error: %.80v)", name, len(src), d, bound, err)
		}
	}
}

// TestUserGuideMayNotTakeABuiltinTitle: a guide of your own that looked
// like a built-in one in the picker is refused, at its title.
func TestUserGuideMayNotTakeABuiltinTitle(t *testing.T) {
	dir := t.TempDir()
	mine := writeFile(t, dir, "mine.yaml", strings.Replace(minimal(1), "title: Many steps",
		"title: \"  developer managed  SERVICE account (dmsa) \"", 1))
	cat, problems := loadWithin(t, dir)
	if len(problems) != 1 {
		t.Fatalf("problems %v, want one for mine.yaml", problems)
	}
	if want := mine + `:2:8: title "  developer managed  SERVICE account (dmsa) " is the title of the built-in guide dmsa`; !strings.HasPrefix(problems[0].Error(), want) {
		t.Errorf("problem %q\ndoes not start with %q", problems[0], want)
	}
	if _, ok := cat.Get("many-steps"); ok {
		t.Error("the guide with a built-in's title was loaded")
	}
	if _, err := ValidateFile(mine); err == nil || !strings.HasPrefix(err.Error(), mine+":2:8: ") {
		t.Errorf("guides validate: %v", err)
	}
	var pe *ParseError
	if !errors.As(problems[0], &pe) {
		t.Errorf("%v is not a *ParseError", problems[0])
	}
}

// TestBuiltinsParsedOnce: every catalog shares the built-in guides read
// the first time.
func TestBuiltinsParsedOnce(t *testing.T) {
	a, _ := LoadCatalog("")
	b, _ := LoadCatalog(t.TempDir())
	for i, g := range a.List() {
		if b.List()[i] != g {
			t.Errorf("built-in guide %s was parsed again", g.ID)
		}
	}
}

// TestReadRefusesMoreThanItsSize: a file that reads more bytes than its
// size says (procfs and its like) is refused unread, without a quote.
func TestReadRefusesMoreThanItsSize(t *testing.T) {
	data := "id: SECRET-canary\n"
	_, err := readSized("g.yaml", strings.NewReader(data), 0)
	if err == nil || strings.Contains(err.Error(), "SECRET") || !strings.HasPrefix(err.Error(), "g.yaml: ") {
		t.Fatalf("a reader longer than its size: %v", err)
	}
	got, err := readSized("g.yaml", strings.NewReader(data), int64(len(data)))
	if err != nil || string(got) != data {
		t.Fatalf("a reader of its size: %q, %v", got, err)
	}
	// A file that shrank since its size was read is what it now holds.
	if got, err := readSized("g.yaml", strings.NewReader(data), 100); err != nil || string(got) != data {
		t.Fatalf("a shorter reader: %q, %v", got, err)
	}
	if _, err := readSized("g.yaml", strings.NewReader(""), MaxGuideSize+1); err == nil ||
		!strings.HasPrefix(err.Error(), "g.yaml:1:1: ") || !strings.Contains(err.Error(), "larger than") {
		t.Fatalf("a file larger than the limit, by its size: %v", err)
	}
}

// TestParseSizeLimits: each limit refuses the first thing too many, at its
// line and column, and accepts as many as it allows.
func TestParseSizeLimits(t *testing.T) {
	head := "id: x\ntitle: X\naccount_model: dmsa\nsteps:\n"
	list := func(indent, item string, n int) string {
		return strings.Repeat(indent+"- "+item+"\n", n)
	}
	instruction := func(n int) string {
		return head + "  - id: a\n    kind: instruction\n    title: A\n    checklist:\n" + list("      ", "Tick", n)
	}
	form := func(n int) string {
		var b strings.Builder
		b.WriteString(head + "  - id: a\n    kind: form\n    title: A\n    fields:\n")
		for i := range n {
			fmt.Fprintf(&b, "      - {id: f%d, label: F, type: text}\n", i)
		}
		return b.String()
	}
	choice := func(n int) string {
		var b strings.Builder
		b.WriteString(head + "  - id: a\n    kind: form\n    title: A\n    fields:\n      - id: c\n        label: C\n        type: choice\n        options:\n")
		for i := range n {
			fmt.Fprintf(&b, "          - o%d\n", i)
		}
		return b.String()
	}
	matrix := func(rows int) string {
		var b strings.Builder
		b.WriteString(head + "  - id: a\n    kind: matrix\n    title: A\n    matrix:\n      columns: [C]\n      rows:\n")
		for i := range rows {
			fmt.Fprintf(&b, "        - R%d\n", i)
		}
		return b.String()
	}
	body := func(n int) string {
		return head + "  - id: a\n    kind: notice\n    title: A\n    body: " + strings.Repeat("é", n) + "\n"
	}
	keys := func(n int) string {
		var b strings.Builder
		b.WriteString("id: x\nmore:\n")
		for i := range n {
			fmt.Fprintf(&b, "  k%d: v\n", i)
		}
		return b.String()
	}
	for _, tt := range []struct {
		name     string
		src      func(n int) string
		most     int
		want     string // the error for most+1
		accepted bool   // whether most is a whole, valid guide
	}{
		{"checklist", instruction, MaxItems, `x.yaml:49:9: step "a": 41 checklist items: a step may have at most 40`, true},
		{"fields", form, MaxFields, `x.yaml:29:9: step "a": 21 fields: a form may have at most 20`, true},
		{"options", choice, MaxOptions, `x.yaml:53:13: field "c": 41 options: a choice may have at most 40`, true},
		{"matrix rows", matrix, MaxMatrix, `x.yaml:41:11: step "a": 31 rows: a matrix may have at most 30`, true},
		{"text", body, MaxText, `x.yaml:8:11: body is 4001 characters long: a text may have at most 4000`, true},
		{"keys", keys, maxKeys, "x.yaml:35:3: more than 32 keys in one mapping", false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.src(tt.most)))
			if tt.accepted && err != nil {
				t.Errorf("%d is refused: %v", tt.most, err)
			}
			_, err = Parse("x.yaml", []byte(tt.src(tt.most+1)))
			if err == nil || !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("%d: error %v\nwant it to start %q", tt.most+1, err, tt.want)
			}
		})
	}
	// The token bound: a flow list of one-letter items, within the bytes.
	src := head + "  - {id: a, kind: instruction, title: A, checklist: [" + strings.Repeat("x,", maxTokens/2) + "x]}\n"
	if _, err := Parse("x.yaml", []byte(src)); err == nil || !strings.Contains(err.Error(), "more than 10000 keys, values and list items") {
		t.Errorf("too many tokens: %v", err)
	} else {
		checkErrorLines(t, "x.yaml", err)
	}
}
