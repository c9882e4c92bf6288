package app

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// Project is an active project of the company as a person chooses it:
// Procore's number and name, made printable.
type Project struct {
	ID     int64
	Number string // "" when the project has none
	Name   string
}

// Label is the project as a list shows it: "0001 Riverside Clinic", the
// name alone when it has no number.
func (p Project) Label() string {
	if p.Number == "" {
		return p.Name
	}
	return p.Number + " " + p.Name
}

type projectLister struct{ a *App }

// Projects lists, with the admin's sign-in, the projects a person can
// choose from.
func (a *App) Projects() ProjectLister { return projectLister{a} }

func (l projectLister) ActiveProjects(ctx context.Context, u Using) ([]Project, error) {
	c, err := l.a.AdminSignIn(ctx, u.Admin, nil)
	if err != nil {
		return nil, err
	}
	var out []Project
	for p, err := range c.Projects(ctx, procore.ProjectFilter{}) {
		if err != nil {
			return nil, fmt.Errorf("list the active projects: %w", err)
		}
		out = append(out, Project{ID: p.ID, Number: oneLine(p.Number), Name: oneLine(p.Name)})
	}
	SortProjects(out)
	return out, nil
}

// oneLine is Procore's text made printable and kept to one line of a list.
func oneLine(s string) string {
	return strings.Join(strings.Fields(procore.Printable(s)), " ")
}

// SortProjects orders projects as a person looks for one: by name, then
// number, then id, the numbers within them by value ("Phase 2" before
// "Phase 10").
func SortProjects(ps []Project) {
	slices.SortStableFunc(ps, func(a, b Project) int {
		return cmp.Or(natural(strings.ToLower(a.Name), strings.ToLower(b.Name)),
			natural(a.Number, b.Number), cmp.Compare(a.ID, b.ID))
	})
}

// natural compares a and b with each run of digits taken as a number.
func natural(a, b string) int {
	for a != "" && b != "" {
		da, db := digits(a), digits(b)
		if da > 0 && db > 0 {
			na, nb := strings.TrimLeft(a[:da], "0"), strings.TrimLeft(b[:db], "0")
			if c := cmp.Or(cmp.Compare(len(na), len(nb)), cmp.Compare(na, nb)); c != 0 {
				return c
			}
			a, b = a[da:], b[db:]
			continue
		}
		if a[0] != b[0] {
			return cmp.Compare(a[0], b[0])
		}
		a, b = a[1:], b[1:]
	}
	return cmp.Compare(len(a), len(b))
}

// digits is the length of the run of ASCII digits s begins with.
func digits(s string) int {
	n := 0
	for n < len(s) && s[n] >= '0' && s[n] <= '9' {
		n++
	}
	return n
}

// FilterProjects is the indexes of the projects that match q: each of its
// words, in any case, is in the project's number, name or id. An empty q
// matches every project.
func FilterProjects(ps []Project, q string) []int {
	words := strings.Fields(strings.ToLower(q))
	out := make([]int, 0, len(ps))
	for i, p := range ps {
		hay := strings.ToLower(p.Number + " " + p.Name + " " + strconv.FormatInt(p.ID, 10))
		if !slices.ContainsFunc(words, func(w string) bool { return !strings.Contains(hay, w) }) {
			out = append(out, i)
		}
	}
	return out
}

// TakesChosenProjects reports whether the step's action or one of its
// checks is about the projects the person chooses (projects: chosen).
func TakesChosenProjects(st *steps.Step) bool {
	if st.Action != nil && namesChosen(st.Action.With) {
		return true
	}
	return slices.ContainsFunc(st.Checks, func(c steps.Check) bool { return namesChosen(c.With) })
}

func namesChosen(with map[string]string) bool {
	return strings.EqualFold(strings.TrimSpace(with["projects"]), "chosen")
}

// ChooseProjects records the person's choice of projects for the walk's
// current step, in the order given, each once; the step's action and
// checks, and the audit after it, then take them. A choice made again
// replaces the last; an empty one forgets it.
func ChooseProjects(w *steps.Walker, ids []int64) {
	seen := map[int64]bool{}
	var keep []int64
	for _, id := range ids {
		if id > 0 && !seen[id] {
			seen[id] = true
			keep = append(keep, id)
		}
	}
	w.Choose(w.Current().ID, keep)
}

// chosenProjects is the walk's choice of projects: the current step's, else
// that of the latest step before it that applies (the audit takes the
// choice its guide's step made).
func chosenProjects(w *steps.Walker) []int64 {
	for i := min(w.Session.Step, len(w.Guide.Steps)-1); i >= 0; i-- {
		st := &w.Guide.Steps[i]
		if ok, _ := st.Applies(w.Session.Values); !ok {
			continue
		}
		if ids := w.Chosen(st.ID); len(ids) > 0 {
			return ids
		}
	}
	return nil
}

// DescribeChosen says the projects chosen, by their labels where ps knows
// them: "0001 Riverside Clinic, 0002 Harbor Tower".
func DescribeChosen(ps []Project, ids []int64) string {
	byID := make(map[int64]Project, len(ps))
	for _, p := range ps {
		byID[p.ID] = p
	}
	out := make([]string, len(ids))
	for i, id := range ids {
		if p, ok := byID[id]; ok {
			out[i] = p.Label()
		} else {
			out[i] = fmt.Sprintf("project %d", id)
		}
	}
	return strings.Join(out, ", ")
}

// AnswersChoosing are the answers that make the guide's steps about the
// chosen projects apply, for an audit of chosen projects outside a walk:
// each such step's skip_if field gets the first of its options that does
// not skip it, so that the steps that only apply to the other answer (all
// projects) are left out, as in a walk that chose. Nil when no such step is
// skipped by an answer.
func AnswersChoosing(g *steps.Guide) map[string]string {
	var out map[string]string
	for i := range g.Steps {
		st := &g.Steps[i]
		if st.SkipIf == nil || !TakesChosenProjects(st) {
			continue
		}
		f := fieldOf(g, st.SkipIf.Field)
		if f == nil {
			continue
		}
		for _, o := range f.Options {
			if o != st.SkipIf.Is {
				if out == nil {
					out = map[string]string{}
				}
				out[f.ID] = o
				break
			}
		}
	}
	return out
}

// fieldOf is the guide's field with id, or nil.
func fieldOf(g *steps.Guide, id string) *steps.Field {
	for i := range g.Steps {
		for j := range g.Steps[i].Fields {
			if g.Steps[i].Fields[j].ID == id {
				return &g.Steps[i].Fields[j]
			}
		}
	}
	return nil
}
