// Package automate holds what the tool does and reads through Procore's API
// for a guide's steps: one executor per action name (a plan that only
// reads, then the change made with the admin's own sign-in and read back)
// and one reader per check name (a requirement held or not, with the fix in
// Procore's words). The front-ends reach it through internal/app.
package automate

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path"
	"strconv"
	"strings"

	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/steps"
)

// Env is whom the work acts as and whom it is about.
type Env struct {
	// Admin is the company admin's own sign-in: every directory change and
	// every read of the directory. Nil when there is none; then AdminWhy
	// says why.
	Admin    *procore.Client
	AdminWhy string
	// Integration is the integration's own credential, used only to prove
	// what it can do (its /me, companies, projects, permissions). Nil when
	// the walk has none the API can use; IntegrationWhy says why.
	Integration         *procore.Client
	IntegrationClientID string // the credential's client ID: the app_uid of its installation
	IntegrationWhy      string
	// Values are the walk's field values, by role.
	Values map[steps.Role]string
	// UserID is the account's directory user, when a step found or made it.
	UserID int64
	// AccountLike, when set, finds the account when nothing else says who
	// it is: the one active directory user whose address is like it (an
	// installed app's user, admin-actions-*@procore.com).
	AccountLike string
	// Projects are the projects a person chose (add_to_projects and
	// project_membership with projects: chosen).
	Projects []int64
	// ChooseHow, when set, says how to name the chosen projects where none
	// were chosen (a command's flag); it follows what is asked.
	ChooseHow string

	account *procore.User // found once per Env
	as      string
}

// Plan is what an action would change, as whom; it was read, nothing was
// changed.
type Plan struct {
	Action  string
	As      string
	Changes []string
	Nothing bool
	Ask     string
	// ChooseProjects: what Ask asks is the choice of projects (projects:
	// chosen, none chosen yet), which a front-end can offer a list for.
	ChooseProjects bool
	UserID         int64
}

// Done is what an action did, as Procore now holds it.
type Done struct {
	Detail string
	UserID int64
}

// Requirement is one check's result.
type Requirement struct {
	ID, Step, Text string
	OK, Unknown    bool
	State, Fix     string
}

// ErrNoAdmin is why a change or a directory read cannot be made: there is
// no admin's sign-in to make it with.
var ErrNoAdmin = errors.New("this takes a company admin's own sign-in: sign in with 'procore-sa login' (or at the guide's admin sign-in step), then try again")

// ErrNoAccount: nothing says which directory user the guide sets up.
var ErrNoAccount = errors.New("which directory user this is about is not known: give its email address (or --user ID|EMAIL), or capture the integration's credential so that its own user can be read")

// ErrNoIntegration: the integration's own credential is not at hand.
var ErrNoIntegration = errors.New("the integration's own credential is not at hand: capture it (the guide's capture step) or name its profile with --profile")

// input is an action's or a check's input k: a role's value when With
// names a role (account_email), else the literal; def when With has none.
func (e *Env) input(with map[string]string, k, def string) string {
	v, ok := with[k]
	if !ok {
		return def
	}
	if r := steps.Role(v); r != "" {
		if _, known := r.FieldType(); known {
			return strings.TrimSpace(e.Values[r])
		}
	}
	return strings.TrimSpace(v)
}

func (e *Env) admin() (*procore.Client, error) {
	if e.Admin == nil {
		if e.AdminWhy != "" {
			return nil, fmt.Errorf("%w (%s)", ErrNoAdmin, e.AdminWhy)
		}
		return nil, ErrNoAdmin
	}
	return e.Admin, nil
}

func (e *Env) integration() (*procore.Client, error) {
	if e.Integration == nil {
		if e.IntegrationWhy != "" {
			return nil, fmt.Errorf("%w (%s)", ErrNoIntegration, e.IntegrationWhy)
		}
		return nil, ErrNoIntegration
	}
	return e.Integration, nil
}

// As is who acts: "morgan.reyes@example.com (user 14100001)".
func (e *Env) As(ctx context.Context) (string, error) {
	if e.as != "" {
		return e.as, nil
	}
	c, err := e.admin()
	if err != nil {
		return "", err
	}
	me, err := c.Me(ctx)
	if err != nil {
		return "", fmt.Errorf("read who the admin's sign-in is: %w", err)
	}
	e.as = fmt.Sprintf("%s (user %d)", procore.Printable(me.Login), me.ID)
	return e.as, nil
}

// Account is the directory user the guide sets up, read with the admin's
// sign-in: the one a step found or made, else the one with the account's
// email address, else the integration's own user (its /me).
func (e *Env) Account(ctx context.Context) (*procore.User, error) {
	if e.account != nil {
		return e.account, nil
	}
	c, err := e.admin()
	if err != nil {
		return nil, err
	}
	var u *procore.User
	switch email := strings.TrimSpace(e.Values[steps.RoleAccountEmail]); {
	case e.UserID != 0:
		if u, err = c.User(ctx, e.UserID); procore.StatusOf(err) == http.StatusNotFound {
			return nil, fmt.Errorf("no user with the ID %d in company %d", e.UserID, c.CompanyID())
		}
	case email != "":
		u, err = FindByEmail(ctx, c, email)
	case e.Integration != nil:
		var me *procore.Me
		if me, err = e.Integration.Me(ctx); err != nil {
			return nil, fmt.Errorf("find the integration's user with its own credential: %w", err)
		}
		if u, err = c.User(ctx, me.ID); err != nil {
			err = fmt.Errorf("find the integration's user %d in the directory: %w", me.ID, err)
		}
	case e.AccountLike != "":
		u, err = e.onlyLike(ctx, c)
	default:
		return nil, ErrNoAccount
	}
	if err != nil {
		return nil, err
	}
	e.account, e.UserID = u, u.ID
	return u, nil
}

// onlyLike is the one active user like AccountLike.
func (e *Env) onlyLike(ctx context.Context, c *procore.Client) (*procore.User, error) {
	found, err := FindLike(ctx, c, e.AccountLike)
	if err != nil {
		return nil, err
	}
	switch len(found) {
	case 1:
		return &found[0], nil
	case 0:
		return nil, &NotFoundError{What: "active user like " + e.AccountLike, Company: c.CompanyID()}
	}
	return nil, fmt.Errorf("%d directory users are like %s: %w", len(found), e.AccountLike, ErrNoAccount)
}

// forget drops the account read, after a change, so that the next read is
// Procore's.
func (e *Env) forget() { e.account = nil }

// FindByEmail is the active directory user with this address.
func FindByEmail(ctx context.Context, c *procore.Client, email string) (*procore.User, error) {
	for u, err := range c.Users(ctx, email) {
		if err != nil {
			return nil, fmt.Errorf("search the directory for %s: %w", email, err)
		}
		if strings.EqualFold(u.EmailAddress, email) {
			return &u, nil
		}
	}
	return nil, &NotFoundError{What: "an active user with the email address " + email, Company: c.CompanyID()}
}

// FindLike is every active directory user whose address matches pattern
// ("admin-actions-*@procore.com"; * is any run of characters), searched by
// the pattern's text before its first wildcard.
func FindLike(ctx context.Context, c *procore.Client, pattern string) ([]procore.User, error) {
	pattern = strings.ToLower(strings.TrimSpace(pattern))
	search, _, _ := strings.Cut(pattern, "*")
	var out []procore.User
	for u, err := range c.Users(ctx, search) {
		if err != nil {
			return nil, fmt.Errorf("search the directory for %s: %w", pattern, err)
		}
		if ok, _ := path.Match(pattern, strings.ToLower(u.EmailAddress)); ok {
			out = append(out, u)
		}
	}
	return out, nil
}

// NotFoundError: Procore holds nothing by that name.
type NotFoundError struct {
	What    string
	Company int64
}

func (e *NotFoundError) Error() string {
	return fmt.Sprintf("no %s in company %d", e.What, e.Company)
}

// refused says what a refusal means for the person, on top of Procore's
// own words: a 403 to a directory change is the sign-in's missing right.
func refused(doing string, err error) error {
	switch procore.StatusOf(err) {
	case http.StatusForbidden:
		return fmt.Errorf("%s: the signed-in user is not a Directory Admin (Admin on the Company Directory tool), so Procore refused: %w", doing, err)
	case http.StatusConflict:
		return fmt.Errorf("%s: Procore already holds it: %w", doing, err)
	case http.StatusUnprocessableEntity, http.StatusBadRequest:
		return fmt.Errorf("%s: Procore refused the values: %w", doing, err)
	}
	return fmt.Errorf("%s: %w", doing, err)
}

// userName is a user's name as a directory row shows it, printable.
func userName(u *procore.User) string {
	n := strings.TrimSpace(u.FirstName + " " + u.LastName)
	if n == "" {
		n = u.Name
	}
	return procore.Printable(n)
}

// who is "integration.service@example.com (user 14100003)".
func who(u *procore.User) string {
	return fmt.Sprintf("%s (user %d)", procore.Printable(u.EmailAddress), u.ID)
}

// Levels of a tool, lowest first, as templates and /settings/permissions
// name them.
var levelWords = []string{"none", "read_only", "standard", "admin"}

// levelRank reads a level word ("Read Only", "read_only", "admin") or a
// number; -1 when it is not one.
func levelRank(v any) int {
	switch t := v.(type) {
	case string:
		k := strings.ReplaceAll(strings.ToLower(strings.TrimSpace(t)), " ", "_")
		k = strings.ReplaceAll(k, "-", "_")
		for i, w := range levelWords {
			if w == k {
				return i
			}
		}
		if n, err := strconv.Atoi(k); err == nil && n >= 0 && n < len(levelWords) {
			return n
		}
	case float64:
		if n := int(t); float64(n) == t && n >= 0 && n < len(levelWords) {
			return n
		}
	case map[string]any:
		if n, ok := t["name"]; ok {
			return levelRank(n)
		}
		if n, ok := t["id"]; ok {
			return levelRank(n)
		}
	}
	return -1
}

// levelName is a level as Procore's screens name it.
func levelName(rank int) string {
	switch rank {
	case 0:
		return "None"
	case 1:
		return "Read Only"
	case 2:
		return "Standard"
	case 3:
		return "Admin"
	}
	return "unknown"
}

// toolKey is a tool's name as a template keys it: "Daily Log" → daily_log.
func toolKey(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.ToLower(strings.TrimSpace(s)), " ", "_"), "-", "_")
}

// wantLevel is one "Tool=level" of a levels input; Scope is "company",
// "project" or "" (either), from a "company." or "project." prefix.
type wantLevel struct {
	Scope, Tool, Label string
	Rank               int
}

// parseLevels reads "Directory=admin,project.Documents=read_only".
func parseLevels(s string) ([]wantLevel, error) {
	var out []wantLevel
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		tool, lvl, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("levels %q: each item is Tool=level, as in Directory=admin", s)
		}
		w := wantLevel{Tool: strings.TrimSpace(tool), Rank: levelRank(lvl)}
		for _, scope := range []string{"company", "project"} {
			if p := scope + "."; len(w.Tool) >= len(p) && strings.EqualFold(w.Tool[:len(p)], p) {
				w.Scope, w.Tool = scope, w.Tool[len(p):]
			}
		}
		if w.Rank < 0 {
			return nil, fmt.Errorf("levels %q: %q is not a level (none, read_only, standard or admin)", s, strings.TrimSpace(lvl))
		}
		w.Label = w.Tool
		w.Tool = toolKey(w.Tool)
		out = append(out, w)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("levels %q: name at least one Tool=level", s)
	}
	return out, nil
}

// findTemplate is the company's template called name (any case) among
// those of type t.
func findTemplate(ctx context.Context, c *procore.Client, t procore.TemplateType, name string) (*procore.PermissionTemplate, error) {
	for pt, err := range c.PermissionTemplates(ctx, t) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(strings.TrimSpace(pt.Name), name) {
			return &pt, nil
		}
	}
	return nil, nil
}
