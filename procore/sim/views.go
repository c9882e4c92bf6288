package sim

import (
	"bytes"
	"encoding/json"
)

// The shapes a user is answered in. Procore's reference gives each
// endpoint its own: a directory row (v1.3 list and show) carries the
// templates as objects and has no login and no add_to_new_projects; the
// answer to a create or an update, and /companies/{cid}/me, carry the two
// template ids and add_to_new_projects; actions/add omits null keys.

type templateRef struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	ProjectSpecific bool   `json:"project_specific"`
	Type            string `json:"type"`
}

func (t *template) ref() *templateRef {
	if t == nil {
		return nil
	}
	return &templateRef{ID: t.ID, Name: t.Name, ProjectSpecific: t.Type == typeProjectSpecific, Type: t.Type}
}

// userCommon is what every full view of a user shares.
type userCommon struct {
	Address                *string `json:"address"`
	Avatar                 *string `json:"avatar"`
	BusinessID             *string `json:"business_id"`
	BusinessPhone          *string `json:"business_phone"`
	BusinessPhoneExtension *int64  `json:"business_phone_extension"`
	City                   *string `json:"city"`
	CountryCode            *string `json:"country_code"`
	CreatedAt              string  `json:"created_at"`
	EmailAddress           string  `json:"email_address"`
	EmailSignature         *string `json:"email_signature"`
	EmployeeID             *string `json:"employee_id"`
	FaxNumber              *string `json:"fax_number"`
	FirstName              string  `json:"first_name"`
	ID                     int64   `json:"id"`
	Initials               *string `json:"initials"`
	IsActive               bool    `json:"is_active"`
	IsEmployee             bool    `json:"is_employee"`
	JobTitle               *string `json:"job_title"`
	LastLoginAt            *string `json:"last_login_at"`
	LastName               string  `json:"last_name"`
	MobilePhone            *string `json:"mobile_phone"`
	Name                   string  `json:"name"`
	Notes                  *string `json:"notes"`
	OriginID               *string `json:"origin_id"`
	OriginData             *string `json:"origin_data"`
	StateCode              *string `json:"state_code"`
	UpdatedAt              string  `json:"updated_at"`
	Vendor                 *vendor `json:"vendor"`
	WorkClassificationID   *int64  `json:"work_classification_id"`
	Zip                    *string `json:"zip"`
}

// userRow is a row of GET /rest/v1.3/companies/{cid}/users and the answer
// of GET .../users/{id}.
type userRow struct {
	userCommon
	ContactID                 int64        `json:"contact_id"`
	ERPIntegratedAccountant   bool         `json:"erp_integrated_accountant"`
	WelcomeEmailSentAt        *string      `json:"welcome_email_sent_at"`
	PermissionTemplate        *templateRef `json:"permission_template"`
	CompanyPermissionTemplate *templateRef `json:"company_permission_template"`
}

// userDetail answers a create, an update and /companies/{cid}/me.
type userDetail struct {
	userCommon
	AddToNewProjects            bool   `json:"add_to_new_projects"`
	IsInsuranceManager          bool   `json:"is_insurance_manager"`
	DefaultPermissionTemplateID *int64 `json:"default_permission_template_id"`
	CompanyPermissionTemplateID *int64 `json:"company_permission_template_id"`
}

// projectUserRow is a row of GET /rest/v1.0/projects/{pid}/users: the
// user's template there is the one of the membership.
type projectUserRow struct {
	userCommon
	PermissionTemplate *templateRef `json:"permission_template"`
}

// compactUser is view=compact of the project directory.
type compactUser struct {
	FirstName string  `json:"first_name"`
	ID        int64   `json:"id"`
	Initials  *string `json:"initials"`
	LastName  string  `json:"last_name"`
	Name      string  `json:"name"`
	Vendor    *vendor `json:"vendor"`
}

func strp(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func idp(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// The views read st: call them with s.mu held.
func (st *state) common(u *user) userCommon {
	c := userCommon{
		CountryCode: strp(u.CountryCode), CreatedAt: u.CreatedAt, EmailAddress: u.EmailAddress,
		EmployeeID: strp(u.EmployeeID), FirstName: u.FirstName, ID: u.ID, Initials: strp(u.Initials),
		IsActive: u.IsActive, IsEmployee: u.IsEmployee, JobTitle: strp(u.JobTitle), LastName: u.LastName,
		Name: u.name(), Notes: strp(u.Notes), OriginID: strp(u.OriginID), StateCode: strp(u.StateCode),
		UpdatedAt: u.UpdatedAt, WorkClassificationID: idp(u.WorkClassificationID),
	}
	if v := st.vendor(u.VendorID); v != nil {
		cp := *v
		c.Vendor = &cp
	}
	return c
}

func (st *state) row(u *user) userRow {
	return userRow{userCommon: st.common(u), ContactID: u.ID + 500000,
		ERPIntegratedAccountant: u.ERPIntegratedAccountant, WelcomeEmailSentAt: strp(u.WelcomeEmailSentAt),
		PermissionTemplate:        st.template(u.DefaultTemplateID).ref(),
		CompanyPermissionTemplate: st.template(u.CompanyTemplateID).ref()}
}

func (st *state) detail(u *user) userDetail {
	return userDetail{userCommon: st.common(u), AddToNewProjects: u.AddToNewProjects,
		DefaultPermissionTemplateID: idp(u.DefaultTemplateID), CompanyPermissionTemplateID: idp(u.CompanyTemplateID)}
}

// added is the 201 of actions/add: the detail without add_to_new_projects,
// and, as the reference says, "for null values, the key won't be returned".
func (st *state) added(u *user) map[string]any {
	b, err := json.Marshal(st.detail(u))
	if err != nil {
		panic(errorf("encoding user %d: %w", u.ID, err)) // plain fields: cannot happen
	}
	var m map[string]any
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber() // IDs stay exact
	if err := d.Decode(&m); err != nil {
		panic(errorf("decoding user %d: %w", u.ID, err))
	}
	delete(m, "add_to_new_projects")
	for k, v := range m {
		if v == nil {
			delete(m, k)
		}
	}
	return m
}
