package procore

import "testing"

// TestParseLinkFuzzFinding: the fuzzer's "<<>rel=0" gave {"0": "<"}, a
// target of "<" with no ";" before its parameter; such a header names no
// link at all.
func TestParseLinkFuzzFinding(t *testing.T) {
	for _, h := range []string{`<<>rel=0`, `<<>rel=next`, `<<>; rel=next`, `<>; rel=next`, `<a>rel=next`} {
		if got := ParseLink(h); len(got) != 0 {
			t.Errorf("ParseLink(%q) = %q, want no links", h, got)
		}
	}
}
