package steps

import (
	"fmt"
	"slices"
)

// policy checks a guide's password policy.
func (c *checker) policy(p string, pol PasswordPolicy) {
	switch {
	case pol.MinLength == 0:
		c.add(p+".min_length", "password_policy: min_length is required: %d to %d", MinPolicyLength, MaxPasswordLength)
	case pol.MinLength < MinPolicyLength || pol.MinLength > MaxPasswordLength:
		c.add(p+".min_length", "password_policy: min_length %d: use %d to %d", pol.MinLength, MinPolicyLength, MaxPasswordLength)
	}
	seen := map[string]bool{}
	for k, r := range pol.Require {
		rp := fmt.Sprintf("%s.require[%d]", p, k)
		switch {
		case !slices.Contains(PasswordClasses, r):
			c.add(rp, "password_policy: require %s: use %s", quote(r), quoteList(PasswordClasses))
		case seen[r]:
			c.add(rp, "password_policy: require lists %s twice", quote(r))
		}
		seen[r] = true
	}
	if seen[RuleSpecial] && pol.Specials == "" {
		c.add(p+".specials", "password_policy: special characters are required, so list the allowed ones in specials, such as %q", ProcoreSpecials)
	}
	dup := map[rune]bool{}
	for _, r := range pol.Specials {
		switch {
		case r == ' ':
			c.add(p+".specials", "password_policy: specials: a space is not allowed")
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
			c.add(p+".specials", "password_policy: specials: %q is a letter or digit, not a special character", r)
		case r < 0x21 || r > 0x7e:
			c.add(p+".specials", "password_policy: specials: %q is not printable ASCII", r)
		case dup[r]:
			c.add(p+".specials", "password_policy: specials: %q is listed twice", r)
		}
		dup[r] = true
	}
}
