package automate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// executor is one action: plan reads and says what would change; do makes
// the change with the admin's sign-in and reads Procore back.
type executor struct {
	plan func(ctx context.Context, a steps.Action, e *Env) (Plan, error)
	do   func(ctx context.Context, a steps.Action, p Plan, e *Env) (Done, error)
}

var executors = map[string]executor{
	"create_user":         {planCreateUser, doCreateUser},
	"find_user":           {planFindUser, doFindUser},
	"rename_user":         {planRename, doRename},
	"invite_user":         {planInvite, doInvite},
	"create_template":     {planCreateTemplate, doCreateTemplate},
	"assign_templates":    {planTemplates, doTemplates},
	"add_to_new_projects": {planNewProjects, doNewProjects},
	"add_to_projects":     {planProjects, doProjects},
}

// ActionNames are the actions this package carries out, sorted.
func ActionNames() []string { return sortedNames(executors) }

func sortedNames[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// PlanAction reads Procore and says what a would change, as whom; it
// changes nothing.
func PlanAction(ctx context.Context, a steps.Action, e *Env) (Plan, error) {
	x, ok := executors[a.Name]
	if !ok {
		return Plan{}, fmt.Errorf("unknown action %q", a.Name)
	}
	as, err := e.As(ctx)
	if err != nil {
		return Plan{}, err
	}
	p, err := x.plan(ctx, a, e)
	if err != nil {
		return Plan{}, err
	}
	p.Action, p.As = a.Name, as
	if p.UserID == 0 {
		p.UserID = e.UserID
	}
	return p, nil
}

// Do carries out the plan p of a: planned afresh (Procore may have changed
// since), refused while a question is open, recorded without a change when
// Procore already holds the end state.
func Do(ctx context.Context, a steps.Action, p Plan, e *Env) (Done, error) {
	x, ok := executors[a.Name]
	if !ok {
		return Done{}, fmt.Errorf("unknown action %q", a.Name)
	}
	if p.Ask != "" {
		return Done{}, fmt.Errorf("%s: not done, a choice is open: %s", a.Name, p.Ask)
	}
	now, err := PlanAction(ctx, a, e)
	if err != nil {
		return Done{}, err
	}
	if now.Ask != "" {
		return Done{}, fmt.Errorf("%s: not done, a choice is open: %s", a.Name, now.Ask)
	}
	if now.Nothing {
		d := strings.Join(now.Changes, "; ")
		if a.Name != "find_user" {
			d = "nothing to change: " + d
		}
		return Done{Detail: d, UserID: now.UserID}, nil
	}
	d, err := x.do(ctx, a, now, e)
	if d.UserID == 0 {
		d.UserID = e.UserID
	}
	return d, err
}

// accountEmail, firstName and lastName are the account's, from With or
// else the fields with those roles.
func (e *Env) accountEmail(a steps.Action) string {
	return e.input(a.With, "account_email", e.Values[steps.RoleAccountEmail])
}

func planCreateUser(ctx context.Context, a steps.Action, e *Env) (Plan, error) {
	c, err := e.admin()
	if err != nil {
		return Plan{}, err
	}
	email := e.accountEmail(a)
	if email == "" {
		return Plan{}, errors.New("create_user: the account's email address is empty: fill in the field for it")
	}
	u, err := FindByEmail(ctx, c, email)
	var nf *NotFoundError
	switch {
	case err == nil:
		e.account, e.UserID = u, u.ID
		return Plan{Nothing: true, UserID: u.ID, Changes: []string{fmt.Sprintf("%s is already in the company directory as %q", who(u), userName(u))}}, nil
	case !errors.As(err, &nf):
		return Plan{}, err
	}
	first, last := e.input(a.With, "first_name", e.Values[steps.RoleFirstName]), e.input(a.With, "last_name", e.Values[steps.RoleLastName])
	if last == "" {
		return Plan{}, errors.New("create_user: Procore needs a last name for a new user: fill in the field for it")
	}
	p := Plan{Changes: []string{fmt.Sprintf("create the user %s, %q, in company %d's directory", procore.Printable(email), procore.Printable(strings.TrimSpace(first+" "+last)), c.CompanyID())}}
	tp, err := e.templatesWanted(ctx, a, c)
	if err != nil {
		return Plan{}, err
	}
	p.Ask = tp.ask
	p.Changes = append(p.Changes, tp.changes...)
	return p, nil
}

func doCreateUser(ctx context.Context, a steps.Action, _ Plan, e *Env) (Done, error) {
	c, _ := e.admin()
	email := e.accountEmail(a)
	tp, err := e.templatesWanted(ctx, a, c)
	if err != nil {
		return Done{}, err
	}
	nu := procore.NewUser{FirstName: e.input(a.With, "first_name", e.Values[steps.RoleFirstName]),
		LastName: e.input(a.With, "last_name", e.Values[steps.RoleLastName]), EmailAddress: email}
	if tp.company != nil {
		nu.CompanyPermissionTemplateID = tp.company.ID
	}
	if tp.project != nil {
		nu.DefaultPermissionTemplateID = tp.project.ID
	}
	how := "created"
	created, err := c.CreateUser(ctx, nu)
	switch {
	case procore.StatusOf(err) == http.StatusConflict:
		how = "already in the directory (Procore answered 409 Conflict), found"
	case err != nil && procore.StatusOf(err) == 0:
		// The answer was lost: Procore may have made the user. Look before
		// saying either way; a create is never sent twice.
		if u, ferr := FindByEmail(ctx, c, email); ferr == nil {
			created, how = &procore.UserDetail{ID: u.ID}, "created (the answer was lost; found in the directory)"
			break
		}
		return Done{}, fmt.Errorf("create user %s: the answer was lost and the user is not in the directory, so it was not created: %w", procore.Printable(email), err)
	case err != nil:
		return Done{}, refused("create user "+procore.Printable(email), err)
	}
	var u *procore.User
	if created != nil {
		u, err = c.User(ctx, created.ID)
	} else {
		u, err = FindByEmail(ctx, c, email)
	}
	if err != nil {
		return Done{}, fmt.Errorf("read back user %s: %w", procore.Printable(email), err)
	}
	e.account, e.UserID = u, u.ID
	return Done{Detail: fmt.Sprintf("%s %s, %q%s", how, who(u), userName(u), templatesNow(u)), UserID: u.ID}, nil
}

// templatesNow is ", company template X, default project template Y".
func templatesNow(u *procore.User) string {
	var s string
	if t := u.CompanyPermissionTemplate; t != nil {
		s += fmt.Sprintf(", company permission template %q", procore.Printable(t.Name))
	}
	if t := u.PermissionTemplate; t != nil {
		s += fmt.Sprintf(", default permission template %q", procore.Printable(t.Name))
	}
	return s
}

func planFindUser(ctx context.Context, a steps.Action, e *Env) (Plan, error) {
	u, ask, err := e.find(ctx, a)
	if err != nil || ask != "" {
		return Plan{Nothing: true, Ask: ask}, err
	}
	return Plan{Nothing: true, UserID: u.ID, Changes: []string{fmt.Sprintf("found %s, %q", who(u), userName(u))}}, nil
}

func doFindUser(context.Context, steps.Action, Plan, *Env) (Done, error) {
	return Done{}, errors.New("find_user changes nothing") // Do records the plan
}

// find is the user find_user names: by email address, else by pattern.
func (e *Env) find(ctx context.Context, a steps.Action) (u *procore.User, ask string, err error) {
	c, err := e.admin()
	if err != nil {
		return nil, "", err
	}
	// The address the person typed wins over the guide's pattern: several
	// installed apps each have a user like it.
	if email := e.accountEmail(a); email != "" {
		if u, err = FindByEmail(ctx, c, email); err != nil {
			return nil, "", err
		}
		e.account, e.UserID = u, u.ID
		return u, "", nil
	}
	pattern := e.input(a.With, "email_like", "")
	if pattern == "" {
		return nil, "", errors.New("find_user: give the account's email address (its field) or an email_like pattern")
	}
	found, err := FindLike(ctx, c, pattern)
	if err != nil {
		return nil, "", err
	}
	switch len(found) {
	case 0:
		return nil, "", &NotFoundError{What: "active user whose email address is like " + pattern, Company: c.CompanyID()}
	case 1:
		u = &found[0]
		e.account, e.UserID = u, u.ID
		return u, "", nil
	}
	var names []string
	for i := range found {
		names = append(names, who(&found[i]))
	}
	return nil, fmt.Sprintf("%d users are like %s (%s): give the email address of the one to use", len(found), pattern, strings.Join(names, ", ")), nil
}

func (e *Env) names(a steps.Action) (first, last string) {
	return e.input(a.With, "first_name", e.Values[steps.RoleFirstName]), e.input(a.With, "last_name", e.Values[steps.RoleLastName])
}

func planRename(ctx context.Context, a steps.Action, e *Env) (Plan, error) {
	u, err := e.Account(ctx)
	if err != nil {
		return Plan{}, err
	}
	first, last := e.names(a)
	if last == "" {
		return Plan{}, errors.New("rename_user: Procore needs a last name: fill in the field for it")
	}
	if u.FirstName == first && u.LastName == last {
		return Plan{Nothing: true, Changes: []string{fmt.Sprintf("%s is already named %q", who(u), userName(u))}}, nil
	}
	return Plan{Changes: []string{fmt.Sprintf("rename %s from %q to %q", who(u), userName(u), procore.Printable(strings.TrimSpace(first+" "+last)))}}, nil
}

func doRename(ctx context.Context, a steps.Action, _ Plan, e *Env) (Done, error) {
	c, _ := e.admin()
	u, err := e.Account(ctx)
	if err != nil {
		return Done{}, err
	}
	first, last := e.names(a)
	if _, err := c.UpdateUser(ctx, u.ID, procore.UserChange{FirstName: &first, LastName: &last}); err != nil {
		return Done{}, refused(fmt.Sprintf("rename user %d", u.ID), err)
	}
	e.forget()
	now, err := e.Account(ctx)
	if err != nil {
		return Done{}, fmt.Errorf("read back user %d after renaming it: %w", u.ID, err)
	}
	if now.FirstName != first || now.LastName != last {
		return Done{}, fmt.Errorf("renamed user %d, but Procore now holds the name %q", u.ID, userName(now))
	}
	return Done{Detail: fmt.Sprintf("renamed %s to %q", who(now), userName(now))}, nil
}

func planInvite(ctx context.Context, _ steps.Action, e *Env) (Plan, error) {
	u, err := e.Account(ctx)
	if err != nil {
		return Plan{}, err
	}
	if u.WelcomeEmailSentAt != "" {
		return Plan{Nothing: true, Changes: []string{fmt.Sprintf("%s was sent its invitation at %s", who(u), procore.Printable(u.WelcomeEmailSentAt))}}, nil
	}
	return Plan{Changes: []string{fmt.Sprintf("send Procore's invitation email to %s (once: each sending is an email)", who(u))}}, nil
}

func doInvite(ctx context.Context, _ steps.Action, _ Plan, e *Env) (Done, error) {
	c, _ := e.admin()
	u, err := e.Account(ctx)
	if err != nil {
		return Done{}, err
	}
	ierr := c.InviteUser(ctx, u.ID)
	if ierr != nil && procore.StatusOf(ierr) != 0 {
		return Done{}, refused(fmt.Sprintf("invite user %d", u.ID), ierr)
	}
	e.forget()
	now, err := e.Account(ctx)
	if err != nil {
		return Done{}, fmt.Errorf("read back user %d after inviting it: %w", u.ID, err)
	}
	switch {
	case now.WelcomeEmailSentAt != "":
		d := fmt.Sprintf("invitation sent to %s at %s", who(now), procore.Printable(now.WelcomeEmailSentAt))
		if ierr != nil {
			d += " (the answer was lost; the directory shows it sent)"
		}
		return Done{Detail: d}, nil
	case ierr != nil:
		// Not sent again: it may yet arrive, and a second would be a second email.
		return Done{}, fmt.Errorf("invite user %d: the answer was lost and the directory does not show the invitation sent; check the user in the Company Directory before sending it again: %w", u.ID, ierr)
	}
	return Done{Detail: fmt.Sprintf("Procore accepted the invitation to %s (202 Accepted); the directory does not show it sent yet", who(now))}, nil
}

// wantedTemplates are the templates an action names, found by name.
type wantedTemplates struct {
	company, project             *procore.PermissionTemplate
	companyName, projectName     string
	companyLevels, projectLevels string // to create a missing one with
	ask                          string
	changes                      []string
}

// templatesWanted finds the company_template and project_template the
// action names; a missing one is created only when the action gives its
// levels (company_levels, project_levels), else the person is asked.
func (e *Env) templatesWanted(ctx context.Context, a steps.Action, c *procore.Client) (wantedTemplates, error) {
	w := wantedTemplates{companyName: e.input(a.With, "company_template", ""), projectName: e.input(a.With, "project_template", ""),
		companyLevels: e.input(a.With, "company_levels", ""), projectLevels: e.input(a.With, "project_levels", "")}
	var asks []string
	for _, k := range []struct {
		name, levels, kind string
		typ                procore.TemplateType
		into               **procore.PermissionTemplate
		where              string
	}{
		{w.companyName, w.companyLevels, "company permission template", procore.CompanyTools, &w.company, "Company Admin > Permission Templates > Company Level"},
		{w.projectName, w.projectLevels, "project permission template", procore.GlobalTools, &w.project, "Company Admin > Permission Templates > Project Level"},
	} {
		if k.name == "" {
			continue
		}
		t, err := findTemplate(ctx, c, k.typ, k.name)
		if err != nil {
			return w, fmt.Errorf("find the %s %q: %w", k.kind, k.name, err)
		}
		*k.into = t
		switch {
		case t != nil:
			w.changes = append(w.changes, fmt.Sprintf("with the %s %q (template %d)", k.kind, procore.Printable(t.Name), t.ID))
		case k.levels != "":
			if _, err := parseLevels(k.levels); err != nil {
				return w, err
			}
			w.changes = append(w.changes, fmt.Sprintf("create the %s %q with %s", k.kind, k.name, describeLevels(k.levels)))
		default:
			asks = append(asks, fmt.Sprintf("Procore has no %s named %q: create it in %s (or name one that exists), then try again", k.kind, k.name, k.where))
		}
	}
	w.ask = strings.Join(asks, "; ")
	return w, nil
}

// create makes the templates templatesWanted found missing, with their levels.
func (w *wantedTemplates) create(ctx context.Context, c *procore.Client) error {
	for _, k := range []struct {
		name, levels string
		typ          procore.TemplateType
		into         **procore.PermissionTemplate
	}{
		{w.companyName, w.companyLevels, procore.CompanyTools, &w.company},
		{w.projectName, w.projectLevels, procore.GlobalTools, &w.project},
	} {
		if k.name == "" || *k.into != nil {
			continue
		}
		t, err := createTemplate(ctx, c, k.name, k.typ, k.levels)
		if err != nil {
			return err
		}
		*k.into = &t.PermissionTemplate
	}
	return nil
}

func planTemplates(ctx context.Context, a steps.Action, e *Env) (Plan, error) {
	c, err := e.admin()
	if err != nil {
		return Plan{}, err
	}
	u, err := e.Account(ctx)
	if err != nil {
		return Plan{}, err
	}
	w, err := e.templatesWanted(ctx, a, c)
	if err != nil {
		return Plan{}, err
	}
	if w.companyName == "" && w.projectName == "" {
		return Plan{}, errors.New("assign_templates: name a company_template or a project_template")
	}
	if w.ask != "" {
		return Plan{Ask: w.ask}, nil
	}
	var changes, held []string
	if w.companyName != "" {
		if w.company != nil && u.CompanyPermissionTemplate != nil && u.CompanyPermissionTemplate.ID == w.company.ID {
			held = append(held, fmt.Sprintf("company permission template %q", procore.Printable(w.company.Name)))
		} else {
			changes = append(changes, fmt.Sprintf("set the company permission template of %s to %q (now %s)", who(u), w.companyName, refName(u.CompanyPermissionTemplate)))
		}
	}
	if w.projectName != "" {
		if w.project != nil && u.PermissionTemplate != nil && u.PermissionTemplate.ID == w.project.ID {
			held = append(held, fmt.Sprintf("default permission template %q", procore.Printable(w.project.Name)))
		} else {
			changes = append(changes, fmt.Sprintf("set the default permission template of %s to %q (now %s)", who(u), w.projectName, refName(u.PermissionTemplate)))
		}
	}
	if len(changes) == 0 {
		return Plan{Nothing: true, Changes: []string{fmt.Sprintf("%s already has the %s", who(u), strings.Join(held, " and the "))}}, nil
	}
	for _, ch := range w.changes {
		if strings.HasPrefix(ch, "create") {
			changes = append([]string{ch}, changes...)
		}
	}
	return Plan{Changes: changes}, nil
}

func refName(t *procore.TemplateRef) string {
	if t == nil || t.ID == 0 {
		return "none"
	}
	return strconv.Quote(procore.Printable(t.Name))
}

func doTemplates(ctx context.Context, a steps.Action, _ Plan, e *Env) (Done, error) {
	c, _ := e.admin()
	u, err := e.Account(ctx)
	if err != nil {
		return Done{}, err
	}
	w, err := e.templatesWanted(ctx, a, c)
	if err != nil {
		return Done{}, err
	}
	if err := w.create(ctx, c); err != nil {
		return Done{}, err
	}
	var ch procore.UserChange
	if w.company != nil {
		ch.CompanyPermissionTemplateID = &w.company.ID
	}
	if w.project != nil {
		ch.DefaultPermissionTemplateID = &w.project.ID
	}
	if _, err := c.UpdateUser(ctx, u.ID, ch); err != nil {
		return Done{}, refused(fmt.Sprintf("set the permission templates of user %d", u.ID), err)
	}
	e.forget()
	now, err := e.Account(ctx)
	if err != nil {
		return Done{}, fmt.Errorf("read back user %d after setting its templates: %w", u.ID, err)
	}
	if w.company != nil && (now.CompanyPermissionTemplate == nil || now.CompanyPermissionTemplate.ID != w.company.ID) ||
		w.project != nil && (now.PermissionTemplate == nil || now.PermissionTemplate.ID != w.project.ID) {
		return Done{}, fmt.Errorf("set the templates of user %d, but Procore now holds company permission template %s and default permission template %s",
			u.ID, refName(now.CompanyPermissionTemplate), refName(now.PermissionTemplate))
	}
	return Done{Detail: "set on " + who(now) + strings.TrimPrefix(templatesNow(now), ",")}, nil
}

// ownAddToNew is add_to_new_projects of the account when the account is
// the integration's own user: the one documented read of it is the
// caller's own /companies/{id}/me. ok is false when it cannot be read.
func (e *Env) ownAddToNew(ctx context.Context, u *procore.User) (on, ok bool, why string) {
	if e.Integration == nil {
		return false, false, "Procore's API reads add_to_new_projects only for the signed-in user itself, and the integration's own credential is not at hand"
	}
	me, err := e.Integration.CompanyMe(ctx)
	if err != nil {
		return false, false, "read the integration's own user: " + err.Error()
	}
	if me.ID != u.ID {
		return false, false, fmt.Sprintf("Procore's API reads add_to_new_projects only for the signed-in user itself, and the integration's credential is user %d, not %d", me.ID, u.ID)
	}
	return me.AddToNewProjects, true, ""
}

func planNewProjects(ctx context.Context, _ steps.Action, e *Env) (Plan, error) {
	u, err := e.Account(ctx)
	if err != nil {
		return Plan{}, err
	}
	if on, ok, _ := e.ownAddToNew(ctx, u); ok && on {
		return Plan{Nothing: true, Changes: []string{fmt.Sprintf("Procore already adds %s to every new project", who(u))}}, nil
	}
	return Plan{Changes: []string{fmt.Sprintf("turn on \"Add %s to all new projects\" for %s", userName(u), who(u))}}, nil
}

func doNewProjects(ctx context.Context, _ steps.Action, _ Plan, e *Env) (Done, error) {
	c, _ := e.admin()
	u, err := e.Account(ctx)
	if err != nil {
		return Done{}, err
	}
	d, err := c.SetAddToNewProjects(ctx, u.ID, true)
	if err != nil {
		if d != nil {
			return Done{}, err // Procore answered, with it still off
		}
		return Done{}, refused(fmt.Sprintf("turn on add to all new projects for user %d", u.ID), err)
	}
	return Done{Detail: fmt.Sprintf("Procore now adds %s to every new project (add_to_new_projects is on)", who(u))}, nil
}

// askChoose is what is asked while the projects to be on are to be
// chosen and none were.
const askChoose = "choose the projects the account is to be on"

// targets are the projects an add_to_projects or a project_membership
// covers: the active ones ("all", the default), the chosen ones, or the
// ids listed; ask is set when they are to be chosen and were not.
func (e *Env) targets(ctx context.Context, with map[string]string, c *procore.Client) (ids []int64, all bool, ask string, err error) {
	switch v := strings.ToLower(e.input(with, "projects", "all")); v {
	case "", "all":
		for p, err := range c.Projects(ctx, procore.ProjectFilter{}) {
			if err != nil {
				return nil, true, "", fmt.Errorf("list the active projects: %w", err)
			}
			ids = append(ids, p.ID)
		}
		return ids, true, "", nil
	case "chosen":
		if len(e.Projects) == 0 {
			ask := askChoose
			if e.ChooseHow != "" {
				ask += ": " + e.ChooseHow
			}
			return nil, false, ask, nil
		}
		return slices.Clone(e.Projects), false, "", nil
	default:
		for _, f := range strings.FieldsFunc(v, func(r rune) bool { return r == ',' || r == ' ' }) {
			id, perr := strconv.ParseInt(f, 10, 64)
			if perr != nil || id <= 0 {
				return nil, false, "", fmt.Errorf("projects %q: give all, chosen, or project ids separated by commas", v)
			}
			ids = append(ids, id)
		}
		return ids, false, "", nil
	}
}

// membership is which of ids the user is on, from its project_assignments.
func membership(ctx context.Context, c *procore.Client, userID int64, ids []int64) (on map[int64]bool, names map[int64]string, err error) {
	on, names = map[int64]bool{}, map[int64]string{}
	want := map[int64]bool{}
	for _, id := range ids {
		want[id] = true
	}
	for a, err := range c.ProjectAssignmentsWhere(ctx, userID, procore.AssignmentFilter{Status: "All"}) {
		if err != nil {
			return nil, nil, fmt.Errorf("read the project assignments of user %d: %w", userID, err)
		}
		if want[a.ProjectID] {
			names[a.ProjectID] = procore.Printable(a.Name)
			if a.IsAssigned {
				on[a.ProjectID] = true
			}
		}
	}
	return on, names, nil
}

func planProjects(ctx context.Context, a steps.Action, e *Env) (Plan, error) {
	c, err := e.admin()
	if err != nil {
		return Plan{}, err
	}
	u, err := e.Account(ctx)
	if err != nil {
		return Plan{}, err
	}
	ids, _, ask, err := e.targets(ctx, a.With, c)
	if err != nil || ask != "" {
		// The one question targets asks is which projects.
		return Plan{Ask: ask, ChooseProjects: ask != ""}, err
	}
	on, _, err := membership(ctx, c, u.ID, ids)
	if err != nil {
		return Plan{}, err
	}
	missing := 0
	for _, id := range ids {
		if !on[id] {
			missing++
		}
	}
	if missing == 0 {
		return Plan{Nothing: true, Changes: []string{fmt.Sprintf("%s is already on all %d projects", who(u), len(ids))}}, nil
	}
	tmpl, err := e.projectTemplate(ctx, a, c, u)
	if err != nil {
		return Plan{}, err
	}
	if tmpl == nil {
		return Plan{Ask: fmt.Sprintf("%s has no default permission template, and the action names none: choose the project permission template it gets", who(u))}, nil
	}
	return Plan{Changes: []string{fmt.Sprintf("add %s to %d of %d projects (%d already) with the permission template %q", who(u), missing, len(ids), len(ids)-missing, procore.Printable(tmpl.Name))}}, nil
}

// projectTemplate is the template new memberships get: the one the action
// names, else the user's default one.
func (e *Env) projectTemplate(ctx context.Context, a steps.Action, c *procore.Client, u *procore.User) (*procore.TemplateRef, error) {
	if name := e.input(a.With, "project_template", ""); name != "" {
		t, err := findTemplate(ctx, c, procore.ProjectTools, name)
		if err != nil || t == nil {
			return nil, err
		}
		return &procore.TemplateRef{ID: t.ID, Name: t.Name, Type: t.Type}, nil
	}
	return u.DefaultProjectTemplate(), nil
}

func doProjects(ctx context.Context, a steps.Action, _ Plan, e *Env) (Done, error) {
	c, _ := e.admin()
	u, err := e.Account(ctx)
	if err != nil {
		return Done{}, err
	}
	ids, _, _, err := e.targets(ctx, a.With, c)
	if err != nil {
		return Done{}, err
	}
	tmpl, err := e.projectTemplate(ctx, a, c, u)
	if err != nil || tmpl == nil {
		return Done{}, fmt.Errorf("add_to_projects: no project permission template known for user %d: %v", u.ID, err)
	}
	on, _, err := membership(ctx, c, u.ID, ids)
	if err != nil {
		return Done{}, err
	}
	var todo []procore.Membership
	for _, id := range ids {
		if !on[id] {
			todo = append(todo, procore.Membership{UserID: u.ID, ProjectID: id, PermissionTemplateID: tmpl.ID})
		}
	}
	// bulk_add in calls of at most its limit; where it is refused for a
	// reason other than the sign-in's rights, one project at a time.
	var firstErr error
	for len(todo) > 0 {
		n := min(len(todo), procore.BulkAddLimit)
		batch := todo[:n]
		todo = todo[n:]
		_, err := c.BulkAdd(ctx, batch)
		if err == nil {
			continue
		}
		if firstErr == nil {
			firstErr = err
		}
		if procore.StatusOf(err) == http.StatusForbidden {
			break // every other call would be refused the same way
		}
		for _, m := range batch {
			if err := c.AddToProject(ctx, m.ProjectID, u.ID, tmpl.ID); err != nil && procore.StatusOf(err) == http.StatusForbidden {
				firstErr = err
				break
			}
		}
	}
	// Whatever the answers said, Procore's assignments are the record.
	now, names, err := membership(ctx, c, u.ID, ids)
	if err != nil {
		return Done{}, fmt.Errorf("added user %d to projects, then could not read them back: %w", u.ID, err)
	}
	var missing []string
	for _, id := range ids {
		if !now[id] {
			missing = append(missing, fmt.Sprintf("%d %s", id, names[id]))
		}
	}
	added := len(now) - len(on)
	if len(missing) > 0 {
		cause := ""
		if firstErr != nil {
			cause = ": " + refused("add to a project", firstErr).Error()
		}
		return Done{UserID: u.ID}, fmt.Errorf("%s is on %d of %d projects (%d added now); not on: %s%s",
			who(u), len(now), len(ids), added, strings.Join(clipList(missing, 5), ", "), cause)
	}
	return Done{Detail: fmt.Sprintf("%s is on all %d projects (%d added now, with %q)", who(u), len(ids), added, procore.Printable(tmpl.Name))}, nil
}

// clipList keeps the first n items and says how many more there were.
func clipList(s []string, n int) []string {
	if len(s) <= n {
		return s
	}
	return append(slices.Clone(s[:n]), fmt.Sprintf("and %d more", len(s)-n))
}
