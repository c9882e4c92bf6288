package steps

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// builtinIDs is the fixed order of the built-in guides (as the product documents it).
var builtinIDs = []string{"spectrum", "syncezy", "laborchart", "hammertech", "admin-helper", "dmsa"}

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// errorLine is one line of a Parse error: file:line:col: message.
var errorLine = regexp.MustCompile(`^(.+):(\d+):(\d+): (\S.*)$`)

// checkErrorLines fails unless every line of err names file, a line and a
// column, and says something.
func checkErrorLines(t testing.TB, file string, err error) {
	t.Helper()
	for l := range strings.SplitSeq(err.Error(), "\n") {
		m := errorLine.FindStringSubmatch(l)
		if m == nil || m[1] != file || m[2] == "0" || m[3] == "0" {
			t.Fatalf("error line %q is not %s:LINE:COL: message", l, file)
		}
		if strings.ContainsAny(l, "\x1b\r\t") {
			t.Fatalf("error line %q holds a control character", l)
		}
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		file string
		at   string // line:col of the first problem
		want string // in the first problem's message
	}{
		{"syntax.yaml", "2:8", "could not find end character of double-quoted text"},
		{"unknown_key.yaml", "2:1", `unknown key "titel" (did you mean "title"?)`},
		{"wrong_type.yaml", "12:19", `expected true or false here, found "maybe"`},
		{"bad_kind.yaml", "10:11", `step "two": kind "instructions" is not known: use notice, instruction, form`},
		{"dup_step.yaml", "9:9", `step id "one" is already used by step 1`},
		{"dup_field.yaml", "19:13", `field id "name" is already used in step "company"`},
		{"domain_from_later.yaml", "12:22", `domain_from "company-domain" names a field that comes later`},
		{"choice_one.yaml", "12:18", `field "env": a choice needs at least two options`},
		{"bad_account_model.yaml", "3:16", `account_model "service_account" is not known: use user_login, legacy_service_account or dmsa`},
		{"no_steps.yaml", "4:8", "a guide needs at least one step"},
		{"bad_policy.yaml", "5:15", "min_length 2: use 4 to 128"},
		{"bad_specials.yaml", "7:13", "specials: a space is not allowed"},
		{"alias.yaml", "10:5", "aliases (*name) are not allowed"},
		{"two_docs.yaml", "9:1", "a second YAML document"},
		{"control_char.yaml", "8:11", "body holds the control character U+001B"},
		{"not_mapping.yaml", "1:1", "expected a mapping of keys here, found a list"},
		{"min_max.yaml", "12:14", `field "seats": min 10 is greater than max 5`},
		{"bad_default.yaml", "13:18", `field "env": default "monthly": choose one of: production, sandbox`},
		{"matrix_dup.yaml", "9:24", `matrix row "Job Cost" is listed twice`},
		{"matrix_missing.yaml", "5:5", "a matrix step needs a matrix with rows and columns"},
		{"empty_item.yaml", "10:9", `step "one": checklist item 2 is empty`},
		{"no_body.yaml", "5:5", "a step of kind add_all needs a body or a checklist"},
		{"bad_level.yaml", "7:12", `level "danger": use info or warning`},
		{"bad_id.yaml", "1:5", `id "My Guide": use lowercase letters, digits and hyphens`},
		{"missing_step_id.yaml", "5:5", "step 1: id is required"},
		{"empty.yaml", "1:1", "id is required"},
		{"many.yaml", "2:1", "title is required"},
		{"secret_field.yaml", "12:13", `field "client-secret": its id says "secret", but a form field is shown as typed and saved unmasked`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			g, err := Parse(tt.file, readTestdata(t, tt.file))
			if err == nil {
				t.Fatalf("no error; parsed %q", g.ID)
			}
			if g != nil {
				t.Error("a guide came back with the error")
			}
			checkErrorLines(t, tt.file, err)
			first, _, _ := strings.Cut(err.Error(), "\n")
			prefix := tt.file + ":" + tt.at + ": "
			if !strings.HasPrefix(first, prefix) {
				t.Errorf("error %q\ndoes not start with %q", first, prefix)
			}
			if !strings.Contains(first, tt.want) {
				t.Errorf("error %q\ndoes not say %q", first, tt.want)
			}
			var pe *ParseError
			if !errors.As(err, &pe) || pe.File != tt.file {
				t.Errorf("error %v is not a *ParseError for %s", err, tt.file)
			}
		})
	}
}

// TestParseReportsEveryProblem checks that semantic problems are all
// reported, one line each, in file order.
func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse("many.yaml", readTestdata(t, "many.yaml"))
	if err == nil {
		t.Fatal("no error")
	}
	checkErrorLines(t, "many.yaml", err)
	want := []string{
		"many.yaml:2:1: title is required",
		`many.yaml:3:16: account_model "legacy" is not known`,
		`many.yaml:12:18: field "a": a choice needs at least two options`,
		`many.yaml:13:13: field id "a" is already used in step "one"`,
		`many.yaml:15:15: field 2 of step "one": type "emails" is not known`,
	}
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != len(want) {
		t.Fatalf("got %d problems, want %d:\n%v", len(lines), len(want), err)
	}
	for i, w := range want {
		if !strings.HasPrefix(lines[i], w) {
			t.Errorf("problem %d is %q, want it to start %q", i+1, lines[i], w)
		}
	}
	_, err = Parse("bad_policy.yaml", readTestdata(t, "bad_policy.yaml"))
	if !strings.Contains(err.Error(), `bad_policy.yaml:6:20: password_policy: require "symbols": use upper, lower, digit or special`) {
		t.Errorf("the second policy problem is missing:\n%v", err)
	}
}

func TestParseGood(t *testing.T) {
	g, err := Parse("good.yaml", readTestdata(t, "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != "every-kind" || g.File != "good.yaml" || g.AccountModel != UserLogin || len(g.Steps) != 11 {
		t.Fatalf("parsed %+v", g)
	}
	kinds := map[Kind]bool{}
	for _, st := range g.Steps {
		kinds[st.Kind] = true
	}
	for _, k := range Kinds {
		if !kinds[k] {
			t.Errorf("good.yaml has no %s step; it is meant to cover every kind", k)
		}
	}
	f := g.Steps[2].Fields[1]
	if f.ID != "seats" || f.Min == nil || *f.Min != 1 || f.Max == nil || *f.Max != 10 || f.Default != "2" {
		t.Errorf("number field %+v", f)
	}
	if p := g.Policy(); p.MinLength != 10 || !p.Confirm || p.Specials != ProcoreSpecials {
		t.Errorf("policy %+v", p)
	}
	// Windows line ends and a byte order mark change nothing.
	crlf := "\ufeff" + strings.ReplaceAll(string(readTestdata(t, "good.yaml")), "\n", "\r\n")
	g2, err := Parse("good.yaml", []byte(crlf))
	if err != nil {
		t.Fatal(err)
	}
	if g2.Summary != g.Summary || g2.Steps[0].Body != g.Steps[0].Body {
		t.Errorf("CRLF changed the text: %q", g2.Summary)
	}
}

// minimal is a valid guide of n notice steps.
func minimal(n int) string {
	var b strings.Builder
	b.WriteString("id: many-steps\ntitle: Many steps\naccount_model: dmsa\nsteps:\n")
	for i := range n {
		fmt.Fprintf(&b, "  - id: s%d\n    kind: notice\n    title: Step %d\n    body: Read this.\n", i, i)
	}
	return b.String()
}

func TestParseLimits(t *testing.T) {
	if _, err := Parse("ok.yaml", []byte(minimal(MaxSteps))); err != nil {
		t.Fatalf("%d steps: %v", MaxSteps, err)
	}
	tests := []struct {
		name string
		data string
		want string
	}{
		{"too-many-steps", minimal(MaxSteps + 1), "x.yaml:405:5: 101 steps: a guide may have at most 100"},
		{"too-large", "id: big\nsummary: " + strings.Repeat("x", MaxGuideSize), "x.yaml:1:1: the file is larger than 65536 bytes (64 KiB)"},
		{"not-utf8", "id: x\ntitle: caf\xe9\n", "x.yaml:2:11: the file is not UTF-8 text"},
		{"deep-flow", "id: x\nsteps: " + strings.Repeat("[", 100), "x.yaml:2:"},
		{"deep-block", "id: x\nsteps:\n" + strings.Repeat("- ", 100) + "x\n", "x.yaml:3:"},
		{"deep-mapping", func() string {
			var b strings.Builder
			for i := range 40 {
				b.WriteString(strings.Repeat(" ", i) + "k:\n")
			}
			return b.String()
		}(), "x.yaml:33:33: nested more than 32 levels deep"},
		{"merge-key", "base: &b {id: x}\n<<: *b\n", "x.yaml:2:1: merge keys"},
		{"tab-indent", "id: x\nsteps:\n\t- id: y\n", "x.yaml:3:"},
		{"null-document", "~\n", "x.yaml:1:1: expected a mapping of keys here, found nothing"},
		{"overflow", "id: x\nsteps:\n  - id: y\n    fields:\n      - min: 99999999999999999999\n", "x.yaml:5:14: 99999999999999999999 is too large for a whole number"},
		{"list-for-text", "id: [x]\n", "x.yaml:1:5: expected text here, found a list"},
		{"duplicate-key", "id: a\nid: b\n", `x.yaml:2:1: mapping key "id" already defined at line 1, column 1`},
		{"empty-title", "id: x\ntitle:\naccount_model: dmsa\nsteps: [{id: a, kind: notice, title: A, body: B}]\n", "x.yaml:2:1: title is required"},
		{"float-min", "id: x\ntitle: X\naccount_model: dmsa\nsteps:\n  - id: a\n    kind: form\n    title: A\n    fields:\n      - {id: n, label: N, type: number, min: 1.5}\n",
			`x.yaml:9:46: field "n": min 1.5: use a whole number`},
		{"misplaced-key", "id: x\nsteps:\n  - required: true\n", `x.yaml:3:5: key "required" does not belong here: it is a key of a form field`},
		{"secret-label", "id: x\ntitle: X\naccount_model: dmsa\nsteps:\n  - id: a\n    kind: form\n    title: A\n    fields:\n      - {id: key, label: API Token, type: text}\n",
			`x.yaml:9:26: field "key": its label says "token"`},
		{"secret-email", "id: x\ntitle: X\naccount_model: dmsa\nsteps:\n  - id: a\n    kind: form\n    title: A\n    fields:\n      - {id: Password-hint, label: Hint, type: email}\n",
			`x.yaml:9:14: field "Password-hint": its id says "password"`},
		{"secret-number", "id: x\ntitle: X\naccount_model: dmsa\nsteps:\n  - id: a\n    kind: form\n    title: A\n    fields:\n      - {id: pin, label: Passphrase number, type: number}\n",
			`x.yaml:9:26: field "pin": its label says "passphrase"`},
		{"bidi", "id: x\ntitle: \"a\\u202Eb\"\naccount_model: dmsa\nsteps: [{id: a, kind: notice, title: A, body: B}]\n", "x.yaml:2:8: title holds the control character U+202E"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.data))
			if err == nil {
				t.Fatal("no error")
			}
			checkErrorLines(t, "x.yaml", err)
			if !strings.HasPrefix(err.Error(), tt.want) {
				t.Errorf("error %q\ndoes not start with %q", err, tt.want)
			}
		})
	}
}

// TestParseCapsProblems checks that a file with very many problems says
// how many more there are instead of listing them all.
func TestParseCapsProblems(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: x\ntitle: X\naccount_model: dmsa\nsteps:\n")
	for range 100 {
		b.WriteString("  - kind: notice\n")
	}
	_, err := Parse("x.yaml", []byte(b.String()))
	if err == nil {
		t.Fatal("no error")
	}
	checkErrorLines(t, "x.yaml", err)
	lines := strings.Split(err.Error(), "\n")
	if len(lines) != maxProblems+1 || !strings.HasSuffix(lines[maxProblems], "and 250 more problems") {
		t.Errorf("%d lines, the last %q", len(lines), lines[len(lines)-1])
	}
}

// TestParsePrefixes parses every prefix of every test file and built-in
// guide: a cheap, deterministic sweep over truncated input.
func TestParsePrefixes(t *testing.T) {
	for name, data := range seedFiles(t) {
		for i := 0; i <= len(data); i += max(1, len(data)/300) {
			g, err := Parse(name, data[:i])
			if err != nil {
				checkErrorLines(t, name, err)
				continue
			}
			if g == nil || len(g.Steps) == 0 {
				t.Fatalf("%s[:%d]: no error and no steps", name, i)
			}
		}
	}
}

// seedFiles is every test file and every built-in guide, by name.
func seedFiles(t testing.TB) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	paths, _ := filepath.Glob("testdata/*.yaml")
	for _, p := range paths {
		files[filepath.Base(p)] = readTestdata(t, filepath.Base(p))
	}
	for _, name := range builtinNames(builtinFS, builtinOrder) {
		data, err := builtinFS.ReadFile("guides/" + name)
		if err != nil {
			t.Fatal(err)
		}
		files[builtinPrefix+name] = data
	}
	return files
}

func TestBuiltinsLoad(t *testing.T) {
	cat, problems := LoadCatalog("")
	for _, p := range problems {
		t.Errorf("built-in guide: %v", p)
	}
	var ids []string
	for _, g := range cat.List() {
		ids = append(ids, g.ID)
		if want := builtinPrefix + g.ID + ".yaml"; g.File != want {
			t.Errorf("guide %s: File %q, want %q", g.ID, g.File, want)
		}
		if !IsBuiltin(g) {
			t.Errorf("guide %s: not built-in", g.ID)
		}
		if src, ok := BuiltinSource(g.ID); !ok || len(src) == 0 {
			t.Errorf("guide %s: no source", g.ID)
		}
	}
	if !slices.Equal(ids, builtinIDs) {
		t.Errorf("built-in guides %v, want %v", ids, builtinIDs)
	}
	if !slices.Equal(builtinOrder, builtinIDs) {
		t.Errorf("builtinOrder %v, want %v", builtinOrder, builtinIDs)
	}
	names, _ := builtinFS.ReadDir("guides")
	if len(names) != len(builtinIDs) {
		t.Errorf("%d embedded files, want %d", len(names), len(builtinIDs))
	}
}

func writeFile(t *testing.T, dir, name, data string) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLoadCatalogUserGuides(t *testing.T) {
	dir := t.TempDir()
	good := writeFile(t, dir, "good.yaml", string(readTestdata(t, "good.yaml")))
	broken := writeFile(t, dir, "broken.yaml", string(readTestdata(t, "syntax.yaml")))

	cat, problems := LoadCatalog(dir)
	if len(problems) != 1 {
		t.Fatalf("problems %v, want one for broken.yaml", problems)
	}
	if want := broken + ":2:8: "; !strings.HasPrefix(problems[0].Error(), want) {
		t.Errorf("problem %q does not start with %q", problems[0], want)
	}
	g, ok := cat.Get("every-kind")
	if !ok {
		t.Fatal("the good user guide is missing")
	}
	if g.File != good || IsBuiltin(g) {
		t.Errorf("user guide File %q", g.File)
	}
	list := cat.List()
	if len(list) != len(builtinIDs)+1 || list[len(list)-1] != g {
		t.Errorf("list %d guides, the user guide not last", len(list))
	}
	for i, id := range builtinIDs {
		if list[i].ID != id {
			t.Errorf("guide %d is %s, want %s", i, list[i].ID, id)
		}
	}
	// List is a copy.
	list[0] = nil
	if cat.List()[0] == nil {
		t.Error("List shares its slice")
	}

	// A user guide may not take a built-in guide's id.
	clash := writeFile(t, dir, "mine.yaml", strings.Replace(minimal(1), "id: many-steps", "id: dmsa", 1))
	cat, problems = LoadCatalog(dir)
	if len(problems) != 2 {
		t.Fatalf("problems %v, want broken.yaml and mine.yaml", problems)
	}
	if want := clash + `:1:5: guide id "dmsa" is already taken by a built-in guide`; !strings.HasPrefix(problems[1].Error(), want) {
		t.Errorf("problem %q does not start with %q", problems[1], want)
	}
	if g, _ := cat.Get("dmsa"); !IsBuiltin(g) {
		t.Error("the user guide replaced the built-in dmsa guide")
	}
}

func TestLoadCatalogMissingDir(t *testing.T) {
	cat, problems := LoadCatalog(filepath.Join(t.TempDir(), "no", "such", "dir"))
	if len(problems) != 0 {
		t.Fatal(problems)
	}
	if len(cat.List()) != len(builtinIDs) {
		t.Errorf("%d guides", len(cat.List()))
	}
}

func TestLoadCatalogOrderAndClash(t *testing.T) {
	guide := func(id string) string {
		return strings.NewReplacer("id: many-steps", "id: "+id, "title: Many steps", "title: Guide "+id).Replace(minimal(1))
	}
	builtins := fstest.MapFS{
		"guides/alpha.yaml": {Data: []byte(guide("alpha"))},
		"guides/beta.yaml":  {Data: []byte(guide("beta"))},
		"guides/gamma.yaml": {Data: []byte(guide("gamma"))},
		"guides/bad.yaml":   {Data: []byte("id: bad\n")},
	}
	dir := t.TempDir()
	writeFile(t, dir, "a.yml", guide("zulu"))
	writeFile(t, dir, "b.yaml", guide("mike"))
	dup := writeFile(t, dir, "c.yaml", guide("zulu"))
	writeFile(t, dir, "notes.txt", "not a guide")
	writeFile(t, dir, ".hidden.yaml", "id: [")
	if err := os.Mkdir(filepath.Join(dir, "sub.yaml"), 0o700); err != nil {
		t.Fatal(err)
	}

	cat, problems := loadCatalog(builtins, []string{"gamma", "alpha", "missing"}, dir)
	var ids []string
	for _, g := range cat.List() {
		ids = append(ids, g.ID)
	}
	if want := []string{"gamma", "alpha", "beta", "mike", "zulu"}; !slices.Equal(ids, want) {
		t.Errorf("order %v, want %v", ids, want)
	}
	var msgs []string
	for _, p := range problems {
		msgs = append(msgs, p.Error())
	}
	all := strings.Join(msgs, "\n")
	for _, want := range []string{
		"builtin:missing.yaml: ",
		"builtin:bad.yaml:1:1: title is required",
		dup + `:1:5: guide id "zulu" is already taken by the guide in ` + filepath.Join(dir, "a.yml"),
	} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
	if len(problems) != 3 { // missing.yaml, bad.yaml (its problems joined as one), the clash
		t.Errorf("%d problems:\n%s", len(problems), all)
	}
	if g, _ := cat.Get("zulu"); g == nil || filepath.Base(g.File) != "a.yml" {
		t.Errorf("zulu came from %v, want the earlier file a.yml", g)
	}
}

func TestValidateFile(t *testing.T) {
	dir := t.TempDir()
	src, ok := BuiltinSource("spectrum")
	if !ok {
		t.Fatal("no spectrum source")
	}
	own := writeFile(t, dir, "spectrum.yaml", string(src))
	if g, err := ValidateFile(own); err != nil || g.ID != "spectrum" {
		t.Errorf("the built-in guide's own source: %v", err)
	}
	changed := writeFile(t, dir, "changed.yaml", strings.Replace(minimal(2), "id: many-steps", "id: spectrum", 1))
	_, err := ValidateFile(changed)
	if err == nil || !strings.HasPrefix(err.Error(), changed+`:1:5: guide id "spectrum" is already taken by a built-in guide`) {
		t.Errorf("a changed guide with a built-in id: %v", err)
	}
	if _, err := ValidateFile(filepath.Join(dir, "none.yaml")); err == nil || !errors.Is(err, os.ErrNotExist) {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := ValidateFile(dir); err == nil {
		t.Error("a directory validated")
	}
	mine := writeFile(t, dir, "mine.yaml", minimal(3))
	if g, err := ValidateFile(mine); err != nil || len(g.Steps) != 3 || g.File != mine {
		t.Errorf("a good guide: %v", err)
	}
}

func TestEditDistance(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		want int
	}{{"titel", "title", 1}, {"kind", "kind", 0}, {"", "abc", 3}, {"domainfrom", "domain_from", 1}, {"stpes", "steps", 1}} {
		if got := editDistance(tt.a, tt.b); got != tt.want {
			t.Errorf("editDistance(%q, %q) = %d, want %d", tt.a, tt.b, got, tt.want)
		}
	}
	if s := suggestKey("colour"); s != "" {
		t.Errorf("suggestKey(colour) = %q", s)
	}
}

// TestDocsExample parses the example guide in docs/guides.md, so the
// documentation cannot drift from the format.
func TestDocsExample(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "docs", "guides.md"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("(?s)```yaml\n(# [^\n]*acme-erp.yaml\n.*?)```").FindSubmatch(doc)
	if m == nil {
		t.Fatal("docs/guides.md has no example guide")
	}
	g, err := Parse("acme-erp.yaml", m[1])
	if err != nil {
		t.Fatal(err)
	}
	if g.ID != "acme-erp" || len(g.Steps) != 7 {
		t.Errorf("parsed %s with %d steps", g.ID, len(g.Steps))
	}
	// Every role is documented.
	for _, r := range Roles {
		if !strings.Contains(string(doc), "| `"+string(r)+"` | `") {
			t.Errorf("docs/guides.md does not document the role %s", r)
		}
	}
	// Every key the documentation's tables name is a key the loader knows.
	for _, k := range regexp.MustCompile("(?m)^\\| `([a-z_]+)`(?:, `([a-z_]+)`)? \\|").FindAllSubmatch(doc, -1) {
		for _, key := range k[1:] {
			if len(key) > 0 && !slices.Contains(guideKeys, string(key)) && !slices.Contains(Kinds, Kind(key)) &&
				!slices.Contains(AccountModels, AccountModel(key)) && !slices.Contains(Roles, Role(key)) &&
				!slices.Contains(ActionNames, string(key)) && !slices.Contains(CheckNames, string(key)) {
				t.Errorf("docs/guides.md documents %q, which is not a key, kind, account model, role, action or check", key)
			}
		}
	}
}

func TestParseAnchorsAllowed(t *testing.T) {
	src := strings.Replace(minimal(1), "  - id: s0", "  - &first\n    id: s0", 1)
	if _, err := Parse("x.yaml", []byte(src)); err != nil {
		t.Fatal(err)
	}
}

// TestGuideKeys keeps the "did you mean" list in step with the guide model.
func TestGuideKeys(t *testing.T) {
	var keys []string
	for _, v := range []any{Guide{}, Step{}, Field{}, Matrix{}, PasswordPolicy{}, Condition{}, namedWith{}} {
		rt := reflect.TypeOf(v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("yaml"), ",")
			if name != "" && name != "-" && !slices.Contains(keys, name) {
				keys = append(keys, name)
			}
		}
	}
	slices.Sort(keys)
	got := slices.Sorted(slices.Values(guideKeys))
	if !slices.Equal(got, keys) {
		t.Errorf("guideKeys %v\nwant %v", got, keys)
	}
}
