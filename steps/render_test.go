package steps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

func render(t *testing.T, g *Guide, format string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, g, format); err != nil {
		t.Fatalf("render %s: %v", format, err)
	}
	return buf.String()
}

// testGuides is every built-in guide and the test guide that uses every
// kind of step.
func testGuides(t *testing.T) []*Guide {
	t.Helper()
	cat, problems := LoadCatalog("")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	good, err := Parse("good.yaml", readTestdata(t, "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	return append(cat.List(), good)
}

func TestRenderEveryStep(t *testing.T) {
	for _, g := range testGuides(t) {
		t.Run(g.ID, func(t *testing.T) {
			for _, format := range Formats {
				out := render(t, g, format)
				if bytes.ContainsAny([]byte(out), "\x1b\r") {
					t.Errorf("%s: a control character in the output", format)
				}
				for i, st := range g.Steps {
					title := st.Title
					switch format {
					case "text":
						title = fmt.Sprintf("Step %d of %d: %s\n", i+1, len(g.Steps), line(st.Title))
					case "markdown":
						title = fmt.Sprintf("## Step %d of %d: %s\n", i+1, len(g.Steps), mdLine(st.Title))
					case "json":
						var b bytes.Buffer
						enc := json.NewEncoder(&b)
						enc.SetEscapeHTML(false) // as Render writes it
						_ = enc.Encode(st.Title)
						title = strings.TrimSuffix(b.String(), "\n")
					}
					if !strings.Contains(out, title) {
						t.Errorf("%s: step %d: no %q", format, i+1, title)
					}
					if format == "json" {
						continue
					}
					for _, item := range st.Checklist {
						want := "  [ ] " + line(item) + "\n"
						if format == "markdown" {
							want = "- [ ] " + mdLine(item) + "\n"
						}
						if !strings.Contains(out, want) {
							t.Errorf("%s: step %d: no checklist item %q", format, i+1, want)
						}
					}
					for _, f := range st.Fields {
						if !strings.Contains(out, line(f.Label)) && !strings.Contains(out, mdLine(f.Label)) {
							t.Errorf("%s: step %d: no field %q", format, i+1, f.Label)
						}
					}
				}
				if format != "json" && !strings.Contains(out, DescribeAccountModel(g.AccountModel)) {
					t.Errorf("%s: the account model is not in words", format)
				}
			}
		})
	}
}

func TestRenderJSONRoundTrips(t *testing.T) {
	for _, g := range testGuides(t) {
		var back Guide
		if err := json.Unmarshal([]byte(render(t, g, "json")), &back); err != nil {
			t.Fatalf("%s: %v", g.ID, err)
		}
		if !reflect.DeepEqual(normalize(&back), normalize(g)) {
			t.Errorf("%s: the json does not read back the same:\n%+v\n%+v", g.ID, back, *g)
		}
		if back.File != g.File {
			t.Errorf("%s: file %q, want %q", g.ID, back.File, g.File)
		}
	}
}

// normalize makes empty lists nil, as JSON's omitempty leaves them.
func normalize(g *Guide) *Guide {
	c := *g
	c.Steps = make([]Step, len(g.Steps))
	for i, st := range g.Steps {
		if len(st.Checklist) == 0 {
			st.Checklist = nil
		}
		fields := make([]Field, len(st.Fields))
		for j, f := range st.Fields {
			if len(f.Options) == 0 {
				f.Options = nil
			}
			fields[j] = f
		}
		if len(fields) == 0 {
			fields = nil
		}
		st.Fields = fields
		// Where a guide declares an action or a check is the file's, not the JSON's.
		if st.Action != nil {
			a := *st.Action
			a.Pos, a.shape = Pos{}, ""
			st.Action = &a
		}
		if len(st.Checks) == 0 {
			st.Checks = nil
		} else {
			checks := make(CheckList, len(st.Checks))
			for j, ch := range st.Checks {
				ch.Pos, ch.shape = Pos{}, ""
				checks[j] = ch
			}
			st.Checks = checks
		}
		c.Steps[i] = st
	}
	return &c
}

func TestRenderText(t *testing.T) {
	g, err := Parse("good.yaml", readTestdata(t, "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, g, "text")
	for _, want := range []string{
		"Every kind of step\n(your guide, from good.yaml)\nGuide: every-kind\nVendor: Example Vendor\nSource: https://example.com/help/service-account\nAccount model: dedicated user login\n\nA test guide that uses every step kind.\n",
		"Step 1 of 11: Before you start\nKind: notice (info)\n\nYou need to be a company admin in Procore.\n",
		"  - Company email domain: domain; required; for example: \"example.com\"\n",
		"  - Role: choice; optional; one of: \"Admin\", \"Standard\"; default: \"Admin\"\n",
		"  - Account email: email; required; an address on the domain given in \"Company email domain\"\n",
		"  - Seats: number; optional; from 1 to 10; default: \"2\"\n",
		"  - Support contact: email; optional; an address on example.com\n",
		"  [ ] Open the Directory tool\n  [ ] Click \"Add User\"\n",
		"Password for: the integration user\nPassword rules:\n  - At least 10 characters\n  - An uppercase letter\n  - A lowercase letter\n  - A digit\n  - One of: !@#$%^&*\n  - Typed twice, to confirm it\n",
		"                Can Import   Can Export\n  Job Cost      [ ]          [ ]\n  Commitments   [ ]          [ ]\nEvery box must be ticked.\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("text lacks\n%s\nin\n%s", want, out)
		}
	}
	for l := range strings.SplitSeq(out, "\n") {
		if strings.TrimRight(l, " ") != l {
			t.Errorf("trailing space on %q", l)
		}
	}
}

func TestRenderMarkdown(t *testing.T) {
	g, err := Parse("good.yaml", readTestdata(t, "good.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, g, "markdown")
	for _, want := range []string{
		"# Every kind of step\n\n(your guide, from `good.yaml`)\n\n- **Guide:** `every-kind`\n- **Vendor:** Example Vendor\n- **Source:** <https://example.com/help/service-account>\n- **Account model:** dedicated user login\n",
		"## Step 1 of 11: Before you start\n\nKind: `notice` (info)\n",
		"- [ ] Open the Directory tool\n- [ ] Click \"Add User\"\n",
		"- **Role**: choice; optional; one of: `Admin`, `Standard`; default: `Admin`\n",
		"- One of: `!@#$%^&*`\n",
		"| | Can Import | Can Export |\n|---|---|---|\n| Job Cost | [ ] | [ ] |\n| Commitments | [ ] | [ ] |\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("markdown lacks\n%s\nin\n%s", want, out)
		}
	}
}

// TestRenderMarkdownSource checks that only a web address becomes an
// autolink: a breadcrumb source is plain text, as a person wrote it.
func TestRenderMarkdownSource(t *testing.T) {
	cat, problems := LoadCatalog("")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	sp, _ := cat.Get("spectrum")
	out := render(t, sp, "markdown")
	want := "- **Source:** Support Home > Integrations > Dexter + Chaney Spectrum > Tutorials > Superuser: Create a Spectrum Microservice Account In Procore\n"
	if !strings.Contains(out, want) {
		t.Errorf("spectrum's markdown lacks\n%s\nin\n%s", want, out)
	}
	for _, tt := range []struct{ source, want string }{
		{"https://example.com/help/a page", "<https://example.com/help/a%20page>"},
		{"HTTP://example.com/<x>", "<HTTP://example.com/%3Cx%3E>"},
		{"Help > Setup <Admin> [draft]", `Help > Setup \<Admin> \[draft\]`},
		{"ftp://example.com/guide", "ftp://example.com/guide"},
		{"see https://example.com", "see https://example.com"},
	} {
		g := *sp
		g.Source = tt.source
		out := render(t, &g, "markdown")
		if want := "- **Source:** " + tt.want + "\n"; !strings.Contains(out, want) {
			t.Errorf("source %q: markdown lacks %q", tt.source, want)
		}
	}
}

func TestRenderAccountModels(t *testing.T) {
	for _, tt := range []struct {
		m    AccountModel
		want string
	}{
		{UserLogin, "dedicated user login"},
		{LegacyServiceAccount, "legacy service account (retired March 2025)"},
		{DMSA, "Developer Managed Service Account"},
	} {
		if got := DescribeAccountModel(tt.m); got != tt.want {
			t.Errorf("%s: %q, want %q", tt.m, got, tt.want)
		}
		g := &Guide{ID: "x", Title: "X", AccountModel: tt.m, Steps: []Step{{ID: "a", Kind: KindNotice, Title: "A", Body: "B"}}}
		for _, format := range []string{"text", "markdown"} {
			out := render(t, g, format)
			if !strings.Contains(out, tt.want) {
				t.Errorf("%s %s: no %q", tt.m, format, tt.want)
			}
			if legacy := strings.Contains(out, "no longer creates legacy service accounts"); legacy != (tt.m == LegacyServiceAccount) {
				t.Errorf("%s %s: the legacy note shown: %v", tt.m, format, legacy)
			}
		}
	}
}

// TestRenderNoEscapes renders a guide that was never validated, full of
// terminal escapes and markdown: nothing reaches the output raw.
func TestRenderNoEscapes(t *testing.T) {
	evil := "a\x1b[2Jb\u009bc\rd\u202ee\x07"
	g := &Guide{
		ID: "x", Title: evil, Vendor: evil, Summary: evil, AccountModel: DMSA,
		Password: &PasswordPolicy{MinLength: 8, Require: []string{"special"}, Specials: "`*_|"},
		Steps: []Step{
			{ID: "a", Kind: KindInstruction, Title: evil, Body: evil, Checklist: []string{evil}},
			{ID: "b", Kind: KindForm, Title: "T", Fields: []Field{{ID: "f", Label: evil, Type: FieldChoice, Options: []string{evil, "x|y"}, Help: evil}}},
			{ID: "c", Kind: KindMatrix, Title: "M", Matrix: &Matrix{Rows: []string{evil, "r|1"}, Columns: []string{evil}}},
			{ID: "d", Kind: KindPassword, Title: "P", For: evil},
		},
	}
	for _, format := range []string{"text", "markdown"} {
		out := render(t, g, format)
		if strings.ContainsAny(out, "\x1b\u009b\r\u202e\x07") {
			t.Errorf("%s: a control character got through:\n%q", format, out)
		}
	}
	md := render(t, g, "markdown")
	for _, want := range []string{"| r\\|1 | [ ] |", "- One of: `` `*_| ``\n", "`x|y`"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q:\n%s", want, md)
		}
	}
}

func TestRenderDefaultPolicy(t *testing.T) {
	g := &Guide{ID: "x", Title: "X", AccountModel: UserLogin, Steps: []Step{{ID: "p", Kind: KindPassword, Title: "P"}}}
	out := render(t, g, "text")
	want := "Password rules:\n  - At least 8 characters\n  - An uppercase letter\n  - A lowercase letter\n  - A digit\n  - One of: !@#$%^&*\n  - Typed twice, to confirm it\n"
	if !strings.Contains(out, want) {
		t.Errorf("the default policy's rules are not shown:\n%s", out)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestRenderErrors(t *testing.T) {
	g := &Guide{ID: "x", Title: "X", AccountModel: DMSA, Steps: []Step{{ID: "a", Kind: KindNotice, Title: "A", Body: "B"}}}
	if err := Render(&bytes.Buffer{}, g, "yaml"); err == nil || !strings.Contains(err.Error(), `unknown format "yaml"`) {
		t.Errorf("format yaml: %v", err)
	}
	if err := Render(failWriter{}, g, "text"); err == nil {
		t.Error("a failed write was not reported")
	}
}

func TestCodeSpan(t *testing.T) {
	for in, want := range map[string]string{
		"abc":  "`abc`",
		"a`b":  "`` a`b ``",
		"``":   "``` `` ```",
		" a":   "`  a `",
		"":     "``",
		"!@#$": "`!@#$`",
	} {
		if got := codeSpan(in); got != want {
			t.Errorf("codeSpan(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestRenderAutomation: guides show says what the tool does and reads for
// a step, when a step does not apply, and when a field is required.
func TestRenderAutomation(t *testing.T) {
	g, err := Parse("automation.yaml", readTestdata(t, "automation.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	text, md := render(t, g, "text"), render(t, g, "markdown")
	for _, want := range []string{
		"procore-sa does: create_user, which adds the account's user to the Company Directory; if it is there already, finds it\nprocore-sa checks: user_exists\n",
		`procore-sa does: find_user {email_like: "admin-actions-*@procore.com"}, which searches`,
		"procore-sa checks: credential_works, permitted_projects, integration_permissions {levels: \"Directory=read_only\"}\n",
		"Does not apply when \"How\" is \"A vendor's app\": The vendor keeps the credential.\n",
		"required when \"How\" is \"Custom install\"",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("text lacks\n%s\nin\n%s", want, text)
		}
	}
	for _, want := range []string{
		"\nprocore-sa does: `create_user`, which adds the account's user",
		"\nDoes not apply when \"How\" is `A vendor's app`: The vendor keeps the credential.\n",
		"required when \"How\" is `Custom install`",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks\n%s\nin\n%s", want, md)
		}
	}
}
