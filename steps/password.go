package steps

import (
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"
)

// Rule IDs, stable for screens, tests and JSON output. Check reports them in
// this order: length, then the required classes (upper, lower, digit,
// special), then allowed.
const (
	RuleLength  = "length"
	RuleUpper   = "upper"
	RuleLower   = "lower"
	RuleDigit   = "digit"
	RuleSpecial = "special"
	RuleAllowed = "allowed"
)

// Character classes a policy may require, in the order rules are reported.
var PasswordClasses = []string{RuleUpper, RuleLower, RuleDigit, RuleSpecial}

// Password length limits.
const (
	// MinPolicyLength and MaxPasswordLength bound a policy's min_length.
	MinPolicyLength = 4
	// MaxPasswordLength is the longest password Generate makes.
	MaxPasswordLength = 128
	// DefaultGenerateLength is what Generate makes when asked for length 0
	// (or the policy's minimum, when that is longer).
	DefaultGenerateLength = 20
)

const (
	upperChars = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	lowerChars = "abcdefghijklmnopqrstuvwxyz"
	digitChars = "0123456789"
)

// RuleResult is one password rule and whether a password meets it.
type RuleResult struct {
	ID   string `json:"id"`
	Text string `json:"rule"`
	Met  bool   `json:"met"`
}

// AllMet reports whether every rule is met.
func AllMet(rs []RuleResult) bool {
	for _, r := range rs {
		if !r.Met {
			return false
		}
	}
	return true
}

// Rules lists the policy's rules, none of them met, in the order Check
// reports them: for a screen to show before anything is typed.
func (p PasswordPolicy) Rules() []RuleResult {
	rs := []RuleResult{{ID: RuleLength, Text: lengthText(p.minLength())}}
	for _, c := range p.classes() {
		rs = append(rs, RuleResult{ID: c, Text: p.classText(c)})
	}
	return append(rs, RuleResult{ID: RuleAllowed, Text: "Only letters, digits and the allowed special characters"})
}

// Check reports every rule of the policy for password, in a fixed order:
// length, each required class (upper, lower, digit, special), and last
// that only letters, digits and the policy's special characters are used.
// Space, tab, control characters and anything outside ASCII fail that last
// rule, as Procore's form refuses them. No rule's text holds the password.
func (p PasswordPolicy) Check(password string) []RuleResult {
	specials := p.specials()
	var hasUpper, hasLower, hasDigit, hasSpecial bool
	allowed := true
	n := 0
	for _, r := range password {
		n++
		switch {
		case r >= 'A' && r <= 'Z':
			hasUpper = true
		case r >= 'a' && r <= 'z':
			hasLower = true
		case r >= '0' && r <= '9':
			hasDigit = true
		case r < utf8.RuneSelf && strings.ContainsRune(specials, r):
			hasSpecial = true
		default:
			allowed = false
		}
	}
	rs := p.Rules()
	for i := range rs {
		switch rs[i].ID {
		case RuleLength:
			rs[i].Met = n >= p.minLength()
		case RuleUpper:
			rs[i].Met = hasUpper
		case RuleLower:
			rs[i].Met = hasLower
		case RuleDigit:
			rs[i].Met = hasDigit
		case RuleSpecial:
			rs[i].Met = hasSpecial
		case RuleAllowed:
			rs[i].Met = allowed
		}
	}
	return rs
}

// Validate checks the policy itself: min_length from 4 to 128; require
// entries among upper, lower, digit and special, each at most once; and
// specials, when special is required or specials are given, printable ASCII
// without space, letters, digits or repeats.
func (p PasswordPolicy) Validate() error {
	var errs []error
	if p.MinLength < MinPolicyLength || p.MinLength > MaxPasswordLength {
		errs = append(errs, fmt.Errorf("min_length %d: use %d to %d", p.MinLength, MinPolicyLength, MaxPasswordLength))
	}
	seen := map[string]bool{}
	for _, c := range p.Require {
		switch {
		case !slices.Contains(PasswordClasses, c):
			errs = append(errs, fmt.Errorf("require %q: use upper, lower, digit or special", c))
		case seen[c]:
			errs = append(errs, fmt.Errorf("require lists %q twice", c))
		}
		seen[c] = true
	}
	if seen[RuleSpecial] && p.Specials == "" {
		errs = append(errs, errors.New("specials: special is required, so list the allowed special characters"))
	}
	var bad []string
	dup := map[rune]bool{}
	for _, r := range p.Specials {
		switch {
		case r == ' ':
			bad = append(bad, "a space")
		case !isSpecialChar(r):
			bad = append(bad, fmt.Sprintf("%q", r))
		case dup[r]:
			bad = append(bad, fmt.Sprintf("%q twice", r))
		}
		dup[r] = true
	}
	if len(bad) > 0 {
		errs = append(errs, fmt.Errorf("specials: %s not allowed (printable ASCII punctuation only, each once)", strings.Join(bad, ", ")))
	}
	return errors.Join(errs...)
}

// Generate makes a password of length characters that meets the policy,
// with r as the source of randomness: callers pass crypto/rand.Reader (a
// test may pass a deterministic reader). Length 0 means
// DefaultGenerateLength, or the policy's minimum when that is longer. The
// password has one character of each required class and the rest drawn
// from letters, digits and the policy's specials, shuffled; every choice is
// uniform (rejection sampling, Fisher-Yates). When r runs out the error
// wraps io.ErrUnexpectedEOF.
func (p PasswordPolicy) Generate(r io.Reader, length int) (string, error) {
	if err := p.Validate(); err != nil {
		return "", fmt.Errorf("the password policy is not valid: %w", err)
	}
	if length == 0 {
		length = max(DefaultGenerateLength, p.MinLength)
	}
	classes := p.classes()
	switch {
	case length < 0:
		return "", fmt.Errorf("length %d: a length is a positive number", length)
	case length < p.MinLength:
		return "", fmt.Errorf("length %d: the policy needs at least %d characters", length, p.MinLength)
	case length < len(classes):
		return "", fmt.Errorf("length %d: the policy needs one character of each of %d classes", length, len(classes))
	case length > MaxPasswordLength:
		return "", fmt.Errorf("length %d: at most %d characters", length, MaxPasswordLength)
	}
	src := &randSource{r: r}
	specials := p.specials()
	out := make([]byte, 0, length)
	for _, c := range classes {
		set := classChars(c, specials)
		i, err := src.intn(len(set))
		if err != nil {
			return "", err
		}
		out = append(out, set[i])
	}
	alphabet := upperChars + lowerChars + digitChars + specials
	for len(out) < length {
		i, err := src.intn(len(alphabet))
		if err != nil {
			return "", err
		}
		out = append(out, alphabet[i])
	}
	for i := len(out) - 1; i > 0; i-- {
		j, err := src.intn(i + 1)
		if err != nil {
			return "", err
		}
		out[i], out[j] = out[j], out[i]
	}
	return string(out), nil
}

// minLength is the length rule's figure: the policy's, at least 1.
func (p PasswordPolicy) minLength() int { return max(p.MinLength, 1) }

// classes is the required classes, known ones only, once each, in the
// fixed order of PasswordClasses.
func (p PasswordPolicy) classes() []string {
	var cs []string
	for _, c := range PasswordClasses {
		if slices.Contains(p.Require, c) {
			cs = append(cs, c)
		}
	}
	return cs
}

// specials is the policy's special characters that can be special: printable
// ASCII other than space, letters and digits, once each, in their order.
// Check and Generate use only these, so a bad policy cannot admit a space
// or a control character.
func (p PasswordPolicy) specials() string {
	var b strings.Builder
	for _, r := range p.Specials {
		if isSpecialChar(r) && !strings.ContainsRune(b.String(), r) {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func (p PasswordPolicy) classText(c string) string {
	switch c {
	case RuleUpper:
		return "An uppercase letter (A-Z)"
	case RuleLower:
		return "A lowercase letter (a-z)"
	case RuleDigit:
		return "A digit (0-9)"
	}
	if s := p.specials(); s != "" {
		return "One of these special characters: " + s
	}
	return "A special character (the policy lists none, so no password can meet it)"
}

func lengthText(n int) string {
	if n == 1 {
		return "At least 1 character"
	}
	return fmt.Sprintf("At least %d characters", n)
}

func classChars(c, specials string) string {
	switch c {
	case RuleUpper:
		return upperChars
	case RuleLower:
		return lowerChars
	case RuleDigit:
		return digitChars
	}
	return specials
}

// isSpecialChar reports whether r is printable ASCII punctuation: not a
// space, letter, digit or control character.
func isSpecialChar(r rune) bool {
	return r > ' ' && r < 0x7f &&
		!(r >= 'A' && r <= 'Z') && !(r >= 'a' && r <= 'z') && !(r >= '0' && r <= '9')
}

// maxRejects bounds how many bytes in a row intn may refuse before it
// decides the source is broken. A uniform source is refused at most about a
// third of the time, so a real one never gets near it.
const maxRejects = 1000

// randSource draws uniform small integers from a byte stream.
type randSource struct {
	r   io.Reader
	buf [64]byte
	pos int
	end int
}

func (s *randSource) byte() (byte, error) {
	if s.pos == s.end {
		// One Read at a time: io.ReadAtLeast spins for ever on a reader
		// that returns 0, nil.
		var n int
		var err error
		for range 100 {
			if n, err = s.r.Read(s.buf[:]); n > 0 || err != nil {
				break
			}
		}
		if n == 0 {
			switch {
			case err == nil:
				err = io.ErrNoProgress
			case errors.Is(err, io.EOF):
				err = io.ErrUnexpectedEOF
			}
			return 0, fmt.Errorf("read randomness: %w", err)
		}
		s.pos, s.end = 0, n
	}
	b := s.buf[s.pos]
	s.pos++
	return b, nil
}

// intn returns a uniform integer in [0, n), 1 <= n <= 256, by rejection
// sampling: bytes at or above the largest multiple of n are refused.
func (s *randSource) intn(n int) (int, error) {
	if n < 1 || n > 256 {
		return 0, fmt.Errorf("intn(%d): out of range", n)
	}
	limit := 256 - 256%n
	for range maxRejects {
		b, err := s.byte()
		if err != nil {
			return 0, err
		}
		if int(b) < limit {
			return int(b) % n, nil
		}
	}
	return 0, errors.New("read randomness: the source is not random")
}
