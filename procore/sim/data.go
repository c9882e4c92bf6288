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
	vendorBase     int64 = 8800000
	installationID int64 = 77000001
	developerAppID int64 = 66000001
	// A marketplace app the demo company installed too, whose Technical
	// User the admin-helper guide sets up; it has no credential here.
	helperInstallationID int64 = 77000002
	helperAppID          int64 = 66000002
	directorySize              = 40 // ordinary people in the directory besides the fixtures
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
	// appName is the DMSA's app as App Management lists it.
	appName = "Riverside Integration (DMSA)"
	// helperAppName and helperAppUID are the marketplace app's.
	helperAppName = "Construction Admin Helper"
	helperAppUID  = "4c2a9e0d1b7f3a6e8d5c2b9a0f1e7d3c"
)

// project is immutable once built, so its JSON is encoded once and pages are
// assembled from the cached bytes without holding any lock.
type project struct {
	ID      int64
	Name    string
	Number  string
	Address string
	Active  bool
	JSON    []byte
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
	p := &project{ID: id, Name: name, Number: fmt.Sprintf("%04d", number), Address: city + ", " + state, Active: active}
	ts := created.UTC().Format(time.RFC3339)
	b, err := json.Marshal(projectJSON{
		ID: id, Name: name, DisplayName: fmt.Sprintf("%04d - %s", number, name),
		ProjectNumber: p.Number, Active: active, City: city, StateCode: state,
		CountryCode: "US", Company: map[string]any{"id": companyID, "name": companyName},
		CreatedAt: ts, UpdatedAt: ts,
	})
	if err != nil {
		panic(fmt.Errorf("sim: encoding project %d: %w", id, err)) // cannot happen: plain fields
	}
	p.JSON = b
	return p
}

// stage is the project stage project_assignments names.
func (p *project) stage() string {
	if p.Active {
		return "Course of Construction"
	}
	return "Closeout"
}

// user is a company directory entry. Users change (PATCH), so they are
// encoded per response under the data lock's read side; views.go has the
// shapes each endpoint answers with.
type user struct {
	ID    int64
	Login string // the sign-in name: only /me shows it, never a directory row
	// The fields a create or an update may set.
	FirstName, LastName, EmailAddress, JobTitle         string
	EmployeeID, Notes, CountryCode, StateCode, Initials string
	OriginID                                            string
	IsActive, IsEmployee, AddToNewProjects              bool
	VendorID, WorkClassificationID                      int64 // 0: none
	DefaultTemplateID, CompanyTemplateID                int64 // 0: none
	ERPIntegratedAccountant                             bool  // read only: no request field sets it
	WelcomeEmailSentAt, CreatedAt, UpdatedAt            string
}

func (u *user) name() string { return strings.TrimSpace(u.FirstName + " " + u.LastName) }

// Template types, as a template's "type" names them. filters[type] takes
// other words: project_tools (global and project-specific ones),
// company_tools and global.
const (
	typeGlobal          = "global" // a project template usable on every project
	typeProjectSpecific = "project_specific"
	typeCompanyTools    = "company_tools"
)

// template is a permission template: a level for each tool.
type template struct {
	ID        int64
	Name      string
	Type      string
	ProjectID int64 // of a project-specific template
	Levels    map[string]int
}

func (t *template) project() bool { return t.Type == typeGlobal || t.Type == typeProjectSpecific }

// Access levels of a tool, as /settings/permissions names them.
const (
	levelNone = iota
	levelReadOnly
	levelStandard
	levelAdmin
)

var levelNames = []string{"None", "Read Only", "Standard", "Admin"}

// levelKeys are the words a template's user_access_levels uses.
var levelKeys = []string{"none", "read_only", "standard", "admin"}

// tool is one Procore tool a template sets a level for.
type tool struct {
	ID             int64
	Name, Friendly string
}

// The tools of the company level and of the project level. Procore has
// many more; these are the ones the project's steps touch.
var (
	companyTools = []tool{{1, "admin", "Admin"}, {2, "directory", "Directory"}, {3, "erp_integrations", "ERP Integrations"}, {4, "portfolio", "Portfolio"}}
	projectTools = []tool{{100, "admin", "Admin"}, {101, "directory", "Directory"}, {102, "documents", "Documents"}, {103, "drawings", "Drawings"},
		{104, "rfi", "RFIs"}, {105, "submittals", "Submittals"}, {106, "daily_log", "Daily Log"}}
)

func toolsOf(t *template) []tool {
	if t.Type == typeCompanyTools {
		return companyTools
	}
	return projectTools
}

type vendor struct {
	ID   int64  `json:"id"`
	Name string `json:"name"`
}

// state is everything a request may read or change; Server.mu guards it.
type state struct {
	projects   []*project // ordered by ID; append-only, so a reader may keep the slice it got
	projByID   map[int64]*project
	users      map[int64]*user
	userOrder  []int64 // creation order, which is also ID order
	templates  []*template
	templByID  map[int64]*template
	vendors    []vendor
	members    map[int64]map[int64]int64 // project → user → permission template ID (0: none)
	addCount   map[[2]int64]int          // {user, project} → memberships created
	permitted  map[int64]bool            // projects App Management permits the DMSA, besides those its user is in
	nextUserID int64
	invited    map[int64]int // user → invitations sent
	pending    []bulkJob     // bulk_adds of more than 1,000 triplets, done later
	installed  time.Time     // when the DMSA's app was installed
}

// fixture user IDs, in directory order.
const (
	adminUserOffset   = 1
	dmsaUserOffset    = 2
	serviceUserOffset = 3
)

// Seeded templates, in ID order from templateBase+1.
const (
	tmplProjectManager = templateBase + 1 + iota
	tmplIntegration
	tmplSubcontractor
	tmplReadOnly
	tmplCompanyAdmin
	tmplCompanyStandard
	tmplIntegrationCompany
	tmplProjectCustom
)

// seedState builds the demo company deterministically from rng.
func seedState(rng *rand.Rand, cfg Config, now time.Time) (*state, Fixtures) {
	st := &state{
		projByID:  map[int64]*project{},
		users:     map[int64]*user{},
		templByID: map[int64]*template{},
		members:   map[int64]map[int64]int64{},
		addCount:  map[[2]int64]int{},
		permitted: map[int64]bool{},
		invited:   map[int64]int{},
	}
	created := now.Add(-400 * 24 * time.Hour).Truncate(time.Second)
	st.installed = created.Add(24 * time.Hour)
	for i := 1; i <= cfg.Projects; i++ {
		name := fmt.Sprintf("Project %04d – %s %s", i, placeWords[rng.IntN(len(placeWords))], kindWords[rng.IntN(len(kindWords))])
		// Every 10th project is finished (inactive), as a real portfolio has.
		p := newProject(projectBase+int64(i), i, name, i%10 != 0, placeWords[rng.IntN(len(placeWords))],
			states[rng.IntN(len(states))], created.Add(time.Duration(i)*time.Hour))
		st.projects = append(st.projects, p)
		st.projByID[p.ID] = p
	}

	levels := func(tools []tool, each int, over map[string]int) map[string]int {
		m := map[string]int{}
		for _, t := range tools {
			m[t.Name] = each
		}
		for k, v := range over {
			m[k] = v
		}
		return m
	}
	for _, t := range []*template{
		{Name: "Project Manager", Type: typeGlobal, Levels: levels(projectTools, levelStandard, map[string]int{"documents": levelAdmin})},
		{Name: "Integration Service Account", Type: typeGlobal, Levels: levels(projectTools, levelReadOnly, nil)},
		{Name: "Subcontractor", Type: typeGlobal, Levels: levels(projectTools, levelNone, map[string]int{"documents": levelReadOnly, "rfi": levelStandard, "submittals": levelStandard})},
		{Name: "Read Only", Type: typeGlobal, Levels: levels(projectTools, levelReadOnly, nil)},
		{Name: "Company Admin", Type: typeCompanyTools, Levels: levels(companyTools, levelAdmin, nil)},
		{Name: "Company Standard", Type: typeCompanyTools, Levels: levels(companyTools, levelNone, map[string]int{"directory": levelReadOnly, "portfolio": levelStandard})},
		// As Procore's DMSA guide advises: no admin level on the Directory.
		{Name: "Integration Company Tools", Type: typeCompanyTools, Levels: levels(companyTools, levelNone, map[string]int{"directory": levelReadOnly, "portfolio": levelReadOnly})},
		// A project-specific template, usable on the first project only.
		{Name: "Project 0001 Custom", Type: typeProjectSpecific, ProjectID: projectBase + 1, Levels: levels(projectTools, levelStandard, nil)},
	} {
		st.addTemplate(t)
	}

	st.vendors = []vendor{{vendorBase + 1, companyName}, {vendorBase + 2, "Harbor Electric Co."}, {vendorBase + 3, "Summit Mechanical"}}
	ts := created.UTC().Format(time.RFC3339)
	add := func(first, last, email, title string, vendorID, defTmpl, coTmpl int64) *user {
		st.nextUserID++
		u := &user{ID: userBase + st.nextUserID, Login: email, FirstName: first, LastName: last, EmailAddress: email,
			JobTitle: title, IsActive: true, IsEmployee: true, VendorID: vendorID,
			DefaultTemplateID: defTmpl, CompanyTemplateID: coTmpl, CreatedAt: ts, UpdatedAt: ts, WelcomeEmailSentAt: ts}
		st.users[u.ID] = u
		st.userOrder = append(st.userOrder, u.ID)
		return u
	}
	own := vendorBase + 1
	admin := add("Morgan", "Reyes", "morgan.reyes@"+companyDomain, "Company Administrator", own, tmplProjectManager, tmplCompanyAdmin)
	dmsaTmpl := tmplIntegrationCompany
	if cfg.DMSADirectoryAdmin {
		dmsaTmpl = tmplCompanyAdmin
	}
	// Procore makes the DMSA's user when the app is installed: not an
	// employee, never invited, with a Global template as its default.
	dmsa := add("Admin Actions", "(DMSA)", fmt.Sprintf("admin-actions-%08x@procore.com", rng.Uint32()), "", 0, tmplIntegration, dmsaTmpl)
	dmsa.IsEmployee, dmsa.WelcomeEmailSentAt = false, ""
	svc := add("Integration", "Service", "integration.service@"+companyDomain, "Integration Account", own, tmplIntegration, 0)
	svc.IsEmployee, svc.WelcomeEmailSentAt = false, ""
	for i := 0; i < directorySize; i++ {
		f, l := firstNames[rng.IntN(len(firstNames))], lastNames[rng.IntN(len(lastNames))]
		v, def := own, tmplProjectManager
		if i%5 == 4 {
			v, def = st.vendors[1+i%2].ID, tmplSubcontractor
		}
		u := add(f, l, fmt.Sprintf("%s.%s%d@%s", strings.ToLower(f), strings.ToLower(l), i+1, companyDomain), "Project Engineer", v, def, tmplCompanyStandard)
		u.ERPIntegratedAccountant = i == 0
		u.IsEmployee = v == own
	}
	// A departed employee: in the company but not in the active directory.
	gone := add("Former", "Employee", "former.employee@"+companyDomain, "", own, 0, 0)
	gone.IsActive = false

	// Ordinary people belong to a few projects each; the fixture users to
	// none, so an add-all starts from a clean slate.
	for _, uid := range st.userOrder[serviceUserOffset:] {
		for range 3 {
			p := st.projects[rng.IntN(len(st.projects))]
			st.member(p.ID)[uid] = st.users[uid].DefaultTemplateID
		}
	}
	if cfg.DMSAPermitAll {
		for _, p := range st.projects {
			st.permitted[p.ID] = true
		}
	}

	fx := Fixtures{
		CompanyID: companyID, OtherCompanyID: otherCompanyID,
		DMSAUserID: dmsa.ID, DMSALogin: dmsa.Login,
		AdminUserID: admin.ID, AdminLogin: admin.Login,
		ServiceUserID: svc.ID, ServiceUserEmail: svc.EmailAddress,
		TemplateID: tmplIntegration, TemplateName: st.templByID[tmplIntegration].Name,
		CompanyAdminTemplateID: tmplCompanyAdmin,
	}
	return st, fx
}

func (st *state) addTemplate(t *template) {
	t.ID = templateBase + int64(len(st.templates)) + 1
	st.templates = append(st.templates, t)
	st.templByID[t.ID] = t
}

func (st *state) member(projectID int64) map[int64]int64 {
	m := st.members[projectID]
	if m == nil {
		m = map[int64]int64{}
		st.members[projectID] = m
	}
	return m
}

func (st *state) template(id int64) *template { return st.templByID[id] }

// projectTemplate is template id when it can be used on project pid.
func (st *state) projectTemplate(id, pid int64) *template {
	t := st.template(id)
	if t == nil || !t.project() || (t.Type == typeProjectSpecific && t.ProjectID != pid) {
		return nil
	}
	return t
}

// level is u's access level to a company tool, from its company template.
func (st *state) level(u *user, toolName string) int {
	if u == nil {
		return levelNone
	}
	if t := st.template(u.CompanyTemplateID); t != nil {
		return t.Levels[toolName]
	}
	return levelNone
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

func (st *state) vendor(id int64) *vendor {
	for i := range st.vendors {
		if st.vendors[i].ID == id {
			return &st.vendors[i]
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

func sortedKeys[V any](m map[int64]V) []int64 {
	ids := make([]int64, 0, len(m))
	for id := range m {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}
