package sim

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// Fixed identities of the demo company. Procore IDs are large 64-bit
// integers; using large ones here catches clients that squeeze them into
// 32 bits or float64 JSON numbers.
const (
	companyID      int64 = 562949953421312
	otherCompanyID int64 = 562949953421999
	projectBase    int64 = 598134325600000
	userBase       int64 = 14100000
	templateBase   int64 = 1730000
	directorySize        = 40 // ordinary people in the directory besides the fixtures
)

var (
	placeWords = []string{"Riverside", "Harbor", "Summit", "Maple", "Granite", "Oak Hill", "Lakeview",
		"Cedar", "Northgate", "Westfield", "Pinecrest", "Bayfront", "Ironwood", "Meadow", "Stonebridge", "Elm Park"}
	kindWords = []string{"Clinic", "Library", "Office Tower", "School", "Warehouse", "Parking Deck",
		"Fire Station", "Community Center", "Data Center", "Apartments", "Hotel", "Bridge Repair"}
	firstNames = []string{"Ana", "Ben", "Chloe", "Dev", "Elena", "Farid", "Grace", "Hiro", "Ines", "Jamal",
		"Kira", "Luis", "Mei", "Noah", "Olga", "Priya", "Quinn", "Rosa", "Sam", "Tariq"}
	lastNames = []string{"Alvarez", "Brooks", "Chen", "Dubois", "Evans", "Fischer", "Garcia", "Hughes",
		"Ivanova", "Jensen", "Kowalski", "Lopez", "Moreau", "Nakamura", "Okafor", "Patel"}
	states = []string{"CA", "OR", "WA", "TX", "CO", "AZ"}
)

const (
	companyName      = "Riverside Builders Inc."
	otherCompanyName = "Harbor Civil LLC"
	companyDomain    = "riversidebuilders.example"
)

// project is immutable once built, so its JSON is encoded once and pages are
// assembled from the cached bytes without holding any lock.
type project struct {
	ID     int64
	Name   string
	Active bool
	JSON   []byte
}

type projectJSON struct {
	ID            int64          `json:"id"`
	Name          string         `json:"name"`
	DisplayName   string         `json:"display_name"`
	ProjectNumber string         `json:"project_number"`
	Active        bool           `json:"active"`
	City          string         `json:"city"`
	StateCode     string         `json:"state_code"`
	CountryCode   string         `json:"country_code"`
	Company       map[string]any `json:"company"`
	CreatedAt     string         `json:"created_at"`
	UpdatedAt     string         `json:"updated_at"`
}

func newProject(id int64, number int, name string, active bool, city, state string, created time.Time) *project {
	p := &project{ID: id, Name: name, Active: active}
	ts := created.UTC().Format(time.RFC3339)
	b, err := json.Marshal(projectJSON{
		ID: id, Name: name, DisplayName: fmt.Sprintf("%04d - %s", number, name),
		ProjectNumber: fmt.Sprintf("%04d", number), Active: active, City: city, StateCode: state,
		CountryCode: "US", Company: map[string]any{"id": companyID, "name": companyName},
		CreatedAt: ts, UpdatedAt: ts,
	})
	if err != nil {
		panic(fmt.Errorf("sim: encoding project %d: %w", id, err)) // cannot happen: plain fields
	}
	p.JSON = b
	return p
}

// user is a company directory entry. Users change (PATCH), so they are
// encoded per response under the data lock's read side.
type user struct {
	ID               int64  `json:"id"`
	Login            string `json:"login"`
	Name             string `json:"name"`
	FirstName        string `json:"first_name"`
	LastName         string `json:"last_name"`
	EmailAddress     string `json:"email_address"`
	JobTitle         string `json:"job_title"`
	IsActive         bool   `json:"is_active"`
	IsEmployee       bool   `json:"is_employee"`
	AddToNewProjects bool   `json:"add_to_new_projects"`
	// DirectoryAdmin is not part of Procore's user body; it models the
	// company-level Directory admin permission that gates some updates.
	DirectoryAdmin bool   `json:"-"`
	CreatedAt      string `json:"created_at"`
	UpdatedAt      string `json:"updated_at"`
}

// template is a permission template.
type template struct {
	ID              int64  `json:"id"`
	Name            string `json:"name"`
	ProjectSpecific bool   `json:"project_specific"`
	Type            string `json:"type"`
}

// state is everything a request may read or change; Server.mu guards it.
type state struct {
	projects   []*project // ordered by ID; append-only, so a reader may keep the slice it got
	projByID   map[int64]*project
	users      map[int64]*user
	userOrder  []int64 // creation order, which is also ID order
	templates  []*template
	members    map[int64]map[int64]int64 // project → user → permission template ID
	addCount   map[[2]int64]int          // {user, project} → memberships created
	permitted  map[int64]bool            // DMSA's permitted projects; nil means all
	nextUserID int64
	invited    map[int64]int // user → invitations sent
}

// fixture user IDs, in directory order.
const (
	adminUserOffset   = 1
	dmsaUserOffset    = 2
	serviceUserOffset = 3
)

// seedState builds the demo company deterministically from rng.
func seedState(rng *rand.Rand, nProjects int, now time.Time) (*state, Fixtures) {
	st := &state{
		projByID: map[int64]*project{},
		users:    map[int64]*user{},
		members:  map[int64]map[int64]int64{},
		addCount: map[[2]int64]int{},
		invited:  map[int64]int{},
	}
	created := now.Add(-400 * 24 * time.Hour).Truncate(time.Second)
	for i := 1; i <= nProjects; i++ {
		name := fmt.Sprintf("Project %04d – %s %s", i, placeWords[rng.IntN(len(placeWords))], kindWords[rng.IntN(len(kindWords))])
		// Every 10th project is finished (inactive), as a real portfolio has.
		p := newProject(projectBase+int64(i), i, name, i%10 != 0, placeWords[rng.IntN(len(placeWords))],
			states[rng.IntN(len(states))], created.Add(time.Duration(i)*time.Hour))
		st.projects = append(st.projects, p)
		st.projByID[p.ID] = p
	}

	ts := created.UTC().Format(time.RFC3339)
	add := func(first, last, email, title string, admin bool) *user {
		st.nextUserID++
		u := &user{ID: userBase + st.nextUserID, Login: email, Name: strings.TrimSpace(first + " " + last),
			FirstName: first, LastName: last, EmailAddress: email, JobTitle: title, IsActive: true,
			IsEmployee: true, DirectoryAdmin: admin, CreatedAt: ts, UpdatedAt: ts}
		st.users[u.ID] = u
		st.userOrder = append(st.userOrder, u.ID)
		return u
	}
	admin := add("Morgan", "Reyes", "morgan.reyes@"+companyDomain, "Company Administrator", true)
	dmsa := add("Admin Actions", "(DMSA)", fmt.Sprintf("admin-actions-%08x@procore.com", rng.Uint32()), "", true)
	dmsa.IsEmployee = false
	svc := add("Integration", "Service", "integration.service@"+companyDomain, "Integration Account", false)
	for i := 0; i < directorySize; i++ {
		f, l := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		add(f, l, fmt.Sprintf("%s.%s%d@%s", strings.ToLower(f), strings.ToLower(l), i+1, companyDomain), "Project Engineer", false)
	}
	// A departed employee: in the company but not in the active directory.
	gone := add("Former", "Employee", "former.employee@"+companyDomain, "", false)
	gone.IsActive = false

	tid := templateBase
	tmpl := func(name, typ string, specific bool) *template {
		tid++
		t := &template{ID: tid, Name: name, ProjectSpecific: specific, Type: typ}
		st.templates = append(st.templates, t)
		return t
	}
	tmpl("Project Manager", "project_tools", false)
	svcTmpl := tmpl("Integration Service Account", "project_tools", false)
	tmpl("Subcontractor", "project_tools", false)
	tmpl("Read Only", "project_tools", false)
	tmpl("Company Admin Tools", "company_tools", false)
	tmpl("Global Viewer", "global", false)
	// A project-specific template, usable on the first project only.
	st.templates = append(st.templates, &template{ID: tid + 1, Name: "Project 0001 Custom", ProjectSpecific: true, Type: "project_tools"})

	// Ordinary people belong to a few projects each; the fixture users to
	// none, so an add-all starts from a clean slate.
	pm := st.templates[0].ID
	for _, uid := range st.userOrder[serviceUserOffset:] {
		for range 3 {
			p := st.projects[rng.IntN(len(st.projects))]
			st.member(p.ID)[uid] = pm
		}
	}

	fx := Fixtures{
		CompanyID: companyID, OtherCompanyID: otherCompanyID,
		DMSAUserID:  dmsa.ID,
		AdminUserID: admin.ID, AdminLogin: admin.Login,
		ServiceUserID: svc.ID, ServiceUserEmail: svc.EmailAddress,
		TemplateID: svcTmpl.ID, TemplateName: svcTmpl.Name,
	}
	return st, fx
}

func (st *state) member(projectID int64) map[int64]int64 {
	m := st.members[projectID]
	if m == nil {
		m = map[int64]int64{}
		st.members[projectID] = m
	}
	return m
}

func (st *state) template(id int64) *template {
	for _, t := range st.templates {
		if t.ID == id {
			return t
		}
	}
	return nil
}

// projectTemplate reports whether template id can be used on project pid.
func (st *state) projectTemplate(id, pid int64) *template {
	t := st.template(id)
	if t == nil || t.Type != "project_tools" || (t.ProjectSpecific && pid != projectBase+1) {
		return nil
	}
	return t
}

// addMember makes uid a member of pid; a user already there keeps its
// template and nothing changes (the documented bulk_add rule, and the
// simulator's choice for actions/add).
func (st *state) addMember(uid, pid, templateID int64) (created bool) {
	m := st.member(pid)
	if _, ok := m[uid]; ok {
		return false
	}
	m[uid] = templateID
	st.addCount[[2]int64{uid, pid}]++
	return true
}

func (st *state) userByEmail(email string) *user {
	for _, u := range st.users {
		if strings.EqualFold(u.EmailAddress, email) {
			return u
		}
	}
	return nil
}

func (st *state) projectIDs(active bool) []int64 {
	var ids []int64
	for _, p := range st.projects {
		if p.Active || !active {
			ids = append(ids, p.ID)
		}
	}
	return ids
}

func sortedKeys(m map[int64]int64) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
