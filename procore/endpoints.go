package procore

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// Me is who a token belongs to.
type Me struct {
	ID    int64  `json:"id"`
	Login string `json:"login"`
	Name  string `json:"name"`
}

// Company is a company the caller can see.
type Company struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	IsActive bool   `json:"is_active"`
}

// Project is a project of the company.
type Project struct {
	ID      int64  `json:"id"`
	Name    string `json:"name"`
	Active  bool   `json:"active"`
	Company struct {
		ID   int64  `json:"id"`
		Name string `json:"name"`
	} `json:"company"`
}

// User is a company directory user.
type User struct {
	ID               int64  `json:"id"`
	Login            string `json:"login,omitempty"`
	Name             string `json:"name,omitempty"`
	FirstName        string `json:"first_name,omitempty"`
	LastName         string `json:"last_name,omitempty"`
	EmailAddress     string `json:"email_address,omitempty"`
	JobTitle         string `json:"job_title,omitempty"`
	IsActive         bool   `json:"is_active"`
	IsEmployee       bool   `json:"is_employee"`
	AddToNewProjects bool   `json:"add_to_new_projects"`
}

// NewUser is what creating a user takes; LastName and EmailAddress are
// required by Procore.
type NewUser struct {
	FirstName    string `json:"first_name,omitempty"`
	LastName     string `json:"last_name"`
	EmailAddress string `json:"email_address"`
	JobTitle     string `json:"job_title,omitempty"`
	IsEmployee   bool   `json:"is_employee,omitempty"`
}

// ProjectAssignment is a user's membership in one project.
type ProjectAssignment struct {
	ProjectID              int64  `json:"project_id"`
	Name                   string `json:"name"`
	IsAssigned             bool   `json:"is_assigned"`
	Active                 bool   `json:"active"`
	PermissionTemplateID   int64  `json:"permission_template_id,omitempty"`
	PermissionTemplateName string `json:"permission_template_name,omitempty"`
}

// PermissionTemplate is a company or project permission template.
type PermissionTemplate struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	ProjectSpecific bool   `json:"project_specific"`
	Type            string `json:"type"`
}

// Membership is one (user, project, template) triplet of bulk_add.
type Membership struct {
	UserID               int64 `json:"user_id"`
	ProjectID            int64 `json:"project_id"`
	PermissionTemplateID int64 `json:"permission_template_id,omitempty"`
}

// BulkAddLimit is the most triplets one bulk_add call takes.
const BulkAddLimit = 1000

// BulkAddResult is bulk_add's answer: the projects each user is now in,
// and, with a 207, the triplets that failed.
type BulkAddResult struct {
	Entities map[string][]int64 `json:"entities"`
	Errors   []BulkAddFailure   `json:"errors,omitempty"`
	Partial  bool               `json:"-"` // the answer was 207
}

// BulkAddFailure is one triplet bulk_add could not do.
type BulkAddFailure struct {
	UserID    int64  `json:"user_id"`
	ProjectID int64  `json:"project_id"`
	Message   string `json:"message"`
}

func (c *Client) cid() string { return strconv.FormatInt(c.cfg.CompanyID, 10) }

// Me is who the client's token belongs to.
func (c *Client) Me(ctx context.Context) (*Me, error) {
	var me Me
	if _, err := c.do(ctx, request{method: http.MethodGet, path: "/rest/v1.0/me", idempotent: true}, &me); err != nil {
		return nil, fmt.Errorf("find who the credential belongs to: %w", err)
	}
	return &me, nil
}

// Companies lists the companies the caller can see (for a DMSA: where its
// app is installed).
func (c *Client) Companies(ctx context.Context) iter.Seq2[Company, error] {
	return list[Company](ctx, c, "/rest/v1.0/companies", nil, "list companies")
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
	return list[Project](ctx, c, "/rest/v1.1/projects", q, "list projects")
}

func perPage(n, most int) int {
	if n <= 0 || n > most {
		return most
	}
	return n
}

// Users lists the company directory's active users; search matches a name
// or an email address.
func (c *Client) Users(ctx context.Context, search string) iter.Seq2[User, error] {
	q := url.Values{"per_page": {strconv.Itoa(DefaultMaxPerPage)}}
	if search != "" {
		q.Set("filters[search]", search)
	}
	return list[User](ctx, c, "/rest/v1.3/companies/"+c.cid()+"/users", q, "list company users")
}

// User reads one company user.
func (c *Client) User(ctx context.Context, id int64) (*User, error) {
	var u User
	_, err := c.do(ctx, request{method: http.MethodGet, idempotent: true,
		path: fmt.Sprintf("/rest/v1.3/companies/%d/users/%d", c.cfg.CompanyID, id)}, &u)
	if err != nil {
		return nil, fmt.Errorf("read user %d: %w", id, err)
	}
	return &u, nil
}

// CreateUser adds a user to the company directory. It is not repeated after
// a dropped connection: that could create the user twice.
func (c *Client) CreateUser(ctx context.Context, nu NewUser) (*User, error) {
	var u User
	_, err := c.do(ctx, request{method: http.MethodPost,
		path: fmt.Sprintf("/rest/v1.3/companies/%d/users", c.cfg.CompanyID),
		body: map[string]any{"user": nu}}, &u)
	if err != nil {
		return nil, fmt.Errorf("create user %s: %w", nu.EmailAddress, err)
	}
	return &u, nil
}

// SetAddToNewProjects sets whether Procore adds the user to every new
// project (a directory admin only).
func (c *Client) SetAddToNewProjects(ctx context.Context, userID int64, on bool) (*User, error) {
	var u User
	_, err := c.do(ctx, request{method: http.MethodPatch, idempotent: true,
		path: fmt.Sprintf("/rest/v1.3/companies/%d/users/%d", c.cfg.CompanyID, userID),
		body: map[string]any{"user": map[string]any{"add_to_new_projects": on}}}, &u)
	if err != nil {
		return nil, fmt.Errorf("set add to new projects for user %d: %w", userID, err)
	}
	return &u, nil
}

// InviteUser sends the user Procore's invitation email. Though a PATCH, it
// is not safe to repeat: each call sends an email (procore-api.md: "send
// the invitation email"), so one whose answer was lost is not sent again.
func (c *Client) InviteUser(ctx context.Context, userID int64) error {
	_, err := c.do(ctx, request{method: http.MethodPatch,
		path: fmt.Sprintf("/rest/v1.3/companies/%d/users/%d/invite", c.cfg.CompanyID, userID)}, nil)
	if err != nil {
		return fmt.Errorf("invite user %d: %w", userID, err)
	}
	return nil
}

// ProjectAssignments lists the user's membership in every project.
func (c *Client) ProjectAssignments(ctx context.Context, userID int64) iter.Seq2[ProjectAssignment, error] {
	q := url.Values{"per_page": {strconv.Itoa(AssignmentsMaxPerPage)}}
	return list[ProjectAssignment](ctx, c,
		fmt.Sprintf("/rest/v1.0/companies/%d/users/%d/project_assignments", c.cfg.CompanyID, userID), q,
		fmt.Sprintf("list the project assignments of user %d", userID))
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

// BulkAdd adds up to BulkAddLimit memberships in one call. Repeating it is
// harmless (a member keeps its template), so it is retried like a read.
func (c *Client) BulkAdd(ctx context.Context, ms []Membership) (*BulkAddResult, error) {
	if len(ms) > BulkAddLimit {
		return nil, fmt.Errorf("bulk add %d memberships: at most %d a call", len(ms), BulkAddLimit)
	}
	var res BulkAddResult
	h, err := c.do(ctx, request{method: http.MethodPost, idempotent: true,
		path: fmt.Sprintf("/rest/v1.3/companies/%d/users/bulk_add", c.cfg.CompanyID),
		body: map[string]any{"users": ms}}, &res)
	if err != nil {
		return nil, fmt.Errorf("bulk add %d memberships: %w", len(ms), err)
	}
	res.Partial = h.status == http.StatusMultiStatus || len(res.Errors) > 0
	return &res, nil
}

// TemplateType is the kind of permission template to list.
type TemplateType string

const (
	ProjectTools TemplateType = "project_tools"
	CompanyTools TemplateType = "company_tools"
	GlobalTools  TemplateType = "global"
)

// PermissionTemplates lists the company's permission templates of a type.
func (c *Client) PermissionTemplates(ctx context.Context, t TemplateType) iter.Seq2[PermissionTemplate, error] {
	q := url.Values{"per_page": {strconv.Itoa(DefaultMaxPerPage)}}
	if t != "" {
		q.Set("filters[type]", string(t))
	}
	return list[PermissionTemplate](ctx, c, fmt.Sprintf("/rest/v1.0/companies/%d/permission_templates", c.cfg.CompanyID), q,
		"list permission templates")
}

// ProjectPermissionTemplates lists the templates usable on one project.
func (c *Client) ProjectPermissionTemplates(ctx context.Context, projectID int64) iter.Seq2[PermissionTemplate, error] {
	q := url.Values{"per_page": {strconv.Itoa(DefaultMaxPerPage)}}
	return list[PermissionTemplate](ctx, c, fmt.Sprintf("/rest/v1.0/projects/%d/permission_templates", projectID), q,
		fmt.Sprintf("list permission templates of project %d", projectID))
}

// list walks a paginated list, following Link rel="next" until there is
// none. It stops at the first error, which it yields.
func list[T any](ctx context.Context, c *Client, path string, q url.Values, doing string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		next, query := path, q
		for page := 1; next != ""; page++ {
			var rows []T
			h, err := c.do(ctx, request{method: http.MethodGet, path: next, query: query, idempotent: true}, &rows)
			if err != nil {
				var zero T
				yield(zero, fmt.Errorf("%s (page %d): %w", doing, page, err))
				return
			}
			for _, r := range rows {
				if !yield(r, nil) {
					return
				}
			}
			next, query = ParseLink(h.header.Get("Link"))["next"], nil
			if len(rows) == 0 {
				return // a next link on an empty page would loop forever
			}
		}
	}
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
