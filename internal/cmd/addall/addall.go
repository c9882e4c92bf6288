// Package addall is 'procore-sa add-all': a user added to every active
// project, resumably.
package addall

import (
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/state"
)

// Options are the run's settings: the flags, and where it talks.
type Options struct {
	IO         *iostreams.IOStreams
	App        func() *app.App
	Profile    string
	TargetArgs string // the flags that chose where the run went, for the resume line

	User, Template, Resume, Report string
	NewProjects, DryRun, JSON      bool

	TemplateSet, NewProjectsSet bool // given, not defaulted: a resume checks them
}

// NewCmdAddAll is 'procore-sa add-all'.
func NewCmdAddAll(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, App: f.App}
	cmd := &cobra.Command{
		Use:   "add-all --user ID|EMAIL",
		Short: "Add a user to every active project, resumably",
		Long: `Add a user to every active project of the company, resumably.

Plan first (the user's project assignments, the template checked to exist),
then act: bulk_add 1,000 projects a call, or one project at a time where
bulk_add is refused, within Procore's rate limits. Every confirmed project is
journaled under the state directory's runs/, so a run stopped at any moment
resumes with --resume RUN, re-planning from Procore's state; a resumed run
does what its journal says, and refuses --user, --template or --new-projects
that say otherwise. One run at a time per user and company: a second is
refused (exit 1) naming the run that holds the lock. Exit status 0 only when
every project ended with the user a member.`,
		Example: "  procore-sa add-all --user sync@example.com --template Standard --new-projects\n  procore-sa add-all --resume 20261123T101500Z-ab12",
		Args:    cmdutil.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.User == "" && opts.Resume == "" {
				return cmdutil.Usage(errors.New("name the user with --user ID or --user EMAIL (or resume a run with --resume RUN)"))
			}
			opts.TemplateSet, opts.NewProjectsSet = cmd.Flags().Changed("template"), cmd.Flags().Changed("new-projects")
			opts.Profile, opts.TargetArgs = f.Flags.Profile, f.TargetArgs()
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.User, "user", "", "the user to add: a company user ID or email address")
	fl.StringVar(&opts.Template, "template", "", "permission template for the new memberships: ID or name")
	fl.BoolVar(&opts.NewProjects, "new-projects", false, "also set the user to be added to every new project")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the plan and change nothing")
	fl.StringVar(&opts.Resume, "resume", "", "resume the run with this id (from runs/ in the state directory)")
	fl.StringVar(&opts.Report, "report", "", "write one CSV row per project to FILE.csv")
	fl.BoolVar(&opts.JSON, "json", false, "print events as JSON lines")
	return cmd
}

// resumeConflicts refuses flags given with --resume that say otherwise than
// its journal: the journal says what the run does.
func resumeConflicts(f *Options, h addall.JournalHeader) error {
	var why []string
	if f.User != "" && !sameUser(f.User, h) {
		why = append(why, fmt.Sprintf("--user %s names another user than the journal's, user %d (%s)", f.User, h.UserID, cmp.Or(h.UserEmail, h.UserLogin, "no address recorded")))
	}
	if f.TemplateSet && !sameTemplate(f.Template, h.Template) {
		was := "no template"
		if strings.TrimSpace(h.Template) != "" {
			was = fmt.Sprintf("template %q", h.Template)
		}
		why = append(why, fmt.Sprintf("--template %q is not the journal's %s", f.Template, was))
	}
	if f.NewProjectsSet && f.NewProjects != h.NewProjects {
		was := "off"
		if h.NewProjects {
			was = "on"
		}
		why = append(why, fmt.Sprintf("--new-projects=%t, but the journal had it %s", f.NewProjects, was))
	}
	if len(why) == 0 {
		return nil
	}
	return fmt.Errorf("--resume %s does what its journal says, but %s: drop the flag to resume, or start a new run without --resume",
		h.Run, strings.Join(why, "; "))
}

func sameUser(who string, h addall.JournalHeader) bool {
	if id, err := strconv.ParseInt(who, 10, 64); err == nil {
		return id == h.UserID
	}
	return (h.UserEmail != "" && strings.EqualFold(who, h.UserEmail)) || (h.UserLogin != "" && strings.EqualFold(who, h.UserLogin))
}

func sameTemplate(a, b string) bool {
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	return strings.EqualFold(a, b)
}

// eventLine is one JSON line of --json.
type eventLine struct {
	Event     string  `json:"event"`
	Run       string  `json:"run,omitempty"`
	ProjectID int64   `json:"project_id,omitempty"`
	Project   string  `json:"project,omitempty"`
	Reason    string  `json:"reason,omitempty"`
	WaitS     float64 `json:"wait_s,omitempty"`
	Done      int     `json:"done,omitempty"`
	Total     int     `json:"total,omitempty"`
	ToAdd     *int    `json:"to_add,omitempty"`
	Already   *int    `json:"already,omitempty"`
	Inactive  *int    `json:"inactive,omitempty"`
	Template  string  `json:"template,omitempty"`
	Added     *int    `json:"added,omitempty"`
	Failed    *int    `json:"failed,omitempty"`
	OK        *bool   `json:"ok,omitempty"`
}

func intp(v int) *int { return &v }

// Run plans, acts and reports.
func Run(ctx context.Context, f *Options) (err error) {
	core := f.App()
	defer core.Close()
	stdout, stderr := f.IO.Out, f.IO.ErrOut
	began := time.Now()
	st, err := core.State()
	if err != nil {
		return err
	}
	var mu sync.Mutex // events come from several goroutines
	out := func(l eventLine) {
		mu.Lock()
		defer mu.Unlock()
		b, _ := json.Marshal(l)
		fmt.Fprintln(stdout, string(b))
	}
	// What to do: from the flags, or from the journal of the run resumed,
	// which the flags may not contradict.
	req := addall.Request{Template: f.Template, NewProjects: f.NewProjects}
	var header *addall.JournalHeader
	run := f.Resume
	if run != "" {
		h, _, err := core.ReadRun(run)
		if err != nil {
			return err
		}
		if err := resumeConflicts(f, h); err != nil {
			return cmdutil.Usage(err)
		}
		header, req = &h, h.Request()
	}

	var progress func(addall.Event)
	// The directory is changed with the profile's sign-in (an admin's, or
	// a DMSA that is a Directory Admin); under --demo with nothing stored,
	// the simulator's admin.
	c, _, err := core.ClientFor(ctx, f.Profile, app.DemoAdmin, func(e procore.Event) {
		if progress != nil {
			progress(addall.EventFromClient(e))
		}
	})
	if err != nil {
		return err
	}

	var user *procore.User
	if header != nil {
		if header.CompanyID != c.CompanyID() {
			return cmdutil.Usage(fmt.Errorf("run %s is for company %d, not company %d: resume it with --company %d",
				run, header.CompanyID, c.CompanyID(), header.CompanyID))
		}
		if err := addall.CheckUser(ctx, c, *header); err != nil {
			return stoppedBeforeActing(ctx, stderr, err)
		}
		user = &procore.User{ID: header.UserID}
	} else {
		if user, err = app.LookupUser(ctx, c, f.User); err != nil {
			return stoppedBeforeActing(ctx, stderr, err)
		}
		req.UserID = user.ID
		run = addall.NewRunID(time.Now())
	}
	if !f.DryRun {
		// Before planning: a second run for the user must change nothing.
		lock, err := core.LockRun(c.CompanyID(), req.UserID, run)
		if err != nil {
			return err
		}
		defer lock.Release()
	}

	// Planning a large company takes minutes: say what has been read and
	// what it waits for, every few seconds.
	planning, lastPlan := app.StartPlanning(time.Now()), time.Now()
	progress = func(e addall.Event) {
		mu.Lock()
		defer mu.Unlock()
		planning.Apply(e)
		if f.JSON {
			return // the planned line comes first; it says what was read
		}
		switch e.Kind {
		case "wait", "retry":
			fmt.Fprintf(stdout, "  %s: %s\n", e.Kind, e.Reason)
		case "reading":
			if time.Since(lastPlan) > 2*time.Second {
				lastPlan = time.Now()
				fmt.Fprintf(stdout, "  planning: %s\n", planning.Line(time.Now()))
			}
		}
	}
	plan, err := addall.MakePlanEmitting(ctx, c, req, progress)
	progress = nil
	if err != nil {
		return stoppedBeforeActing(ctx, stderr, err)
	}
	if f.JSON {
		out(eventLine{Event: "planned", Run: run, ToAdd: intp(len(plan.ToAdd)), Already: intp(len(plan.Already)),
			Inactive: intp(plan.Inactive), Template: plan.TemplateName, Total: plan.Total()})
	} else {
		tmpl := "no template"
		if plan.TemplateName != "" {
			tmpl = fmt.Sprintf("template %q (%d)", plan.TemplateName, plan.TemplateID)
		}
		fmt.Fprintf(stdout, "Plan for user %d in company %d: %d projects to add, %d already a member, %d inactive skipped; %s.\n",
			req.UserID, c.CompanyID(), len(plan.ToAdd), len(plan.Already), plan.Inactive, tmpl)
		if !f.DryRun {
			// Printed before acting, so a run killed outright can still be
			// resumed by name.
			fmt.Fprintf(stdout, "Run %s; its journal is %s\n", run, st.Path("runs/"+run+".jsonl"))
		}
	}
	if f.DryRun {
		if !f.JSON {
			fmt.Fprintln(stdout, "Dry run: nothing was changed.")
		}
		return nil
	}

	j, w, err := core.OpenJournal(run, *user, c.CompanyID())
	if err != nil {
		return err
	}
	defer w.Close()

	last := time.Time{}
	prog := app.StartProgress(plan)
	progress = func(e addall.Event) {
		if f.JSON {
			if e.Kind == "planned" || e.Kind == "done" {
				return // the command's own planned and report lines say these
			}
			l := eventLine{Event: e.Kind, Reason: e.Reason, WaitS: e.Wait.Seconds(), Done: e.Done, Total: e.Total}
			if e.Project != nil {
				l.ProjectID, l.Project = e.Project.ID, e.Project.Name
			}
			out(l)
			return
		}
		mu.Lock()
		defer mu.Unlock()
		prog.Apply(e)
		switch e.Kind {
		case "new_projects":
			// The summary says whether it was set.
		case "wait", "retry", "fallback", "failed":
			msg := e.Reason
			if e.Project != nil {
				msg = fmt.Sprintf("project %d (%s): %s", e.Project.ID, e.Project.Name, e.Reason)
			}
			fmt.Fprintf(stdout, "  %s: %s\n", e.Kind, msg)
		case "added", "already":
			if time.Since(last) > 2*time.Second || e.Done == e.Total {
				last = time.Now()
				fmt.Fprintf(stdout, "  %s\n", prog.Line(e.At))
			}
		}
	}
	rep, runErr := addall.Run(ctx, c, plan, j, progress)
	progress = nil
	if rep != nil && f.Report != "" {
		if err := writeReportCSV(f.Report, rep); err != nil {
			fmt.Fprintln(stderr, "procore-sa:", err)
		}
	}
	if runErr != nil && rep != nil && !f.JSON {
		fmt.Fprintf(stdout, "So far: %d added, %d already a member, %d failed, %d not done yet.\n",
			rep.Count(addall.OutcomeAdded), rep.Count(addall.OutcomeAlready), rep.Count(addall.OutcomeFailed), len(rep.Pending))
	}
	resume := fmt.Sprintf("procore-sa%s add-all --resume %s", f.TargetArgs, run)
	if errors.Is(runErr, context.Canceled) || ctx.Err() != nil {
		fmt.Fprintf(stderr, "Stopped; what was confirmed is journaled. Resume with: %s\n", resume)
		return cmdutil.ErrCancel
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "Resume with: %s\n", resume)
		if procore.StatusOf(runErr) == http.StatusForbidden {
			return fmt.Errorf("%w. Changing the company directory takes a Directory Admin: sign in as a company admin with 'procore-sa login' and give that profile with --profile", runErr)
		}
		return runErr
	}
	added, already, failedN := rep.Count(addall.OutcomeAdded), rep.Count(addall.OutcomeAlready), rep.Count(addall.OutcomeFailed)
	if f.JSON {
		ok := rep.OK()
		out(eventLine{Event: "report", Run: run, Added: intp(added), Already: intp(already), Failed: intp(failedN), OK: &ok})
	} else {
		// The whole run: finding the user and planning included.
		fmt.Fprintf(stdout, "Done in %s with %d requests: %d added, %d already a member, %d failed.\n",
			time.Since(began).Round(100*time.Millisecond), plan.Requests+rep.Requests, added, already, failedN)
		for _, r := range rep.Results {
			if r.Outcome == addall.OutcomeFailed {
				fmt.Fprintf(stdout, "  failed: project %d (%s): %s\n", r.ID, r.Name, r.Reason)
			}
		}
		if plan.Request.NewProjects {
			if rep.NewProjectsSet {
				fmt.Fprintln(stdout, "The user will be added to every new project.")
			} else {
				fmt.Fprintln(stdout, "Could not set add to new projects: "+rep.NewProjectsReason)
			}
		}
	}
	if !rep.OK() {
		return cmdutil.ErrSilent
	}
	return nil
}

// stoppedBeforeActing is the end of a run stopped or failed while finding
// the user or planning, before anything was changed.
func stoppedBeforeActing(ctx context.Context, stderr io.Writer, err error) error {
	if ctx.Err() != nil {
		fmt.Fprintln(stderr, "Stopped before anything was changed.")
		return cmdutil.ErrCancel
	}
	return err
}

// writeReportCSV writes one row per project as a new file (0600) that
// replaces whatever regular file was at path; a link there is refused.
func writeReportCSV(path string, rep *addall.Report) error {
	var b bytes.Buffer
	if err := writeCSV(&b, rep); err != nil {
		return fmt.Errorf("write the report %s: %w", path, err)
	}
	if err := state.ReplaceFile(path, b.Bytes()); err != nil {
		return fmt.Errorf("the report was not written: %w", err)
	}
	return nil
}

func writeCSV(w io.Writer, rep *addall.Report) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"project_id", "project", "outcome", "reason"})
	for _, r := range rep.Results {
		_ = cw.Write([]string{strconv.FormatInt(r.ID, 10), csvSafe(r.Name), string(r.Outcome), csvSafe(r.Reason)})
	}
	for _, p := range rep.Pending {
		_ = cw.Write([]string{strconv.FormatInt(p.ID, 10), csvSafe(p.Name), "pending", "not done yet: the run stopped first; resume it"})
	}
	cw.Flush()
	return cw.Error()
}

// csvSafe keeps a spreadsheet from taking a cell for a formula.
func csvSafe(s string) string {
	if s != "" && strings.ContainsRune("=+-@\t\r", rune(s[0])) {
		return "'" + s
	}
	return s
}
