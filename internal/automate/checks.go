package automate

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// finding is what one check read: held or not, what Procore says, and how
// to fix it. err means it could not be read.
type finding struct {
	text  string
	ok    bool
	state string
	fix   string
	err   error
}

type reader func(ctx context.Context, c steps.Check, e *Env) finding

var readers = map[string]reader{
	"user_exists":             checkUserExists,
	"user_name":               checkUserName,
	"user_templates":          checkUserTemplates,
	"company_not_admin":       checkNotCompanyAdmin,
	"template_levels":         checkTemplateLevels,
	"invitation_sent":         checkInvited,
	"add_to_new_projects":     checkAddToNew,
	"project_membership":      checkMembership,
	"project_assignments":     checkAssignments,
	"installation":            checkInstallation,
	"permitted_projects":      checkPermitted,
	"integration_permissions": checkIntegrationPermissions,
	"credential_works":        checkCredential,
}

// CheckNames are the checks this package reads, sorted.
func CheckNames() []string { return sortedNames(readers) }

// Check reads one check of step and says whether Procore holds it. It
// never fails: what cannot be read is Unknown, with the reason as State.
func Check(ctx context.Context, step string, c steps.Check, e *Env) Requirement {
	r := Requirement{ID: step + "/" + c.Name, Step: step}
	read, ok := readers[c.Name]
	if !ok {
		r.Text, r.Unknown, r.State = c.Name, true, fmt.Sprintf("procore-sa does not know the check %q", c.Name)
		return r
	}
	f := read(ctx, c, e)
	r.Text, r.OK, r.State, r.Fix = f.text, f.ok && f.err == nil, procore.Printable(f.state), f.fix
	if f.err != nil {
		r.Unknown, r.OK, r.State = true, false, "could not be read: "+procore.Printable(f.err.Error())
	}
	return r
}

// Checks reads every check of step, in order; a check named twice in one
// step is told apart by a number ("setup/template_levels-2").
func Checks(ctx context.Context, step string, cs []steps.Check, e *Env) []Requirement {
	seen := map[string]int{}
	out := make([]Requirement, 0, len(cs))
	for _, c := range cs {
		r := Check(ctx, step, c, e)
		if seen[c.Name]++; seen[c.Name] > 1 {
			r.ID = fmt.Sprintf("%s-%d", r.ID, seen[c.Name])
		}
		out = append(out, r)
	}
	return out
}

// directoryFix is where a user's settings are changed in Procore.
func directoryFix(u *procore.User, what string) string {
	name := "the user"
	if u != nil {
		name = procore.Printable(u.EmailAddress)
	}
	return fmt.Sprintf("In Procore: Company Directory > Users > Edit next to %s > %s, then Save", name, what)
}

func checkUserExists(ctx context.Context, c steps.Check, e *Env) finding {
	f := finding{text: "The account's user is in the company directory"}
	if e.Values[steps.RoleAccountEmail] == "" && e.UserID == 0 {
		if like := e.input(c.With, "email_like", ""); like != "" {
			f.text = "A user like " + like + " is in the company directory"
			ad, err := e.admin()
			if err != nil {
				f.err = err
				return f
			}
			found, err := FindLike(ctx, ad, like)
			if err != nil {
				f.err = err
				return f
			}
			f.ok = len(found) > 0
			f.state = fmt.Sprintf("%d active users are like %s", len(found), like)
			if len(found) == 1 {
				f.state = "found " + who(&found[0])
			}
			if !f.ok {
				f.fix = "In Procore: Company Admin > App Management: install the app; Procore creates its user in the Company Directory"
			}
			return f
		}
	}
	u, err := e.Account(ctx)
	var nf *NotFoundError
	switch {
	case errors.As(err, &nf):
		f.state = err.Error()
		f.fix = "In Procore: Company Directory > Add User with this email address (or let procore-sa create it), then Save"
		return f
	case err != nil:
		f.err = err
		return f
	}
	f.ok = u.IsActive
	f.state = fmt.Sprintf("%s, %q, active", who(u), userName(u))
	if !u.IsActive {
		f.state = fmt.Sprintf("%s is inactive", who(u))
		f.fix = "In Procore: Company Directory > Inactive Users > the user > Reactivate"
	}
	return f
}

func checkUserName(ctx context.Context, c steps.Check, e *Env) finding {
	first, last := e.input(c.With, "first_name", e.Values[steps.RoleFirstName]), e.input(c.With, "last_name", e.Values[steps.RoleLastName])
	want := strings.TrimSpace(first + " " + last)
	f := finding{text: fmt.Sprintf("The account's user is named %q", procore.Printable(want))}
	if last == "" && first == "" {
		f.err = errors.New("no name to check against: fill in the name fields")
		return f
	}
	u, err := e.Account(ctx)
	if err != nil {
		f.err = err
		return f
	}
	f.ok = u.FirstName == first && u.LastName == last
	f.state = fmt.Sprintf("%s is named %q", who(u), userName(u))
	if !f.ok {
		f.fix = directoryFix(u, fmt.Sprintf("First Name: %s, Last Name: %s", procore.Printable(first), procore.Printable(last)))
	}
	return f
}

func checkUserTemplates(ctx context.Context, c steps.Check, e *Env) finding {
	co, pr := e.input(c.With, "company_template", ""), e.input(c.With, "project_template", "")
	var parts []string
	if co != "" {
		parts = append(parts, fmt.Sprintf("company permission template %q", co))
	}
	if pr != "" {
		parts = append(parts, fmt.Sprintf("default permission template %q", pr))
	}
	f := finding{text: "The account's user has the " + strings.Join(parts, " and the ")}
	if len(parts) == 0 {
		f.text, f.err = "The account's user has its permission templates", errors.New("the check names no template (company_template, project_template)")
		return f
	}
	u, err := e.Account(ctx)
	if err != nil {
		f.err = err
		return f
	}
	same := func(t *procore.TemplateRef, name string) bool {
		return name == "" || t != nil && strings.EqualFold(strings.TrimSpace(t.Name), name)
	}
	f.ok = same(u.CompanyPermissionTemplate, co) && same(u.PermissionTemplate, pr)
	f.state = fmt.Sprintf("company permission template %s, default permission template %s", refName(u.CompanyPermissionTemplate), refName(u.PermissionTemplate))
	if !f.ok {
		var sets []string
		if !same(u.CompanyPermissionTemplate, co) {
			sets = append(sets, fmt.Sprintf("Company Permission Template: %s", co))
		}
		if !same(u.PermissionTemplate, pr) {
			sets = append(sets, fmt.Sprintf("Default Permission Template: %s", pr))
		}
		f.fix = directoryFix(u, "Permissions: "+strings.Join(sets, ", "))
	}
	return f
}

func checkNotCompanyAdmin(ctx context.Context, _ steps.Check, e *Env) finding {
	f := finding{text: "The account's user is not a Company Admin"}
	u, err := e.Account(ctx)
	if err != nil {
		f.err = err
		return f
	}
	t := u.CompanyPermissionTemplate
	if t == nil || t.ID == 0 {
		f.ok, f.state = true, fmt.Sprintf("%s has no company permission template", who(u))
		return f
	}
	d, err := e.Admin.PermissionTemplate(ctx, t.ID)
	if err != nil {
		f.err = err
		return f
	}
	adminLevel := levelRank(d.UserAccessLevels["admin"])
	f.ok = !strings.EqualFold(t.Name, "Company Admin") && adminLevel < 3
	f.state = fmt.Sprintf("%s has the company permission template %q, %s on the Company Admin tool", who(u), procore.Printable(t.Name), levelName(max(adminLevel, 0)))
	if !f.ok {
		f.fix = directoryFix(u, "Permissions: choose a Company Permission Template without Admin on the Company Admin tool")
	}
	return f
}

func checkTemplateLevels(ctx context.Context, c steps.Check, e *Env) finding {
	name, levels := e.input(c.With, "template", ""), e.input(c.With, "levels", "")
	f := finding{text: fmt.Sprintf("The permission template %q grants %s", name, describeLevels(levels))}
	if name == "" {
		f.text = "The account's company permissions grant " + describeLevels(levels)
	}
	want, err := parseLevels(levels)
	if err != nil {
		f.err = err
		return f
	}
	ad, err := e.admin()
	if err != nil {
		f.err = err
		return f
	}
	var t *procore.PermissionTemplate
	if name == "" {
		// No template named: the account's own company permissions, which
		// Procore gives a user through its company permission template.
		u, err := e.Account(ctx)
		if err != nil {
			f.err = err
			return f
		}
		ref := u.CompanyPermissionTemplate
		if ref == nil || ref.ID == 0 {
			f.state = fmt.Sprintf("%s has no company permission template, so no company tool levels", who(u))
			f.fix = directoryFix(u, "Permissions: choose a Company Permission Template that grants "+describeLevels(levels))
			return f
		}
		t = &procore.PermissionTemplate{ID: ref.ID, Name: ref.Name, Type: ref.Type}
	} else {
		for _, typ := range []procore.TemplateType{procore.CompanyTools, procore.ProjectTools} {
			if t, err = findTemplate(ctx, ad, typ, name); err != nil {
				f.err = err
				return f
			}
			if t != nil {
				break
			}
		}
	}
	if t == nil {
		f.state = fmt.Sprintf("Procore has no permission template named %q", name)
		f.fix = fmt.Sprintf("In Procore: Company Admin > Permission Templates > Create: name it %q and set %s, then Save", name, describeLevels(levels))
		return f
	}
	d, err := ad.PermissionTemplate(ctx, t.ID)
	if err != nil {
		f.err = err
		return f
	}
	if slices.ContainsFunc(want, func(w wantLevel) bool { return w.Tool == everyTool }) && len(d.UserAccessLevels) == 0 {
		f.state = fmt.Sprintf("%q lists no tool levels", procore.Printable(t.Name))
		f.fix = fmt.Sprintf("In Procore: Company Admin > Permission Templates > %s > Edit: set %s, then Save", procore.Printable(t.Name), describeLevels(levels))
		return f
	}
	want = expandLevels(want, slices.Sorted(maps.Keys(d.UserAccessLevels)))
	var short, have []string
	for _, w := range want {
		got := levelRank(lookupTool(d.UserAccessLevels, w.Tool))
		have = append(have, fmt.Sprintf("%s %s", w.Label, levelName(max(got, 0))))
		if got < w.Rank {
			short = append(short, fmt.Sprintf("%s to %s", w.Label, levelName(w.Rank)))
		}
	}
	f.ok = len(short) == 0
	f.state = fmt.Sprintf("%q grants %s", procore.Printable(t.Name), strings.Join(have, ", "))
	if !f.ok {
		f.fix = fmt.Sprintf("In Procore: Company Admin > Permission Templates > %s > Edit: set %s, then Save", procore.Printable(t.Name), strings.Join(short, ", "))
	}
	return f
}

func checkInvited(ctx context.Context, _ steps.Check, e *Env) finding {
	f := finding{text: "The account's user was sent its invitation"}
	u, err := e.Account(ctx)
	if err != nil {
		f.err = err
		return f
	}
	f.ok = u.WelcomeEmailSentAt != ""
	if f.ok {
		f.state = "invitation sent at " + u.WelcomeEmailSentAt
	} else {
		f.state = "no invitation sent"
		f.fix = directoryFix(u, "Send Invite")
	}
	return f
}

func checkAddToNew(ctx context.Context, _ steps.Check, e *Env) finding {
	f := finding{text: "Procore adds the account's user to every new project"}
	u, err := e.Account(ctx)
	if err != nil {
		f.err = err
		return f
	}
	on, ok, why := e.ownAddToNew(ctx, u)
	if !ok {
		f.err = errors.New(why)
		return f
	}
	f.ok = on
	f.state = "add_to_new_projects is off"
	if on {
		f.state = "add_to_new_projects is on"
	} else {
		f.fix = directoryFix(u, fmt.Sprintf("Projects: tick \"Add %s to all new projects\"", userName(u)))
	}
	return f
}

func checkMembership(ctx context.Context, c steps.Check, e *Env) finding {
	f := finding{text: "The account's user is on every active project"}
	ad, u, err := e.adminAndAccount(ctx)
	if err != nil {
		f.err = err
		return f
	}
	ids, all, ask, err := e.targets(ctx, c.With, ad)
	if !all {
		f.text = "The account's user is on the chosen projects"
	}
	if err != nil || ask != "" {
		f.err = orAsk(err, ask)
		return f
	}
	on, names, err := membership(ctx, ad, u.ID, ids)
	if err != nil {
		f.err = err
		return f
	}
	var missing []string
	for _, id := range ids {
		if !on[id] {
			missing = append(missing, fmt.Sprintf("%d %s", id, names[id]))
		}
	}
	f.ok = len(missing) == 0
	f.state = fmt.Sprintf("on %d of %d projects", len(ids)-len(missing), len(ids))
	if !f.ok {
		f.state += "; not on " + strings.Join(clipList(missing, 3), ", ")
		how := "Projects: Add All"
		if !all {
			how = "Projects: add it to each project named"
		}
		f.fix = directoryFix(u, how) + fmt.Sprintf(" (or: procore-sa add-all --user %d)", u.ID)
	}
	return f
}

// checkAssignments says which projects the account's user is on, with its
// template on each: a report, not a requirement, for an account that is to
// be on only the projects it works on, which only the person knows.
func checkAssignments(ctx context.Context, _ steps.Check, e *Env) finding {
	f := finding{text: "Which projects the account's user is on (it can act only there)"}
	ad, u, err := e.adminAndAccount(ctx)
	if err != nil {
		f.err = err
		return f
	}
	var on []string
	for pa, err := range ad.ProjectAssignmentsWhere(ctx, u.ID, procore.AssignmentFilter{Status: "Active", Assigned: "assigned"}) {
		if err != nil {
			f.err = err
			return f
		}
		if pa.IsAssigned {
			on = append(on, fmt.Sprintf("%s (%s)", procore.Printable(pa.Name), orNone(procore.Printable(pa.PermissionTemplateName))))
		}
	}
	f.ok = true
	if len(on) == 0 {
		f.state = fmt.Sprintf("%s is on no active project, so it can act on none yet", who(u))
		return f
	}
	f.state = fmt.Sprintf("%s is on %d active projects: %s", who(u), len(on), strings.Join(clipList(on, 3), ", "))
	return f
}

func orNone(s string) string {
	if s == "" {
		return "no template"
	}
	return s
}

func checkInstallation(ctx context.Context, c steps.Check, e *Env) finding {
	name := e.input(c.With, "app_name", e.Values[steps.RoleAppName])
	f := finding{text: "The app is installed in the company"}
	if name != "" {
		f.text = fmt.Sprintf("The app %q is installed in the company", procore.Printable(name))
	}
	ad, err := e.admin()
	if err != nil {
		f.err = err
		return f
	}
	if name == "" && e.IntegrationClientID == "" {
		f.err = errors.New("neither the app's name nor its client ID is known: fill in the app's name")
		return f
	}
	apps, err := procore.Collect(ad.AppInstallations(ctx))
	if err != nil {
		f.err = err
		return f
	}
	var seen []string
	for _, a := range apps {
		seen = append(seen, fmt.Sprintf("%q %s", procore.Printable(a.DeveloperApp.Name), procore.Printable(a.Status)))
		// The name the person gave wins; else the app whose client ID the
		// integration's credential holds.
		match := strings.EqualFold(strings.TrimSpace(a.DeveloperApp.Name), name)
		if name == "" {
			match = a.AppUID == e.IntegrationClientID || a.DeveloperApp.UID == e.IntegrationClientID
		}
		if match {
			f.ok = strings.EqualFold(a.Status, "installed")
			f.state = fmt.Sprintf("%q version %s, %s at %s", procore.Printable(a.DeveloperApp.Name), procore.Printable(a.SemanticVersion), procore.Printable(a.Status), procore.Printable(a.InstalledAt))
			if !f.ok {
				f.fix = "In Procore: Company Admin > App Management > the app: finish or repeat the installation"
			}
			return f
		}
	}
	f.state = fmt.Sprintf("not among the %d installed apps (%s)", len(apps), strings.Join(clipList(seen, 4), ", "))
	f.fix = "In Procore: Company Admin > App Management > Install App (from the App Marketplace, or Install Custom App with the App Version Key)"
	return f
}

func checkPermitted(ctx context.Context, c steps.Check, e *Env) finding {
	f := finding{text: "The integration's own token sees every active project"}
	ic, err := e.integration()
	if err != nil {
		f.err = err
		return f
	}
	ad, err := e.admin()
	if err != nil {
		f.err = fmt.Errorf("counting the company's active projects: %w", err)
		return f
	}
	want, all, ask, err := e.targets(ctx, c.With, ad)
	if !all {
		f.text = "The integration's own token sees the chosen projects"
	}
	if err != nil || ask != "" {
		f.err = orAsk(err, ask)
		return f
	}
	sees := map[int64]bool{}
	for p, err := range ic.Projects(ctx, procore.ProjectFilter{}) {
		if err != nil {
			f.err = fmt.Errorf("list the projects with the integration's own token: %w", err)
			return f
		}
		sees[p.ID] = true
	}
	var missing []string
	for _, id := range want {
		if !sees[id] {
			missing = append(missing, fmt.Sprint(id))
		}
	}
	f.ok = len(missing) == 0
	f.state = fmt.Sprintf("sees %d of %d projects", len(want)-len(missing), len(want))
	if !f.ok {
		f.state += "; not " + strings.Join(clipList(missing, 3), ", ")
		f.fix = "In Procore: Company Admin > App Management > the app > Permissions: permit the projects (or Company Directory > Users > Edit next to the app's user > Projects: Add All, and tick \"Add ... to all new projects\")"
	}
	return f
}

func checkIntegrationPermissions(ctx context.Context, c steps.Check, e *Env) finding {
	levels := e.input(c.With, "levels", "")
	f := finding{text: "The integration's own token has " + levels}
	var want []wantLevel
	if levels != "" {
		var err error
		if want, err = parseLevels(levels); err != nil {
			f.err = err
			return f
		}
	}
	ic, err := e.integration()
	if err != nil {
		f.err = err
		return f
	}
	company, err := ic.CompanyPermissions(ctx)
	if err != nil {
		f.err = err
		return f
	}
	if len(want) == 0 {
		// No levels were named (an optional field left empty): nothing is
		// asked of it, and what it holds is said.
		var held []string
		for _, t := range company.Tools {
			held = append(held, procore.Printable(t.FriendlyName)+" "+procore.Printable(t.UserAccessLevel.Name))
		}
		f.text = "The integration's own token reads its permissions"
		f.ok, f.state = true, "no levels were named to prove; in the company it holds "+strings.Join(append(held, "nothing else")[:max(len(held), 1)], ", ")
		return f
	}
	var project *procore.Permissions
	projectPerms := func() (*procore.Permissions, error) {
		if project != nil {
			return project, nil
		}
		for p, err := range ic.Projects(ctx, procore.ProjectFilter{}) {
			if err != nil {
				return nil, err
			}
			pp, err := ic.ProjectPermissions(ctx, p.ID)
			if err != nil {
				return nil, err
			}
			project = pp
			return pp, nil
		}
		return nil, errors.New("it sees no project, so its project tools cannot be read")
	}
	var have, short []string
	for _, w := range want {
		lvl := ""
		if w.Scope != "project" {
			lvl = levelOf(company, w.Tool)
		}
		if lvl == "" && w.Scope != "company" {
			pp, err := projectPerms()
			if err != nil {
				f.err = err
				return f
			}
			lvl = levelOf(pp, w.Tool)
		}
		got := max(levelRank(lvl), 0)
		have = append(have, fmt.Sprintf("%s %s", w.Label, levelName(got)))
		if got < w.Rank {
			short = append(short, fmt.Sprintf("%s %s", w.Label, levelName(w.Rank)))
		}
	}
	f.ok = len(short) == 0
	f.state = "has " + strings.Join(have, ", ")
	if !f.ok {
		f.fix = "In Procore: Company Admin > App Management > the app > Permissions: grant " + strings.Join(short, ", ") + " (the levels the app's developer declares)"
	}
	return f
}

// lookupTool is a template's level for tool, keyed as Procore keys it:
// "RFIs" is rfi there.
func lookupTool(levels map[string]any, tool string) any {
	for _, k := range []string{tool, strings.TrimSuffix(tool, "s"), tool + "s"} {
		if v, ok := levels[k]; ok {
			return v
		}
	}
	return nil
}

// levelOf is the level of tool in a manifest, by its key or its name.
func levelOf(p *procore.Permissions, tool string) string {
	i := slices.IndexFunc(p.Tools, func(t procore.ToolPermission) bool {
		return toolKey(t.Name) == tool || toolKey(t.FriendlyName) == tool || toolKey(t.Name)+"s" == tool
	})
	if i < 0 {
		return ""
	}
	return p.Tools[i].UserAccessLevel.Name
}

func checkCredential(ctx context.Context, _ steps.Check, e *Env) finding {
	f := finding{text: "The integration's credential gets a token and reads its user and company"}
	ic, err := e.integration()
	if err != nil {
		f.err = err
		return f
	}
	me, err := ic.Me(ctx)
	if err != nil {
		f.state = err.Error()
		f.fix = "In the Developer Portal: check the app's production client ID and client secret, and that the app is installed in this company (Company Admin > App Management)"
		return f
	}
	companies, err := procore.Collect(ic.Companies(ctx))
	if err != nil {
		f.state = err.Error()
		f.fix = "In Procore: Company Admin > App Management: install the app in this company"
		return f
	}
	for _, co := range companies {
		if co.ID == ic.CompanyID() {
			f.ok = true
			f.state = fmt.Sprintf("token works: user %s (%d), company %d %q", procore.Printable(me.Login), me.ID, co.ID, procore.Printable(co.Name))
			return f
		}
	}
	f.state = fmt.Sprintf("token works (user %d), but company %d is not among its %d companies", me.ID, ic.CompanyID(), len(companies))
	f.fix = "In Procore: Company Admin > App Management: install the app in this company, or check the company ID"
	return f
}

// orAsk is err, or else the open question as an error.
func orAsk(err error, ask string) error {
	if err == nil && ask != "" {
		return errors.New(ask)
	}
	return err
}

// adminAndAccount is the admin's client and the account's user, for a
// check that reads the account's projects with the admin's sign-in.
func (e *Env) adminAndAccount(ctx context.Context) (*procore.Client, *procore.User, error) {
	ad, err := e.admin()
	if err != nil {
		return nil, nil, err
	}
	u, err := e.Account(ctx)
	if err != nil {
		return nil, nil, err
	}
	return ad, u, nil
}
