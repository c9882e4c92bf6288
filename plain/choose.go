package plain

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// projectsPage is how many projects a page of the list says.
const projectsPage = 20

// chooseProjects asks which of the company's active projects the step's
// chosen projects are: a numbered list, a page at a time, where the person
// types numbers and ranges to tick or untick ("1,3-5"), a word to narrow
// the list, n and p to page, and enter once done. The choice goes to the
// walk. It returns the projects listed, and chose=false when the person
// went back (b) or there was nothing to choose from.
func (r *Runner) chooseProjects(ctx context.Context, w *steps.Walker) (ps []app.Project, chose bool, err error) {
	r.printf("Reading the company's active projects from Procore, to choose from...\n")
	ctx2, cancel := context.WithTimeout(ctx, automationTimeout)
	ps, err = r.Projects.ActiveProjects(ctx2, app.UsingWalk(w))
	cancel()
	if err != nil {
		if ctx.Err() != nil {
			return nil, false, ctx.Err()
		}
		r.printf("The projects could not be listed: %s\n", procore.Printable(err.Error()))
		return nil, false, nil
	}
	if len(ps) == 0 {
		r.printf("The company has no active project to choose.\n")
		return nil, false, nil
	}
	ticked := map[int64]bool{}
	for _, id := range w.Chosen(w.Current().ID) {
		ticked[id] = true
	}
	r.printf("Choose the projects the account is to be on. Type the numbers of the projects to tick or untick them, for example 1,3-5. " +
		"Type a word to narrow the list (or / and a project number), n or p for the next or previous page, and * to list every project again. " +
		"Press enter when you are done, or type b to go back.\n")
	filter, page, list := "", 0, true
	shown := app.FilterProjects(ps, filter)
	for {
		if list {
			r.listProjects(ps, shown, ticked, page, filter)
			list = false
		}
		ans, err := r.ask("Type numbers to tick, a word to narrow the list, n or p to turn the page, or press enter when you are done: ")
		if errors.Is(err, errBack) {
			return ps, false, nil
		}
		if err != nil {
			return ps, false, err
		}
		ans = strings.TrimSpace(ans)
		pages := (len(shown) + projectsPage - 1) / projectsPage
		switch low := strings.ToLower(ans); {
		case ans == "":
			if len(ticked) == 0 {
				r.printf("No project is chosen yet: tick at least one, or type b to go back.\n")
				continue
			}
			var ids []int64
			for _, p := range ps {
				if ticked[p.ID] {
					ids = append(ids, p.ID)
				}
			}
			app.ChooseProjects(w, ids)
			r.printf("You chose %s: %s.\n", plural(len(ids), "project", "projects"), app.DescribeChosen(ps, ids))
			return ps, true, nil
		case low == "n" || low == "next":
			if page+1 >= pages {
				r.printf("This is the last page.\n")
				continue
			}
			page, list = page+1, true
		case low == "p" || low == "previous":
			if page == 0 {
				r.printf("This is the first page.\n")
				continue
			}
			page, list = page-1, true
		case ans == "*":
			filter, page, list = "", 0, true
			shown = app.FilterProjects(ps, filter)
		case selection.MatchString(ans):
			picked, err := parseSelection(ans, len(shown))
			if err != nil {
				r.printf("%s.\n", capital(err.Error()))
				continue
			}
			var now []string
			for _, i := range picked {
				p := ps[shown[i]]
				ticked[p.ID] = !ticked[p.ID]
				verb := "ticked"
				if !ticked[p.ID] {
					delete(ticked, p.ID)
					verb = "unticked"
				}
				now = append(now, verb+" "+p.Label())
			}
			r.printf("%s. %d chosen.\n", capital(strings.Join(now, "; ")), len(ticked))
		default:
			words := strings.TrimSpace(strings.TrimPrefix(ans, "/"))
			matches := app.FilterProjects(ps, words)
			if len(matches) == 0 {
				r.printf("No project matches %q; the list is as it was.\n", words)
				continue
			}
			filter, shown, page, list = words, matches, 0, true
		}
	}
}

// selection is an answer that names projects by their numbers in the list.
var selection = regexp.MustCompile(`^[0-9][0-9,\s-]*$`)

// parseSelection reads "1,3-5" (commas or spaces between, ranges either
// way round) as the indexes, from 0, of the projects numbered, each once,
// within a list of n.
func parseSelection(s string, n int) ([]int, error) {
	seen := map[int]bool{}
	var out []int
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' }) {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return nil, fmt.Errorf("%q is not a number or a range like 3-5", part)
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil {
				return nil, fmt.Errorf("%q is not a number or a range like 3-5", part)
			}
		}
		a, b = min(a, b), max(a, b)
		if a < 1 || b > n {
			return nil, fmt.Errorf("the list has projects 1 to %d; %s is not among them", n, part)
		}
		for i := a; i <= b; i++ {
			if !seen[i] {
				seen[i] = true
				out = append(out, i-1)
			}
		}
	}
	if len(out) == 0 {
		return nil, errors.New("type the numbers of the projects, for example 1,3-5")
	}
	return out, nil
}

// listProjects says one page of the projects shown, each with its number
// in the list and whether it is ticked.
func (r *Runner) listProjects(ps []app.Project, shown []int, ticked map[int64]bool, page int, filter string) {
	from := page * projectsPage
	to := min(len(shown), from+projectsPage)
	what := fmt.Sprintf("%d active projects", len(ps))
	if filter != "" {
		what = fmt.Sprintf("%d of %d active projects match %q", len(shown), len(ps), filter)
	}
	r.printf("%s; %d chosen. Projects %d to %d:\n", what, len(ticked), from+1, to)
	for i := from; i < to; i++ {
		p := ps[shown[i]]
		mark := "[ ]"
		if ticked[p.ID] {
			mark = "[x]"
		}
		r.printf("  %d. %s %s\n", i+1, mark, p.Label())
	}
	if to < len(shown) {
		r.printf("%d more: type n for the next page.\n", len(shown)-to)
	}
}

// capital is s with its first letter upper case.
func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
