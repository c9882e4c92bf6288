// Package check is 'procore-sa check': an existing setup audited against
// every check of its guide, read from Procore, nothing changed.
package check

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"unicode/utf8"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// Options are the guide to audit, whose setup, and how to print it.
type Options struct {
	Out     io.Writer
	App     func() *app.App
	Catalog func() (*steps.Catalog, error)

	GuideID string
	User    string
	UserSet bool
	// Projects are --projects: the chosen projects of a guide that has
	// them, as project ids separated by commas.
	Projects    string
	ProjectsSet bool
	JSON        bool
	// Width is the terminal's, 0 when stdout is not one: a table wider
	// than it is printed as one block a requirement, wrapped.
	Width int
}

// NewCmdCheck is 'procore-sa check GUIDE'.
func NewCmdCheck(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Out: f.IOStreams.Out, App: f.App, Catalog: f.Catalog}
	if w, _, ok := f.IOStreams.TerminalSize(); ok {
		opts.Width = w
	}
	cmd := &cobra.Command{
		Use:   "check GUIDE [--user ID|EMAIL] [--projects ID,ID] [--json]",
		Short: "Audit an existing setup against its guide, changing nothing",
		Long: `Audit an existing setup: read from Procore every check the guide declares
and print each requirement, whether it holds, what Procore says now, and how
to fix it in Procore. Nothing is changed.

Directory reads use the company admin's own sign-in ('procore-sa login'):
the --profile given when it holds one, else the admin profile. The
integration's own credential (the --profile's client credentials, or
PROCORE_CLIENT_ID and PROCORE_CLIENT_SECRET) proves what only it can: the
projects it sees, its permissions, that it gets a token at all. A
requirement that cannot be read without one of them is shown as unknown,
with the reason.

--user names the account's directory user (a user ID or an email address);
without it, the account is the guide's own (for a DMSA, the integration's
user, found with its own credential). A name or other value the guide
asks for is checked against the guide's recommended default.

--projects names the projects a guide's "chosen projects" are (hammertech's
specific existing projects), as project ids separated by commas: the audit
then reads the account's membership of those, and leaves out the checks of
the steps that only apply when every project was chosen. Without it, the
guide's default answers hold (hammertech's: all existing projects), so the
checks of the steps they leave out are not read.

Exit 0 only when every requirement holds; 1 when one does not or could not
be read; 2 for a mistake in how check was called.`,
		Example: `  procore-sa login
  procore-sa check dmsa
  procore-sa check syncezy --user sync@example.com
  procore-sa check hammertech --user ht-data-sync@example.com --projects 598134325600001,598134325600004
  procore-sa check admin-helper --json | jq 'select(.ok == false) | .fix'`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usage(errors.New("name one guide to check against (see 'procore-sa guides')"))
			}
			return nil
		},
		ValidArgsFunction: cmdutil.CompleteGuideIDs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.GuideID, opts.UserSet, opts.ProjectsSet = args[0], cmd.Flags().Changed("user"), cmd.Flags().Changed("projects")
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVar(&opts.User, "user", "", "the account's directory user: a user ID or an email address")
	cmd.Flags().StringVar(&opts.Projects, "projects", "", "the guide's chosen projects: project ids separated by commas")
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print one JSON object per requirement, a line each")
	return cmd
}

// Line is one requirement as --json prints it.
type Line struct {
	ID      string `json:"id"`
	Step    string `json:"step"`
	Text    string `json:"text"`
	OK      bool   `json:"ok"`
	Unknown bool   `json:"unknown"`
	State   string `json:"state"`
	Fix     string `json:"fix"`
}

// Run audits the guide's setup and prints each requirement: ErrSilent
// when one does not hold, having printed which.
func Run(ctx context.Context, opts *Options) error {
	cat, err := opts.Catalog()
	if err != nil {
		return err
	}
	g, ok := cat.Get(opts.GuideID)
	if !ok {
		return cmdutil.Usagef("unknown guide %q; see 'procore-sa guides'", opts.GuideID)
	}
	// Outside a walk, what the guide recommends is what is checked: the
	// defaults of its fields (a name it suggests).
	u := app.Using{Guide: g, Values: g.DefaultRoleValues()}
	if opts.UserSet {
		who := strings.TrimSpace(opts.User)
		switch id, err := strconv.ParseInt(who, 10, 64); {
		case who == "":
			return cmdutil.Usage(errors.New("--user: give a user ID or an email address"))
		case err == nil && id > 0:
			u.UserID = id
		case err == nil || !strings.Contains(who, "@"):
			return cmdutil.Usagef("--user %q: give a user ID (a positive number) or an email address", who)
		default:
			u.Values[steps.RoleAccountEmail] = who
		}
	}
	if err := chosenProjects(g, opts, &u); err != nil {
		return err
	}
	core := opts.App()
	defer core.Close()
	reqs, err := core.Check().Audit(ctx, g, u)
	if errors.Is(err, app.ErrNothingToCheck) {
		return fmt.Errorf("guide %q: %w; its steps are checked by hand in the wizard", g.ID, err)
	}
	if err != nil {
		return err
	}
	if opts.JSON {
		err = printJSON(opts.Out, reqs)
	} else {
		err = printTable(opts.Out, g, reqs, opts.Width)
	}
	if err != nil {
		return err
	}
	for _, r := range reqs {
		if !r.OK {
			return cmdutil.ErrSilent
		}
	}
	return nil
}

// chosenProjects puts --projects into u, for a guide with steps about the
// chosen projects: those steps apply, as in a walk that chose specific
// projects. Without it, such a check says how to name them.
func chosenProjects(g *steps.Guide, opts *Options, u *app.Using) error {
	chooses := slices.ContainsFunc(g.Steps, func(st steps.Step) bool { return app.TakesChosenProjects(&st) })
	if !opts.ProjectsSet {
		// The guide's default answers, as a walk that kept them: a step
		// about chosen projects that the default leaves out is not read.
		u.Answers = g.DefaultAnswers()
		if chooses {
			u.ChooseHow = "name them with --projects ID,ID"
		}
		return nil
	}
	if !chooses {
		return cmdutil.Usagef("--projects: guide %q has no step about chosen projects; it checks every project", g.ID)
	}
	seen := map[int64]bool{}
	for _, f := range strings.FieldsFunc(opts.Projects, func(r rune) bool { return r == ',' || r == ' ' }) {
		id, err := strconv.ParseInt(f, 10, 64)
		if err != nil || id <= 0 {
			return cmdutil.Usagef("--projects %q: give project ids (positive numbers) separated by commas", opts.Projects)
		}
		if !seen[id] {
			seen[id] = true
			u.Projects = append(u.Projects, id)
		}
	}
	if len(u.Projects) == 0 {
		return cmdutil.Usage(errors.New("--projects: give at least one project id"))
	}
	u.Answers = app.AnswersChoosing(g)
	return nil
}

func printJSON(w io.Writer, reqs []app.Requirement) error {
	enc := json.NewEncoder(w)
	for _, r := range reqs {
		if err := enc.Encode(Line{ID: r.ID, Step: r.Step, Text: r.Text, OK: r.OK, Unknown: r.Unknown, State: r.State, Fix: r.Fix}); err != nil {
			return err
		}
	}
	return nil
}

// Mark is how a requirement's row begins: held, not held, or unknown.
func Mark(r app.Requirement) string {
	switch {
	case r.OK:
		return "ok"
	case r.Unknown:
		return "??"
	}
	return "NO"
}

func printTable(w io.Writer, g *steps.Guide, reqs []app.Requirement, width int) error {
	var table bytes.Buffer
	tw := tabwriter.NewWriter(&table, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "\tREQUIREMENT\tSTATE\tHOW TO FIX")
	held, unknown := 0, 0
	for _, r := range reqs {
		switch {
		case r.OK:
			held++
		case r.Unknown:
			unknown++
		}
		fmt.Fprintf(tw, "%s\t%s: %s\t%s\t%s\n", Mark(r), cell(r.ID), cell(r.Text), cell(r.State), cell(fixOf(r)))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	lines := strings.Split(strings.TrimSuffix(table.String(), "\n"), "\n")
	widest := 0
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
		widest = max(widest, utf8.RuneCountInString(lines[i]))
	}
	var out strings.Builder
	if width > 0 && widest > width {
		// Too wide for the terminal: a block a requirement, wrapped to it.
		for _, r := range reqs {
			fmt.Fprintf(&out, "%s  %s: %s\n", Mark(r), cell(r.ID), cell(r.Text))
			for _, kv := range [][2]string{{"state", r.State}, {"fix", fixOf(r)}} {
				if kv[1] != "" {
					out.WriteString(wrap(cell(kv[1]), width, fmt.Sprintf("    %-7s", kv[0]+":"), "           ") + "\n")
				}
			}
		}
	} else {
		out.WriteString(strings.Join(lines, "\n") + "\n")
	}
	summary := fmt.Sprintf("\n%d of %d requirements of guide %s hold", held, len(reqs), g.ID)
	if n := len(reqs) - held - unknown; n > 0 {
		summary += fmt.Sprintf("; %d do not", n)
	}
	if unknown > 0 {
		summary += fmt.Sprintf("; %d could not be read", unknown)
	}
	out.WriteString(summary + ".\n")
	_, err := io.WriteString(w, out.String())
	return err
}

// fixOf is a requirement's fix, "-" for one that does not hold and has
// none to give.
func fixOf(r app.Requirement) string {
	if r.Fix == "" && !r.OK {
		return "-"
	}
	return r.Fix
}

// wrap breaks s at spaces into lines of at most width characters (a word
// longer than that has a line of its own), the first after first and the
// rest after indent.
func wrap(s string, width int, first, indent string) string {
	var b strings.Builder
	line, start := first, first
	for _, word := range strings.Fields(s) {
		n := utf8.RuneCountInString(line)
		if line != start && n+1+utf8.RuneCountInString(word) > width {
			b.WriteString(line + "\n")
			line, start = indent, indent
		}
		if line != start {
			line += " "
		}
		line += word
	}
	b.WriteString(line)
	return b.String()
}

// cell is Procore's text made printable and kept to one table cell.
func cell(s string) string {
	return strings.NewReplacer("\t", " ", "\n", " ", "\r", " ").Replace(procore.Printable(s))
}
