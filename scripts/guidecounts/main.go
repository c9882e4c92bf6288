// Command guidecounts prints, for each built-in guide, how many of its
// steps procore-sa does itself, how many it only checks, and how many are
// left to the person, measured from the guide files: the figure behind
// "how much of a setup does the tool do".
//
//	go run ./scripts/guidecounts
package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/procore-sa/procore-sa/steps"
)

// Counts is how one guide's steps divide.
type Counts struct {
	Guide string
	Steps int
	// Tool: procore-sa does the step (a kind it does, or an action), each
	// with the checklist kept for doing it by hand.
	Tool int
	// Checked: the person does it and procore-sa reads Procore to prove it.
	Checked int
	// Manual: the person does it and nothing reads it back (a password, the
	// ERP boxes no API field sets, clicks in the Developer Portal).
	Manual int
	// Info: a page to read, a form to fill in (without a check) or the
	// audit: nothing to do in Procore.
	Info int
	// Requirements is how many checks the guide's audit reads.
	Requirements int
}

// Count divides g's steps.
func Count(g *steps.Guide) Counts {
	c := Counts{Guide: g.ID, Steps: len(g.Steps), Requirements: len(g.AllChecks())}
	for i := range g.Steps {
		st := &g.Steps[i]
		switch {
		case st.Automated():
			c.Tool++
		case len(st.Checks) > 0:
			c.Checked++
		case st.Kind == steps.KindNotice || st.Kind == steps.KindForm || st.Kind == steps.KindAudit:
			c.Info++
		default:
			c.Manual++
		}
	}
	return c
}

func write(w io.Writer, all []Counts) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "guide\tsteps\tby the tool\tchecked\tmanual\tto read or fill in\trequirements audited\t")
	for _, c := range all {
		fmt.Fprintf(tw, "%s\t%d\t%d\t%d\t%d\t%d\t%d\t\n", c.Guide, c.Steps, c.Tool, c.Checked, c.Manual, c.Info, c.Requirements)
	}
	return tw.Flush()
}

func run(w io.Writer) error {
	cat, problems := steps.LoadCatalog("")
	if len(problems) > 0 {
		return fmt.Errorf("built-in guides: %v", problems)
	}
	var all []Counts
	for _, g := range cat.List() {
		if !strings.HasPrefix(g.File, "builtin:") {
			continue
		}
		all = append(all, Count(g))
	}
	return write(w, all)
}

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "guidecounts:", err)
		os.Exit(1)
	}
}
