package steps

import (
	"bytes"
	"crypto/rand"
	"errors"
	"io"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"
)

// seed000Specials is the special-character set seed 000 lists:
// ! @ # $ % ^ & * ( ) - _ = + ` ~ ' " , < . > / ? [ { ] } \ | ; :
const seed000Specials = "!@#$%^&*()-_=+`~'\",<.>/?[{]}\\|;:"

func seed000Policy() PasswordPolicy {
	p := DefaultPolicy()
	p.Specials = seed000Specials
	return p
}

func min12Policy() PasswordPolicy {
	p := DefaultPolicy()
	p.MinLength = 12
	return p
}

// policies are the built-in-like policies the property tests run over.
var policies = []struct {
	name string
	p    func() PasswordPolicy
}{
	{"default", DefaultPolicy},
	{"seed000", seed000Policy},
	{"min12", min12Policy},
}

var allRuleIDs = []string{RuleLength, RuleUpper, RuleLower, RuleDigit, RuleSpecial, RuleAllowed}

func ids(rs []RuleResult) []string {
	var out []string
	for _, r := range rs {
		out = append(out, r.ID)
	}
	return out
}

func unmet(rs []RuleResult) []string {
	var out []string
	for _, r := range rs {
		if !r.Met {
			out = append(out, r.ID)
		}
	}
	return out
}

func TestCheckRuleOrderAndText(t *testing.T) {
	rs := DefaultPolicy().Check("")
	if got := ids(rs); !slices.Equal(got, allRuleIDs) {
		t.Fatalf("rule ids = %v, want %v", got, allRuleIDs)
	}
	want := []string{
		"At least 8 characters",
		"An uppercase letter (A-Z)",
		"A lowercase letter (a-z)",
		"A digit (0-9)",
		"One of these special characters: !@#$%^&*",
		"Only letters, digits and the allowed special characters",
	}
	for i, r := range rs {
		if r.Text != want[i] {
			t.Errorf("rule %d text = %q, want %q", i, r.Text, want[i])
		}
	}
}

func TestCheckClassOrderIsFixed(t *testing.T) {
	p := PasswordPolicy{MinLength: 8, Require: []string{"special", "digit", "lower", "upper", "digit"}, Specials: "!"}
	if got := ids(p.Check("x")); !slices.Equal(got, allRuleIDs) {
		t.Fatalf("rule ids = %v, want %v", got, allRuleIDs)
	}
	p = PasswordPolicy{MinLength: 6, Require: []string{"digit"}}
	want := []string{RuleLength, RuleDigit, RuleAllowed}
	if got := ids(p.Check("x")); !slices.Equal(got, want) {
		t.Fatalf("rule ids = %v, want %v", got, want)
	}
	if got := p.Check("x")[0].Text; got != "At least 6 characters" {
		t.Errorf("length text = %q", got)
	}
}

func TestCheck(t *testing.T) {
	def := DefaultPolicy()
	s000 := seed000Policy()
	tests := []struct {
		name  string
		p     PasswordPolicy
		pw    string
		unmet []string
	}{
		{"empty", def, "", []string{RuleLength, RuleUpper, RuleLower, RuleDigit, RuleSpecial}},
		{"all met", def, "Passw0rd!", nil},
		{"length 7", def, "Pass0r!", []string{RuleLength}},
		{"length 8", def, "Pass0rd!", nil},
		{"no upper", def, "passw0rd!", []string{RuleUpper}},
		{"no lower", def, "PASSW0RD!", []string{RuleLower}},
		{"no digit", def, "Password!", []string{RuleDigit}},
		{"no special", def, "Passw0rdX", []string{RuleSpecial}},
		{"space", def, "Pass w0rd!", []string{RuleAllowed}},
		{"leading space", def, " Passw0rd!", []string{RuleAllowed}},
		{"tab", def, "Pass\tw0rd!", []string{RuleAllowed}},
		{"newline", def, "Passw0rd!\n", []string{RuleAllowed}},
		{"NUL", def, "Passw0rd!\x00", []string{RuleAllowed}},
		{"DEL", def, "Passw0rd!\x7f", []string{RuleAllowed}},
		{"unicode letter", def, "Pässw0rd!", []string{RuleAllowed}},
		{"unicode upper is not upper", def, "éässw0rd!", []string{RuleUpper, RuleAllowed}},
		{"fullwidth digit is not digit", def, "Passwörd１!", []string{RuleDigit, RuleAllowed}},
		{"emoji", def, "Passw0rd!🔑", []string{RuleAllowed}},
		{"invalid utf-8", def, "Passw0rd!\xff", []string{RuleAllowed}},
		{"special outside default set", def, "Passw0rd(", []string{RuleSpecial, RuleAllowed}},
		{"special outside default set with one inside", def, "Passw0rd(!", []string{RuleAllowed}},
		{"seed 000 paren", s000, "Passw0rd(", nil},
		{"seed 000 space", s000, "Passw0rd( ", []string{RuleAllowed}},
		{"only specials", s000, "!@#$%^&*()", []string{RuleUpper, RuleLower, RuleDigit}},
		{"unicode counts as one character", PasswordPolicy{MinLength: 4}, "ééé", []string{RuleLength, RuleAllowed}},
		{"no classes required", PasswordPolicy{MinLength: 4}, "abcd", nil},
		{"no specials allowed", PasswordPolicy{MinLength: 4, Require: []string{"lower"}}, "abcd!", []string{RuleAllowed}},
		{"specials allowed though not required", PasswordPolicy{MinLength: 4, Require: []string{"lower"}, Specials: "!"}, "abcd!", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rs := tt.p.Check(tt.pw)
			if got := unmet(rs); !slices.Equal(got, tt.unmet) {
				t.Errorf("unmet = %v, want %v", got, tt.unmet)
			}
			if AllMet(rs) != (len(tt.unmet) == 0) {
				t.Errorf("AllMet = %v with unmet %v", AllMet(rs), tt.unmet)
			}
		})
	}
}

func TestCheckEachSeed000Special(t *testing.T) {
	p := seed000Policy()
	if len(seed000Specials) != 32 {
		t.Fatalf("seed 000 lists 32 specials, the test has %d", len(seed000Specials))
	}
	for _, c := range seed000Specials {
		pw := "Passw0rd" + string(c)
		if rs := p.Check(pw); !AllMet(rs) {
			t.Errorf("%q: unmet %v", c, unmet(rs))
		}
	}
	// Procore's documented set accepts only its eight.
	def := DefaultPolicy()
	for _, c := range seed000Specials {
		met := AllMet(def.Check("Passw0rd" + string(c)))
		if want := strings.ContainsRune(ProcoreSpecials, c); met != want {
			t.Errorf("default policy, %q: all met = %v, want %v", c, met, want)
		}
	}
}

func TestCheckBadPolicySpecialsNeverAdmitSpace(t *testing.T) {
	// An invalid policy (Validate refuses it) still never admits a space,
	// a control character or a non-ASCII letter as a special.
	p := PasswordPolicy{MinLength: 4, Require: []string{"special"}, Specials: " \té!"}
	if got := unmet(p.Check("ab c")); !slices.Equal(got, []string{RuleSpecial, RuleAllowed}) {
		t.Errorf("unmet = %v", got)
	}
	if got := unmet(p.Check("abé!")); !slices.Equal(got, []string{RuleAllowed}) {
		t.Errorf("unmet = %v", got)
	}
	if got := p.Rules()[1].Text; got != "One of these special characters: !" {
		t.Errorf("special text = %q", got)
	}
}

func TestRules(t *testing.T) {
	for _, tc := range policies {
		p := tc.p()
		rs := p.Rules()
		if got := ids(rs); !slices.Equal(got, allRuleIDs) {
			t.Errorf("%s: ids = %v", tc.name, got)
		}
		for i, r := range rs {
			if r.Met {
				t.Errorf("%s: rule %s met before anything is typed", tc.name, r.ID)
			}
			if c := p.Check("Passw0rd!")[i]; c.ID != r.ID || c.Text != r.Text {
				t.Errorf("%s: Rules()[%d] = %+v, Check gives %+v", tc.name, i, r, c)
			}
		}
	}
	if got := min12Policy().Rules()[0].Text; got != "At least 12 characters" {
		t.Errorf("min12 length text = %q", got)
	}
}

func TestValidate(t *testing.T) {
	ok := []PasswordPolicy{
		DefaultPolicy(),
		seed000Policy(),
		min12Policy(),
		{MinLength: 4},
		{MinLength: 128, Require: []string{"lower"}},
		{MinLength: 8, Require: []string{"upper", "digit"}, Specials: "-_"},
	}
	for _, p := range ok {
		if err := p.Validate(); err != nil {
			t.Errorf("%+v: %v", p, err)
		}
	}
	bad := []struct {
		name string
		p    PasswordPolicy
		want string
	}{
		{"min 3", PasswordPolicy{MinLength: 3}, "min_length 3"},
		{"min 0", PasswordPolicy{}, "min_length 0"},
		{"min 129", PasswordPolicy{MinLength: 129}, "min_length 129"},
		{"unknown class", PasswordPolicy{MinLength: 8, Require: []string{"symbol"}}, `require "symbol"`},
		{"duplicate class", PasswordPolicy{MinLength: 8, Require: []string{"digit", "digit"}}, `"digit" twice`},
		{"special without specials", PasswordPolicy{MinLength: 8, Require: []string{"special"}}, "specials"},
		{"space in specials", PasswordPolicy{MinLength: 8, Require: []string{"special"}, Specials: "! "}, "a space"},
		{"letter in specials", PasswordPolicy{MinLength: 8, Require: []string{"special"}, Specials: "!a"}, `'a'`},
		{"digit in specials", PasswordPolicy{MinLength: 8, Require: []string{"special"}, Specials: "!1"}, `'1'`},
		{"tab in specials", PasswordPolicy{MinLength: 8, Require: []string{"special"}, Specials: "!\t"}, `'\t'`},
		{"non-ASCII in specials", PasswordPolicy{MinLength: 8, Require: []string{"special"}, Specials: "!§"}, `'§'`},
		{"repeat in specials", PasswordPolicy{MinLength: 8, Require: []string{"special"}, Specials: "!!"}, `'!' twice`},
		{"bad specials though not required", PasswordPolicy{MinLength: 8, Specials: " "}, "a space"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.p.Validate()
			if err == nil {
				t.Fatal("Validate accepted the policy")
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Errorf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestGenerateProperties(t *testing.T) {
	const n = 2000
	for _, tc := range policies {
		t.Run(tc.name, func(t *testing.T) {
			p := tc.p()
			seen := make(map[string]bool, n)
			for range n {
				pw, err := p.Generate(rand.Reader, 0)
				if err != nil {
					t.Fatal(err)
				}
				if want := max(DefaultGenerateLength, p.MinLength); len(pw) != want {
					t.Fatalf("len = %d, want %d", len(pw), want)
				}
				if rs := p.Check(pw); !AllMet(rs) {
					t.Fatalf("generated password fails %v", unmet(rs))
				}
				if seen[pw] {
					t.Fatal("the same password came out twice")
				}
				seen[pw] = true
			}
		})
	}
}

func TestGenerateLengths(t *testing.T) {
	p := DefaultPolicy()
	for _, length := range []int{8, 9, 12, 64, 128} {
		for range 200 {
			pw, err := p.Generate(rand.Reader, length)
			if err != nil {
				t.Fatalf("length %d: %v", length, err)
			}
			if len(pw) != length || !AllMet(p.Check(pw)) {
				t.Fatalf("length %d: got %d characters, unmet %v", length, len(pw), unmet(p.Check(pw)))
			}
		}
	}
	// Every class fits at the shortest length a policy allows.
	four := PasswordPolicy{MinLength: 4, Require: PasswordClasses, Specials: "!"}
	for range 500 {
		pw, err := four.Generate(rand.Reader, 4)
		if err != nil || !AllMet(four.Check(pw)) {
			t.Fatalf("length 4: %v, unmet %v", err, unmet(four.Check(pw)))
		}
	}
	// A policy whose minimum is above the default length gets its minimum.
	long := PasswordPolicy{MinLength: 32, Require: []string{"lower"}}
	if pw, err := long.Generate(rand.Reader, 0); err != nil || len(pw) != 32 {
		t.Fatalf("min 32, length 0: %d characters, %v", len(pw), err)
	}
}

func TestGenerateRefuses(t *testing.T) {
	p := DefaultPolicy()
	for _, tt := range []struct {
		length int
		want   string
	}{
		{-1, "positive"},
		{1, "at least 8"},
		{7, "at least 8"},
		{129, "at most 128"},
	} {
		if _, err := p.Generate(rand.Reader, tt.length); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("length %d: error %v, want one mentioning %q", tt.length, err, tt.want)
		}
	}
	bad := PasswordPolicy{MinLength: 8, Require: []string{"special"}}
	if _, err := bad.Generate(rand.Reader, 0); err == nil {
		t.Error("a policy requiring a special with none listed generated a password")
	}
}

func TestGenerateUsesOnlyItsSource(t *testing.T) {
	// The same bytes give the same password; different bytes differ.
	p := seed000Policy()
	src := func(seed uint64) io.Reader { return mrand.NewChaCha8([32]byte{byte(seed)}) }
	a, err := p.Generate(src(1), 0)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := p.Generate(src(1), 0)
	c, _ := p.Generate(src(2), 0)
	if a != b {
		t.Error("the same source gave different passwords")
	}
	if a == c {
		t.Error("different sources gave the same password")
	}
}

func TestGenerateSourceRunsOut(t *testing.T) {
	p := DefaultPolicy()
	_, err := p.Generate(bytes.NewReader([]byte{1, 2, 3}), 0)
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Fatalf("err = %v, want io.ErrUnexpectedEOF", err)
	}
	_, err = p.Generate(zeroReader{}, 0)
	if err == nil {
		t.Fatal("a reader that makes no progress gave a password")
	}
	// A source that only ever gives a byte rejection sampling refuses
	// must not loop for ever.
	_, err = p.Generate(constReader(0xff), 0)
	if err == nil || !strings.Contains(err.Error(), "not random") {
		t.Fatalf("err = %v, want a broken-source error", err)
	}
}

type zeroReader struct{}

func (zeroReader) Read([]byte) (int, error) { return 0, nil }

type constReader byte

func (c constReader) Read(b []byte) (int, error) {
	for i := range b {
		b[i] = byte(c)
	}
	return len(b), nil
}

// TestIntnUniform checks that rejection sampling gives every value exactly
// equally often when fed every byte value once per round.
func TestIntnUniform(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	for _, n := range []int{1, 2, 3, 10, 26, 62, 70, 94, 128, 256} {
		s := &randSource{r: bytes.NewReader(all)}
		counts := make([]int, n)
		for range 256 - 256%n {
			v, err := s.intn(n)
			if err != nil {
				t.Fatalf("n=%d: %v", n, err)
			}
			counts[v]++
		}
		for v, c := range counts {
			if c != 256/n {
				t.Fatalf("n=%d: value %d came %d times, want %d", n, v, c, 256/n)
			}
		}
	}
}

// TestGenerateDistribution is a coarse chi-square check that every position
// of a generated password uses the whole alphabet about evenly.
func TestGenerateDistribution(t *testing.T) {
	p := seed000Policy()
	alphabet := upperChars + lowerChars + digitChars + p.specials()
	counts := map[byte]int{}
	total := 0
	for range 3000 {
		pw, err := p.Generate(rand.Reader, 40)
		if err != nil {
			t.Fatal(err)
		}
		for i := range len(pw) {
			counts[pw[i]]++
			total++
		}
	}
	if len(counts) != len(alphabet) {
		t.Fatalf("%d distinct characters, alphabet has %d", len(counts), len(alphabet))
	}
	// The forced class characters skew counts a little; allow for it.
	exp := float64(total) / float64(len(alphabet))
	for _, c := range []byte(alphabet) {
		if got := float64(counts[c]); got < 0.8*exp || got > 1.25*exp {
			t.Errorf("%q: %v times, expected about %.0f", c, got, exp)
		}
	}
}

func FuzzCheck(f *testing.F) {
	for _, s := range []string{"", "Passw0rd!", "Pass w0rd!", "Pässw0rd!", "\x00\xff", "!@#$", "At least 8", "(", strings.Repeat("A", 200)} {
		f.Add(s, 8, "upper,lower,digit,special", ProcoreSpecials)
	}
	f.Add("Passw0rd(", 8, "special,digit", seed000Specials)
	f.Add("abc", 0, "", "")
	f.Add("abc", -5, "symbol,digit,digit", " \t§a")
	f.Fuzz(func(t *testing.T, pw string, minLen int, require, specials string) {
		p := PasswordPolicy{MinLength: minLen, Specials: specials}
		if require != "" {
			p.Require = strings.Split(require, ",")
		}
		rs := p.Check(pw)
		rules := p.Rules()
		classes := p.classes()
		if len(rs) != 2+len(classes) || len(rs) != len(rules) {
			t.Fatalf("%d results for %d classes, Rules gives %d", len(rs), len(classes), len(rules))
		}
		if rs[0].ID != RuleLength || rs[len(rs)-1].ID != RuleAllowed {
			t.Fatalf("ids = %v", ids(rs))
		}
		for i, c := range classes {
			if rs[i+1].ID != c {
				t.Fatalf("ids = %v, classes %v", ids(rs), classes)
			}
		}
		all := true
		for i, r := range rs {
			all = all && r.Met
			if r.Text == "" {
				t.Fatalf("rule %s has no text", r.ID)
			}
			// The text is the policy's alone: it cannot hold the password.
			if r.Text != rules[i].Text || r.ID != rules[i].ID {
				t.Fatalf("Check text %q differs from Rules text %q", r.Text, rules[i].Text)
			}
			// Substring form of the same promise; a password that is part
			// of the fixed sentence itself ("least") is no echo.
			if utf8.RuneCountInString(pw) >= 4 && strings.Contains(r.Text, pw) && !strings.Contains(p.Rules()[i].Text, pw) {
				t.Fatalf("rule %s text holds the password", r.ID)
			}
		}
		if AllMet(rs) != all {
			t.Fatalf("AllMet = %v, rules say %v", AllMet(rs), all)
		}
		// Anything outside printable ASCII, or a space, fails "allowed".
		for _, r := range pw {
			if (r <= ' ' || r >= 0x7f) && rs[len(rs)-1].Met {
				t.Fatalf("%q passed the allowed rule", r)
			}
		}
		if got := rs[0].Met; got != (utf8.RuneCountInString(pw) >= max(minLen, 1)) {
			t.Fatalf("length rule = %v for %d characters, min %d", got, utf8.RuneCountInString(pw), minLen)
		}
	})
}

func FuzzGenerate(f *testing.F) {
	f.Add([]byte{}, 0, 0)
	f.Add([]byte{0, 1, 2, 3}, 0, 1)
	f.Add(bytes.Repeat([]byte{0xff}, 300), 8, 2)
	f.Add(bytes.Repeat([]byte{7}, 300), 4, 3)
	f.Add(bytes.Repeat([]byte{0x42, 0x99, 0x10}, 200), 128, 1)
	f.Fuzz(func(t *testing.T, src []byte, length int, which int) {
		choices := []PasswordPolicy{
			DefaultPolicy(),
			seed000Policy(),
			min12Policy(),
			{MinLength: 4, Require: PasswordClasses, Specials: "!"},
			{MinLength: 4, Require: []string{"digit"}},
		}
		p := choices[uint(which)%uint(len(choices))]
		pw, err := p.Generate(bytes.NewReader(src), length)
		if err != nil {
			if pw != "" {
				t.Fatalf("error %v with a password", err)
			}
			return
		}
		want := length
		if want == 0 {
			want = max(DefaultGenerateLength, p.MinLength)
		}
		if len(pw) != want {
			t.Fatalf("len = %d, want %d", len(pw), want)
		}
		if rs := p.Check(pw); !AllMet(rs) {
			t.Fatalf("generated %q fails %v", pw, unmet(rs))
		}
	})
}
