package procore

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Me is who a token belongs to. Name comes only when /me is asked about a
// company (MeIn); Procore leaves it out otherwise.
type Me struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
}

// Company is a company the caller can see.
type Company struct {
	ID        int64  `json:"id"`
	Name      string `json:"name"`
	IsActive  bool   `json:"is_active"`
	MyCompany bool   `json:"my_company"`
}

// Project is a project of the company.
type Project struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Number  string `json:"project_number"`
	Active  bool   `json:"active"`
	Company struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"company"`
}

// TemplateRef is a permission template as a user row names it.
type TemplateRef struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	ProjectSpecific bool   `json:"project_specific"`
	Type            string `json:"type"`
}

// Vendor is the directory company a user belongs to.
type Vendor struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// User is a row of the company directory (v1.3). Procore's rows carry no
// login and no add_to_new_projects: read the latter with CompanyMe, or
// from UpdateUser's answer.
type User struct {
	ID                        int64        `json:"id"`
	Name                      string       `json:"name,omitempty"`
	FirstName                 string       `json:"first_name,omitempty"`
	LastName                  string       `json:"last_name,omitempty"`
	EmailAddress              string       `json:"email_address,omitempty"`
	JobTitle                  string       `json:"job_title,omitempty"`
	IsActive                  bool         `json:"is_active"`
	IsEmployee                bool         `json:"is_employee"`
	PermissionTemplate        *TemplateRef `json:"permission_template,omitempty"`
	CompanyPermissionTemplate *TemplateRef `json:"company_permission_template,omitempty"`
	Vendor                    *Vendor      `json:"vendor,omitempty"`
	WelcomeEmailSentAt        string       `json:"welcome_email_sent_at,omitempty"`
	ERPIntegratedAccountant   bool         `json:"erp_integrated_accountant"`
}

// DefaultProjectTemplate is the user's default project permission
// template when it can be used on every project (a Global one), else nil.
func (u *User) DefaultProjectTemplate() *TemplateRef {
	t := u.PermissionTemplate
	if t == nil || t.ID == 0 || t.ProjectSpecific || t.Type == string(CompanyTools) {
		return nil
	}
	return t
}

// UserDetail is a company user as created, updated, or read back through
// /companies/{cid}/me: with add_to_new_projects and both template ids.
type UserDetail struct {
	ID                          int64   `json:"id"`
	Name                        string  `json:"name,omitempty"`
	FirstName                   string  `json:"first_name,omitempty"`
	LastName                    string  `json:"last_name,omitempty"`
	EmailAddress                string  `json:"email_address,omitempty"`
	JobTitle                    string  `json:"job_title,omitempty"`
	IsActive                    bool    `json:"is_active"`
	IsEmployee                  bool    `json:"is_employee"`
	AddToNewProjects            bool    `json:"add_to_new_projects"`
	DefaultPermissionTemplateID int64   `json:"default_permission_template_id,omitempty"`
	CompanyPermissionTemplateID int64   `json:"company_permission_template_id,omitempty"`
	Vendor                      *Vendor `json:"vendor,omitempty"`
}

// NewUser is what creating a user takes; LastName and EmailAddress are
// required by Procore. The template ids are a Directory Admin's to set.
type NewUser struct {
	FirstName                   string `json:"first_name,omitempty"`
	LastName                    string `json:"last_name"`
	EmailAddress                string `json:"email_address"`
	JobTitle                    string `json:"job_title,omitempty"`
	IsEmployee                  bool   `json:"is_employee,omitempty"`
	DefaultPermissionTemplateID int64  `json:"default_permission_template_id,omitempty"`
	CompanyPermissionTemplateID int64  `json:"company_permission_template_id,omitempty"`
}

// UserChange is what UpdateUser sets besides the required last name and
// email address (nil: left as it is).
type UserChange struct {
	// FirstName and LastName rename the user (LastName replaces the last
	// name that is otherwise sent back as it is).
	FirstName, LastName         *string
	AddToNewProjects            *bool
	DefaultPermissionTemplateID *int64
	CompanyPermissionTemplateID *int64
	JobTitle                    *string
}

// ProjectAssignment is a user's membership in one project. Procore names
// the template but gives no id.
type ProjectAssignment struct {
	ProjectID              int64  `json:"project_id"`
	Name                   string `json:"name"`
	ProjectNumber          string `json:"project_number"`
	IsAssigned             bool   `json:"is_assigned"`
	Active                 bool   `json:"active"`
	PermissionTemplateName string `json:"permission_template_name"`
}

// ProjectUser is a row of a project's directory.
type ProjectUser struct {
	ID                 int64        `json:"id"`
	Name               string       `json:"name"`
	EmailAddress       string       `json:"email_address"`
	IsActive           bool         `json:"is_active"`
	PermissionTemplate *TemplateRef `json:"permission_template"`
}

// PermissionTemplate is a company or project permission template. Type is
// one of project_specific, company_tools or global.
type PermissionTemplate struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	ProjectSpecific bool   `json:"project_specific"`
	Type            string `json:"type"`
	Category        string `json:"category"`
}

// TemplateDetail is one template with what it allows. The inside of
// user_access_levels and permissions is not documented, so it is kept as
// Procore sent it.
type TemplateDetail struct {
	PermissionTemplate
	CompanyID        int64          `json:"company_id"`
	ProviderType     string         `json:"provider_type"`
	ProviderID       int64          `json:"provider_id"`
	ProjectID        int64          `json:"project_id"`
	UserAccessLevels map[string]any `json:"user_access_levels"`
	Permissions      map[string]any `json:"permissions"`
}

// NewTemplate is what creating a permission template takes.
type NewTemplate struct {
	Name             string         `json:"name"`
	Type             string         `json:"type"` // company_tools, global or project_specific
	ProjectID        int64          `json:"project_id,omitempty"`
	UserAccessLevels map[string]any `json:"user_access_levels,omitempty"`
}

// TemplateAssignment is a member's template on one project.
type TemplateAssignment struct {
	UserID               int64 `json:"user_id"`
	PermissionTemplateID int64 `json:"permission_template_id"`
	ProjectID            int64 `json:"project_id"`
}

// ToolPermission is one tool the caller may use, and at what level.
type ToolPermission struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	FriendlyName    string `json:"friendly_name"`
	UserAccessLevel struct {
		Name string `json:"name"`
	} `json:"user_access_level"`
	PermittedActions []struct {
		ActionName string `json:"action_name"`
		Label      string `json:"label"`
	} `json:"permitted_actions"`
}

// Permissions is the caller's own permission manifest.
type Permissions struct {
	Tools []ToolPermission `json:"tools"`
}

// Level is the caller's access level to a tool ("Admin", "Standard",
// "Read Only"), by name or friendly name; "" when it has none.
func (p *Permissions) Level(tool string) string {
	for _, t := range p.Tools {
		if strings.EqualFold(t.Name, tool) || strings.EqualFold(t.FriendlyName, tool) {
			return t.UserAccessLevel.Name
		}
	}
	return ""
}

// AppInstallation is an app installed in the company.
type AppInstallation struct {
	ID              int64  `json:"id"`
	AppUID          string `json:"app_uid"`
	Status          string `json:"status"`
	SemanticVersion string `json:"semantic_version"`
	InstalledAt     string `json:"installed_at"`
	DeveloperApp    struct {
		Name string `json:"name"`
		UID  string `json:"uid"`
	} `json:"developer_app"`
	Installer struct {
		ID    int64  `json:"id"`
		Login string `json:"login"`
		Name  string `json:"name"`
	} `json:"installer"`
}

func (c *Client) cid() string { return strconv.FormatInt(c.cfg.CompanyID, 10) }

// Me is who the client's token belongs to (no name: see MeIn).
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var me Me
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/v1.0/me", idempotent: true, noCompany: true}, &me); err != nil {
		return nil, fmt.Errorf("find who the credential belongs to: %w", err)
	}
	return &me, nil
}

// MeIn is who the token belongs to, with the name its user has in the
// client's company.
func (c *Client) MeIn(ctx context.Context) (*Me, error) {
	var me Me
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/v1.0/me", idempotent: true,
		query: url.Values{"company_id": {c.cid()}}}, &me); err != nil {
		return nil, fmt.Errorf("find who the credential belongs to: %w", err)
	}
	return &me, nil
}

// CompanyMe is the caller as a user of the company: the one documented
// read of its add_to_new_projects and template ids.
func (c *Client) CompanyMe(ctx context.Context) (*UserDetail, error) {
	var u UserDetail
	if _, err := c.do(ctx, request{method: http.MethodGet, idempotent: true,
		path: "/rest/v1.0/companies/" + c.cid() + "/me"}, &u); err != nil {
		return nil, fmt.Errorf("read the credential's own user in company %d: %w", c.cfg.CompanyID, err)
	}
	return &u, nil
}

// Companies lists the companies the caller can see (for a DMSA: where its
// app is installed).
func (c *Client) Companies(ctx context.Context) iter.Seq2[Company, error] {
	return list[Company](ctx, c, request{path: "/rest/v1.0/companies", noCompany: true}, "list companies")
}

// ProjectFilter narrows Projects.
type ProjectFilter struct {
	Status  string // Active (default), Inactive or All
	Name    string
	PerPage int // 0: the largest Procore allows (300)
}

// MaxPerPage are the page sizes Procore documents for each list.
const (
	ProjectsMaxPerPage    = 300
	DefaultMaxPerPage     = 100
	AssignmentsMaxPerPage = 300
)

// Projects lists the company's projects the caller can see.
func (c *Client) Projects(ctx context.Context, f ProjectFilter) iter.Seq2[Project, error] {
	q := url.Values{"company_id": {c.cid()}}
	if f.Status == "" {
		f.Status = "Active"
	}
	q.Set("filters[by_status]", f.Status)
	if f.Name != "" {
		q.Set("filters[name]", f.Name)
	}
	q.Set("per_page", strconv.Itoa(perPage(f.PerPage, ProjectsMaxPerPage)))
	return list[Project](ctx, c, request{path: "/rest/v1.1/projects", query: q}, "list projects")
}

func perPage(n, most int) int {
	if n <= 0 || n > most {
		return most
	}
	return n
}

func (c *Client) usersPath() string { return "/rest/v1.3/companies/" + c.cid() + "/users" }

// Users lists the company directory's active users; search matches a name
// or an email address.
func (c *Client) Users(ctx context.Context, search string) iter.Seq2[User, error] {
	q := url.Values{"per_page": {strconv.Itoa(DefaultMaxPerPage)}}
	if search != "" {
		q.Set("filters[search]", search)
	}
	return list[User](ctx, c, request{path: c.usersPath(), query: q}, "list company users")
}

// InactiveUsers lists the company's inactive users.
func (c *Client) InactiveUsers(ctx context.Context) iter.Seq2[User, error] {
	q := url.Values{"per_page": {strconv.Itoa(DefaultMaxPerPage)}}
	return list[User](ctx, c, request{path: "/rest/v1.0/companies/" + c.cid() + "/users/inactive", query: q}, "list inactive company users")
}

// User reads one company user.
func (c *Client) User(ctx context.Context, id int64) (*User, error) {
	var u User
	_, err := c.do(ctx, request{method: http.MethodGet, idempotent: true, path: fmt.Sprintf("%s/%d", c.usersPath(), id)}, &u)
	if err != nil {
		return nil, fmt.Errorf("read user %d: %w", id, err)
	}
	return &u, nil
}

// CreateUser adds a user to the company directory. It is not repeated after
// a dropped connection: that could create the user twice.
func (c *Client) CreateUser(ctx context.Context, nu NewUser) (*UserDetail, error) {
	var u UserDetail
	_, err := c.do(ctx, request{method: http.MethodPost, path: c.usersPath(), body: map[string]any{"user": nu}}, &u)
	if err != nil {
		return nil, fmt.Errorf("create user %s: %w", nu.EmailAddress, err)
	}
	return &u, nil
}

// UpdateUser changes a user. The reference documents the body as
// multipart/form-data and marks last_name and email_address required, so
// the user is read first and both are sent back as they are. Setting the
// same values twice is harmless, so it is retried like a read.
func (c *Client) UpdateUser(ctx context.Context, userID int64, ch UserChange) (*UserDetail, error) {
	cur, err := c.User(ctx, userID)
	if err != nil {
		return nil, fmt.Errorf("update user %d: %w", userID, err)
	}
	last := cur.LastName
	if ch.LastName != nil {
		last = *ch.LastName
	}
	form := [][2]string{{"user[last_name]", last}, {"user[email_address]", cur.EmailAddress}}
	if ch.FirstName != nil {
		form = append(form, [2]string{"user[first_name]", *ch.FirstName})
	}
	if ch.AddToNewProjects != nil {
		form = append(form, [2]string{"user[add_to_new_projects]", strconv.FormatBool(*ch.AddToNewProjects)})
	}
	if ch.DefaultPermissionTemplateID != nil {
		form = append(form, [2]string{"user[default_permission_template_id]", strconv.FormatInt(*ch.DefaultPermissionTemplateID, 10)})
	}
	if ch.CompanyPermissionTemplateID != nil {
		form = append(form, [2]string{"user[company_permission_template_id]", strconv.FormatInt(*ch.CompanyPermissionTemplateID, 10)})
	}
	if ch.JobTitle != nil {
		form = append(form, [2]string{"user[job_title]", *ch.JobTitle})
	}
	var u UserDetail
	if _, err := c.do(ctx, request{method: http.MethodPatch, idempotent: true, form: form,
		path: fmt.Sprintf("%s/%d", c.usersPath(), userID)}, &u); err != nil {
		return nil, fmt.Errorf("update user %d: %w", userID, err)
	}
	return &u, nil
}

// SetAddToNewProjects sets whether Procore adds the user to every new
// project (a Directory Admin only). The answer says what Procore now holds.
func (c *Client) SetAddToNewProjects(ctx context.Context, userID int64, on bool) (*UserDetail, error) {
	u, err := c.UpdateUser(ctx, userID, UserChange{AddToNewProjects: &on})
	if err != nil {
		return nil, fmt.Errorf("set add to new projects: %w", err)
	}
	if u.AddToNewProjects != on {
		return u, fmt.Errorf("set add to new projects for user %d: Procore answered with it %t", userID, u.AddToNewProjects)
	}
	return u, nil
}

// InviteUser sends the user Procore's invitation email. Though a PATCH, it
// is not safe to repeat: each call sends an email (Procore's reference: "send
// the invitation email"), so one whose answer was lost is not sent again.
func (c *Client) InviteUser(ctx context.Context, userID int64) error {
	_, err := c.do(ctx, request{method: http.MethodPatch, path: fmt.Sprintf("%s/%d/invite", c.usersPath(), userID)}, nil)
	if err != nil {
		return fmt.Errorf("invite user %d: %w", userID, err)
	}
	return nil
}

// AssignmentFilter narrows ProjectAssignments: Status is Active, Inactive
// or All ("" sends none); Assigned is assigned, unassigned or all.
type AssignmentFilter struct {
	Status, Assigned string
}

// ProjectAssignments lists the user's membership in every project.
func (c *Client) ProjectAssignments(ctx context.Context, userID int64) iter.Seq2[ProjectAssignment, error] {
	return c.ProjectAssignmentsWhere(ctx, userID, AssignmentFilter{})
}

// ProjectAssignmentsWhere is ProjectAssignments narrowed by f.
func (c *Client) ProjectAssignmentsWhere(ctx context.Context, userID int64, f AssignmentFilter) iter.Seq2[ProjectAssignment, error] {
	return c.ProjectAssignmentsPaged(ctx, userID, f, nil)
}

// ProjectAssignmentsPaged is ProjectAssignmentsWhere telling onPage (when
// not nil) of each page as it is read, with the list's size where Procore
// gives it: listing a large company takes minutes.
func (c *Client) ProjectAssignmentsPaged(ctx context.Context, userID int64, f AssignmentFilter, onPage func(PageInfo)) iter.Seq2[ProjectAssignment, error] {
	q := url.Values{"per_page": {strconv.Itoa(AssignmentsMaxPerPage)}}
	if f.Status != "" {
		q.Set("filters[by_status]", f.Status)
	}
	if f.Assigned != "" {
		q.Set("filters[assignment_status]", f.Assigned)
	}
	return list[ProjectAssignment](ctx, c, request{query: q, onPage: onPage,
		path: fmt.Sprintf("/rest/v1.0/companies/%d/users/%d/project_assignments", c.cfg.CompanyID, userID)},
		fmt.Sprintf("list the project assignments of user %d", userID))
}

// ProjectUsers lists a project's directory.
func (c *Client) ProjectUsers(ctx context.Context, projectID int64) iter.Seq2[ProjectUser, error] {
	q := url.Values{"per_page": {strconv.Itoa(DefaultMaxPerPage)}}
	return list[ProjectUser](ctx, c, request{query: q, path: fmt.Sprintf("/rest/v1.0/projects/%d/users", projectID)},
		fmt.Sprintf("list the users of project %d", projectID))
}

// AddToProject adds a company user to one project. Procore answers 201
// again for a member and changes nothing, so it is safe to repeat.
func (c *Client) AddToProject(ctx context.Context, projectID, userID, templateID int64) error {
	var body any
	if templateID != 0 {
		body = map[string]any{"user": map[string]any{"permission_template_id": templateID}}
	}
	_, err := c.do(ctx, request{method: http.MethodPost, idempotent: true, body: body,
		path: fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/add", projectID, userID)}, nil)
	if err != nil {
		return fmt.Errorf("add user %d to project %d: %w", userID, projectID, err)
	}
	return nil
}

// RemoveFromProject removes a user from one project.
func (c *Client) RemoveFromProject(ctx context.Context, projectID, userID int64) error {
	_, err := c.do(ctx, request{method: http.MethodDelete, idempotent: true,
		path: fmt.Sprintf("/rest/v1.0/projects/%d/users/%d/actions/remove", projectID, userID)}, nil)
	if err != nil {
		return fmt.Errorf("remove user %d from project %d: %w", userID, projectID, err)
	}
	return nil
}

// AssignTemplate sets a member's permission template on one project.
func (c *Client) AssignTemplate(ctx context.Context, projectID, userID, templateID int64) (*TemplateAssignment, error) {
	var a TemplateAssignment
	_, err := c.do(ctx, request{method: http.MethodPatch, idempotent: true,
		path: fmt.Sprintf("/rest/v1.0/projects/%d/permission_template_assignments", projectID),
		body: map[string]any{"permission_template_assignments": map[string]int64{"user_id": userID, "permission_template_id": templateID}}}, &a)
	if err != nil {
		return nil, fmt.Errorf("set the template of user %d on project %d: %w", userID, projectID, err)
	}
	return &a, nil
}

// TemplateType is the kind of permission template to list (a filter
// value: rows name their type project_specific, company_tools or global).
type TemplateType string

const (
	ProjectTools TemplateType = "project_tools"
	CompanyTools TemplateType = "company_tools"
	GlobalTools  TemplateType = "global"
)

// PermissionTemplates lists the company's permission templates of a type.
// Procore does not page this list.
func (c *Client) PermissionTemplates(ctx context.Context, t TemplateType) iter.Seq2[PermissionTemplate, error] {
	q := url.Values{}
	if t != "" {
		q.Set("filters[type]", string(t))
	}
	return list[PermissionTemplate](ctx, c, request{query: q, path: fmt.Sprintf("/rest/v1.0/companies/%d/permission_templates", c.cfg.CompanyID)},
		"list permission templates")
}

// PermissionTemplate reads one template with what it allows.
func (c *Client) PermissionTemplate(ctx context.Context, id int64) (*TemplateDetail, error) {
	var t TemplateDetail
	if _, err := c.do(ctx, request{method: http.MethodGet, idempotent: true,
		path: fmt.Sprintf("/rest/v1.0/companies/%d/permission_templates/%d", c.cfg.CompanyID, id)}, &t); err != nil {
		return nil, fmt.Errorf("read permission template %d: %w", id, err)
	}
	return &t, nil
}

// CreateTemplate creates a permission template. Not repeated after a
// dropped connection: that could create it twice.
func (c *Client) CreateTemplate(ctx context.Context, nt NewTemplate) (*TemplateDetail, error) {
	var t TemplateDetail
	if _, err := c.do(ctx, request{method: http.MethodPost, body: map[string]any{"permission_template": nt},
		path: fmt.Sprintf("/rest/v1.0/companies/%d/permission_templates", c.cfg.CompanyID)}, &t); err != nil {
		return nil, fmt.Errorf("create permission template %q: %w", nt.Name, err)
	}
	return &t, nil
}

// ProjectPermissionTemplates lists the templates usable on one project.
func (c *Client) ProjectPermissionTemplates(ctx context.Context, projectID int64) iter.Seq2[PermissionTemplate, error] {
	return list[PermissionTemplate](ctx, c, request{path: fmt.Sprintf("/rest/v1.0/projects/%d/permission_templates", projectID)},
		fmt.Sprintf("list permission templates of project %d", projectID))
}

// CompanyPermissions is the caller's own tools and levels in the company.
func (c *Client) CompanyPermissions(ctx context.Context) (*Permissions, error) {
	return c.permissions(ctx, url.Values{"company_id": {c.cid()}}, fmt.Sprintf("company %d", c.cfg.CompanyID))
}

// ProjectPermissions is the caller's own tools and levels on a project.
func (c *Client) ProjectPermissions(ctx context.Context, projectID int64) (*Permissions, error) {
	return c.permissions(ctx, url.Values{"project_id": {strconv.FormatInt(projectID, 10)}}, fmt.Sprintf("project %d", projectID))
}

func (c *Client) permissions(ctx context.Context, q url.Values, where string) (*Permissions, error) {
	var p Permissions
	if _, err := c.do(ctx, request{method: http.MethodGet, idempotent: true, path: "/rest/v1.0/settings/permissions", query: q}, &p); err != nil {
		return nil, fmt.Errorf("read the credential's permissions in %s: %w", where, err)
	}
	return &p, nil
}

// ErrNotDirectoryAdmin is wrapped by the error of a directory change that
// the credential's user may not make: Procore gives that right to
// Directory Admins, and a well-configured integration is not one.
var ErrNotDirectoryAdmin = errors.New("this credential's user is not a Directory Admin in the company, so Procore refuses its changes to the directory: " +
	"sign in as a company admin with 'procore-sa login' and make the change with that sign-in")

// DirectoryAdmin reports whether the caller is a Directory Admin: its
// Directory tool at the Admin level, in its own permission manifest.
func (c *Client) DirectoryAdmin(ctx context.Context) (bool, error) {
	p, err := c.CompanyPermissions(ctx)
	if err != nil {
		return false, err
	}
	return strings.EqualFold(p.Level("directory"), "admin"), nil
}

// AppInstallations lists the apps installed in the company (App
// Management: a company admin's).
func (c *Client) AppInstallations(ctx context.Context) iter.Seq2[AppInstallation, error] {
	q := url.Values{"company_id": {c.cid()}, "per_page": {strconv.Itoa(DefaultMaxPerPage)}}
	return list[AppInstallation](ctx, c, request{path: "/rest/v1.0/app_installations", query: q}, "list installed apps")
}

// list walks a paginated list, following Link rel="next" until there is
// none. It stops at the first error, which it yields; a next link to a page
// already read, or more than Config.MaxPages pages or MaxRows rows, is one.
func list[T any](ctx context.Context, c *Client, r request, doing string) iter.Seq2[T, error] {
	r.method, r.idempotent = http.MethodGet, true
	return func(yield func(T, error) bool) {
		var zero T
		read := map[string]int{} // page URL → its number
		rows := 0
		for page := 1; r.path != ""; page++ {
			u, err := c.resolve(r.path, r.query)
			if err != nil {
				yield(zero, fmt.Errorf("%s (page %d): %w", doing, page, err))
				return
			}
			key := canonical(u)
			if first, again := read[key]; again {
				yield(zero, fmt.Errorf("%s: Procore's next link from page %d leads back to page %d, already read; stopped so as not to read the same pages forever", doing, page-1, first))
				return
			}
			if page > c.cfg.MaxPages {
				yield(zero, fmt.Errorf("%s: more than %d pages; stopped", doing, c.cfg.MaxPages))
				return
			}
			read[key] = page
			var batch []T
			h, err := c.do(ctx, r, &batch)
			if err != nil {
				yield(zero, fmt.Errorf("%s (page %d): %w", doing, page, err))
				return
			}
			if rows += len(batch); rows > c.cfg.MaxRows {
				yield(zero, fmt.Errorf("%s: more than %d rows; stopped", doing, c.cfg.MaxRows))
				return
			}
			if r.onPage != nil {
				total, _ := strconv.Atoi(strings.TrimSpace(h.header.Get("Total")))
				per, _ := strconv.Atoi(strings.TrimSpace(h.header.Get("Per-Page")))
				r.onPage(PageInfo{Page: page, Rows: rows, Total: max(total, 0), PerPage: max(per, 0)})
			}
			for _, v := range batch {
				if !yield(v, nil) {
					return
				}
			}
			r.path, r.query = ParseLink(h.header.Get("Link"))["next"], nil
			if len(batch) == 0 {
				return // a next link on an empty page would loop forever
			}
		}
	}
}

// canonical is a page URL with its query in a fixed order, so that the
// same page spelt two ways is one.
func canonical(u *url.URL) string {
	cp := *u
	cp.RawQuery = cp.Query().Encode()
	cp.Fragment = ""
	return cp.String()
}

// Collect gathers an iterator's values, stopping at its first error.
func Collect[T any](seq iter.Seq2[T, error]) ([]T, error) {
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}
