package steps

// TEMPORARY: replaced by the password-policy helper.

// RuleResult is one password rule and whether a password meets it.
type RuleResult struct {
	ID   string `json:"id"`
	Text string `json:"rule"`
	Met  bool   `json:"met"`
}

// Check reports every rule of the policy for password.
func (p PasswordPolicy) Check(password string) []RuleResult { return nil }

// AllMet reports whether every rule is met.
func AllMet(rs []RuleResult) bool {
	for _, r := range rs {
		if !r.Met {
			return false
		}
	}
	return true
}
