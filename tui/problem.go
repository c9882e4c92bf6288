package tui

import (
	"strings"

	"github.com/procore-sa/procore-sa/internal/explain"
)

// problemView draws a failure as a person reads it first: one sentence of
// what happened and what to do (explain.Of), with prefix ("✗ "); the whole
// text follows only once the person asked for the details (the Details
// key), so that raw network or HTTP words never stand in for an answer.
func problemView(sh *shared, err error, width int, then string) string {
	if err == nil {
		return ""
	}
	st := sh.styles
	x := explain.Of(err)
	var b strings.Builder
	b.WriteString(st.Error.Render(wrap("✗ "+x.Sentence, width, 2)))
	if then != "" {
		b.WriteString("\n" + wrap(then, width, 0))
	}
	switch {
	case sh.details && x.HasMore():
		b.WriteString("\n\n" + st.Subtle.Render(wrap("Details: "+x.Detail, width, 0)))
	case x.HasMore():
		b.WriteString("\n" + st.Subtle.Render(wrap(sh.keys.Details.Help().Key+" shows the details.", width, 0)))
	}
	return b.String()
}

// safeThen is what a capture says after a failure that did not judge the
// credential: Procore was not reached, failed, or asked to wait.
const safeThen = "The secret you typed is still here and was not judged. Press enter to try again, or untick \"Check them with Procore\" to keep it without checking."
