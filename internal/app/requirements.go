package app

import (
	"fmt"
	"strings"
)

// Tally counts requirements that hold, need fixing, and could not be read.
func Tally(reqs []Requirement) (ok, bad, unknown int) {
	for _, r := range reqs {
		switch {
		case r.Unknown:
			unknown++
		case r.OK:
			ok++
		default:
			bad++
		}
	}
	return ok, bad, unknown
}

// Summary is an audit's one line, as every front-end says it: "12 of 12
// hold", "2 of 12 need fixing; 1 could not be read".
func Summary(reqs []Requirement) string {
	n := len(reqs)
	if n == 0 {
		return "there is nothing to check"
	}
	ok, bad, unknown := Tally(reqs)
	var parts []string
	if bad > 0 {
		verb := "need"
		if bad == 1 {
			verb = "needs"
		}
		parts = append(parts, fmt.Sprintf("%d of %d %s fixing", bad, n, verb))
	} else {
		parts = append(parts, fmt.Sprintf("%d of %d hold", ok, n))
	}
	if unknown > 0 {
		parts = append(parts, fmt.Sprintf("%d could not be read", unknown))
	}
	return strings.Join(parts, "; ")
}
