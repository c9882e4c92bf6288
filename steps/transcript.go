package steps

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Transcript is the support record of a walk through g: each step, when it
// was completed, what was ticked and entered. It holds no secret: a password
// step records only that a password was accepted, and a value whose field id
// names a password, secret or token is withheld even if a guide asks for one
// in a form.
func Transcript(g *Guide, s *Session) []byte {
	var b bytes.Buffer
	stamp := func(t time.Time) string {
		if t.IsZero() {
			return "not completed"
		}
		return t.UTC().Format(time.RFC3339)
	}
	fmt.Fprintf(&b, "# %s\n\n", mdLine(g.Title))
	fmt.Fprintf(&b, "- Guide: `%s` (%s)\n", g.ID, DescribeAccountModel(g.AccountModel))
	if g.Vendor != "" {
		fmt.Fprintf(&b, "- Vendor: %s\n", mdLine(g.Vendor))
	}
	fmt.Fprintf(&b, "- Started: %s\n", stamp(s.StartedAt))
	fmt.Fprintf(&b, "- Finished: %s\n", stamp(s.Finished))
	for i, st := range g.Steps {
		fmt.Fprintf(&b, "\n## Step %d of %d: %s\n\n", i+1, len(g.Steps), mdLine(st.Title))
		at, done := s.Completed[st.ID]
		o, hasOutcome := s.Outcomes[st.ID]
		switch {
		case hasOutcome:
			fmt.Fprintf(&b, "%s.\n", mdLine(o.Describe()))
		case done:
			fmt.Fprintf(&b, "Completed %s.\n", stamp(at))
		default:
			b.WriteString("Not completed.\n")
		}
		// The ticks are the person's own: a step procore-sa did has none,
		// and shows none.
		if len(st.Checklist) > 0 && !(hasOutcome && (o.Kind == OutcomeDone || o.Kind == OutcomeSkipped || o.Kind == OutcomeNotApplicable)) {
			b.WriteString("\n")
			ticks := s.Checked[st.ID]
			for j, item := range st.Checklist {
				mark := " "
				if j < len(ticks) && ticks[j] {
					mark = "x"
				}
				fmt.Fprintf(&b, "- [%s] %s\n", mark, mdLine(item))
			}
		}
		if len(st.Fields) > 0 {
			b.WriteString("\n")
			for _, f := range st.Fields {
				v := s.Values[f.ID]
				switch {
				case sensitive(f.ID):
					v = "(withheld)"
				case v == "":
					v = "(empty)"
				default:
					v = codeSpan(line(v))
				}
				fmt.Fprintf(&b, "- %s: %s\n", mdLine(f.Label), v)
			}
		}
		if ids := s.Chosen[st.ID]; len(ids) > 0 {
			b.WriteString("\n")
			fmt.Fprintf(&b, "- Projects chosen: %s\n", joinIDs(ids))
		}
		if st.Kind == KindPassword && !hasOutcome {
			if done {
				b.WriteString("\nA password meeting every rule was set; it is not recorded.\n")
			}
		}
		if st.Matrix != nil {
			b.WriteString("\n")
			rows := s.Cells[st.ID]
			fmt.Fprintf(&b, "| | %s |\n|---|%s\n", strings.Join(mdCells(st.Matrix.Columns), " | "),
				strings.Repeat("---|", len(st.Matrix.Columns)))
			for r, row := range st.Matrix.Rows {
				cells := make([]string, len(st.Matrix.Columns))
				for c := range cells {
					cells[c] = " "
					if r < len(rows) && c < len(rows[r]) && rows[r][c] {
						cells[c] = "x"
					}
				}
				fmt.Fprintf(&b, "| %s | %s |\n", mdCell(row), strings.Join(cells, " | "))
			}
		}
	}
	return b.Bytes()
}

// joinIDs is "12, 34, 56".
func joinIDs(ids []int64) string {
	out := make([]string, len(ids))
	for i, id := range ids {
		out[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(out, ", ")
}

func mdCells(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = mdCell(s)
	}
	return out
}

// sensitive reports whether a field id names something never to record.
func sensitive(id string) bool {
	id = strings.ToLower(id)
	for _, w := range []string{"password", "secret", "token", "passphrase"} {
		if strings.Contains(id, w) {
			return true
		}
	}
	return false
}
