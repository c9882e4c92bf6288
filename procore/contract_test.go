package procore_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"maps"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/internal/simtest"
	"github.com/procore-sa/procore-sa/procore"
	"github.com/procore-sa/procore-sa/procore/sim"
)

// TestEveryEndpoint calls every typed method over real HTTP: the directory
// changes with the admin's own sign-in (a Directory Admin), the reads an
// integration makes with the DMSA's token.
func TestEveryEndpoint(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 40})
	ctx := context.Background()
	c := w.AdminClient(w.Fx.CompanyID, nil)
	d := w.Client(w.Fx.CompanyID, nil)

	me, err := c.Me(ctx)
	if err != nil || me.ID != w.Fx.AdminUserID || me.Login != w.Fx.AdminLogin || me.Name != "" {
		t.Fatalf("Me = %+v, %v; want user %d without a name", me, err, w.Fx.AdminUserID)
	}
	if me, err := c.MeIn(ctx); err != nil || me.Name != "Morgan Reyes" {
		t.Fatalf("MeIn = %+v, %v", me, err)
	}
	if me, err := d.Me(ctx); err != nil || me.ID != w.Fx.DMSAUserID {
		t.Fatalf("DMSA Me = %+v, %v", me, err)
	}
	companies, err := procore.Collect(c.Companies(ctx))
	if err != nil || !slices.ContainsFunc(companies, func(co procore.Company) bool { return co.ID == w.Fx.CompanyID && co.MyCompany }) {
		t.Fatalf("Companies = %+v, %v", companies, err)
	}
	if cm, err := d.CompanyMe(ctx); err != nil || cm.ID != w.Fx.DMSAUserID || cm.AddToNewProjects || cm.CompanyPermissionTemplateID == 0 {
		t.Fatalf("CompanyMe = %+v, %v", cm, err)
	}
	projects, err := procore.Collect(c.Projects(ctx, procore.ProjectFilter{}))
	if err != nil {
		t.Fatal(err)
	}
	var ids []int64
	for _, p := range projects {
		if !p.Active {
			t.Errorf("inactive project %d listed as active", p.ID)
		}
		ids = append(ids, p.ID)
	}
	if want := w.S.ActiveProjectIDs(); !slices.Equal(sorted(ids), sorted(want)) {
		t.Errorf("active projects %v, want %v", ids, want)
	}
	all, err := procore.Collect(c.Projects(ctx, procore.ProjectFilter{Status: "All"}))
	if err != nil || len(all) != 40 {
		t.Errorf("all projects: %d, %v; want 40", len(all), err)
	}
	if dp, err := procore.Collect(d.Projects(ctx, procore.ProjectFilter{})); err != nil || len(dp) != 0 {
		t.Errorf("the DMSA sees %d projects before any is permitted, %v", len(dp), err)
	}
	users, err := procore.Collect(d.Users(ctx, w.Fx.ServiceUserEmail))
	if err != nil || len(users) != 1 || users[0].ID != w.Fx.ServiceUserID {
		t.Fatalf("Users(search) = %+v, %v", users, err)
	}
	u, err := c.User(ctx, w.Fx.ServiceUserID)
	if err != nil || u.EmailAddress != w.Fx.ServiceUserEmail || u.DefaultProjectTemplate() == nil || u.DefaultProjectTemplate().ID != w.Fx.TemplateID {
		t.Fatalf("User = %+v, %v", u, err)
	}
	if in, err := procore.Collect(c.InactiveUsers(ctx)); err != nil || len(in) != 1 || in[0].IsActive {
		t.Fatalf("InactiveUsers = %+v, %v", in, err)
	}
	created, err := c.CreateUser(ctx, procore.NewUser{FirstName: "Sync", LastName: "Robot", EmailAddress: "sync.robot@example.com",
		DefaultPermissionTemplateID: w.Fx.TemplateID})
	if err != nil || created.ID == 0 || created.IsEmployee || created.DefaultPermissionTemplateID != w.Fx.TemplateID {
		t.Fatalf("CreateUser = %+v, %v", created, err)
	}
	if err := c.InviteUser(ctx, created.ID); err != nil {
		t.Fatal(err)
	}
	if u, err := c.SetAddToNewProjects(ctx, created.ID, true); err != nil || !u.AddToNewProjects || !w.S.AddToNewProjects(created.ID) {
		t.Fatalf("SetAddToNewProjects = %+v, %v", u, err)
	}
	title := "Robot"
	if u, err := c.UpdateUser(ctx, created.ID, procore.UserChange{JobTitle: &title}); err != nil || u.JobTitle != "Robot" || !u.AddToNewProjects {
		t.Fatalf("UpdateUser = %+v, %v", u, err)
	}
	templates, err := procore.Collect(c.PermissionTemplates(ctx, procore.ProjectTools))
	if err != nil || !slices.ContainsFunc(templates, func(p procore.PermissionTemplate) bool { return p.ID == w.Fx.TemplateID && p.Type == "global" }) {
		t.Fatalf("PermissionTemplates = %+v, %v", templates, err)
	}
	if td, err := c.PermissionTemplate(ctx, w.Fx.CompanyAdminTemplateID); err != nil || td.Type != "company_tools" || td.UserAccessLevels["directory"] != "admin" {
		t.Fatalf("PermissionTemplate = %+v, %v", td, err)
	}
	nt, err := c.CreateTemplate(ctx, procore.NewTemplate{Name: "Sync Robot", Type: "global", UserAccessLevels: map[string]any{"documents": "read_only"}})
	if err != nil || nt.ID == 0 || nt.Name != "Sync Robot" {
		t.Fatalf("CreateTemplate = %+v, %v", nt, err)
	}
	if pt, err := procore.Collect(c.ProjectPermissionTemplates(ctx, ids[0])); err != nil || len(pt) == 0 {
		t.Fatalf("ProjectPermissionTemplates = %+v, %v", pt, err)
	}
	if err := c.AddToProject(ctx, ids[0], created.ID, w.Fx.TemplateID); err != nil {
		t.Fatal(err)
	}
	if err := c.AddToProject(ctx, ids[0], created.ID, w.Fx.TemplateID); err != nil {
		t.Fatalf("adding a member again: %v", err)
	}
	if n := w.S.AddCount(created.ID, ids[0]); n != 1 {
		t.Errorf("membership created %d times", n)
	}
	if a, err := c.AssignTemplate(ctx, ids[0], created.ID, nt.ID); err != nil || a.PermissionTemplateID != nt.ID || a.ProjectID != ids[0] {
		t.Fatalf("AssignTemplate = %+v, %v", a, err)
	}
	if pu, err := procore.Collect(c.ProjectUsers(ctx, ids[0])); err != nil ||
		!slices.ContainsFunc(pu, func(u procore.ProjectUser) bool { return u.ID == created.ID && u.PermissionTemplate.ID == nt.ID }) {
		t.Fatalf("ProjectUsers = %+v, %v", pu, err)
	}
	res, err := c.BulkAdd(ctx, []procore.Membership{
		{UserID: created.ID, ProjectID: ids[1], PermissionTemplateID: w.Fx.TemplateID},
		{UserID: created.ID, ProjectID: ids[2], PermissionTemplateID: w.Fx.TemplateID},
	})
	if err != nil || res.Partial || res.Unread != "" || !slices.Equal(res.Done[created.ID], ids[1:3]) {
		t.Fatalf("BulkAdd = %+v, %v", res, err)
	}
	as, err := procore.Collect(c.ProjectAssignments(ctx, created.ID))
	if err != nil {
		t.Fatal(err)
	}
	assigned := 0
	for _, a := range as {
		if a.IsAssigned {
			assigned++
		}
	}
	if assigned != 3 {
		t.Errorf("%d projects assigned, want 3: %+v", assigned, as)
	}
	if un, err := procore.Collect(c.ProjectAssignmentsWhere(ctx, created.ID, procore.AssignmentFilter{Status: "Active", Assigned: "unassigned"})); err != nil || len(un) != len(ids)-3 {
		t.Errorf("unassigned active: %d, %v; want %d", len(un), err, len(ids)-3)
	}
	if err := c.RemoveFromProject(ctx, ids[0], created.ID); err != nil {
		t.Fatal(err)
	}
	if slices.Contains(w.S.ProjectMembers(ids[0]), created.ID) {
		t.Error("still a member after remove")
	}
	if p, err := c.CompanyPermissions(ctx); err != nil || p.Level("directory") != "Admin" {
		t.Fatalf("CompanyPermissions = %+v, %v", p, err)
	}
	if p, err := c.ProjectPermissions(ctx, ids[1]); err != nil || p.Level("documents") != "Admin" {
		t.Fatalf("ProjectPermissions = %+v, %v", p, err)
	}
	if ok, err := c.DirectoryAdmin(ctx); err != nil || !ok {
		t.Fatalf("admin DirectoryAdmin = %t, %v", ok, err)
	}
	if ok, err := d.DirectoryAdmin(ctx); err != nil || ok {
		t.Fatalf("DMSA DirectoryAdmin = %t, %v", ok, err)
	}
	if apps, err := procore.Collect(c.AppInstallations(ctx)); err != nil || len(apps) != 2 || apps[0].AppUID != w.Fx.DMSAClientID || apps[0].Status != "installed" {
		t.Fatalf("AppInstallations = %+v, %v", apps, err)
	}

	// Every /rest call carried a bearer token and the user agent, and the
	// company header, except /me and /companies with the admin's token.
	headers := w.Headers()
	if len(headers) < 30 {
		t.Fatalf("only %d requests seen", len(headers))
	}
	for _, h := range headers {
		if !strings.HasPrefix(h.Get("Authorization"), "Bearer ") || h.Get("User-Agent") != "procore-sa/test" {
			t.Fatalf("request headers %v", h)
		}
	}
}

// TestCompanyHeaderByTokenKind: a person's token calls /me and /companies
// without Procore-Company-Id; a client-credentials token sends it always.
func TestCompanyHeaderByTokenKind(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 5})
	ctx := context.Background()
	var mu sync.Mutex
	seen := map[string]string{}
	w.SetIntercept(func(_ http.ResponseWriter, r *http.Request) bool {
		mu.Lock()
		seen[r.URL.Path+" "+strings.Fields(r.Header.Get("User-Agent"))[0]] = r.Header.Get("Procore-Company-Id")
		mu.Unlock()
		return false
	})
	admin := w.AdminClient(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.UserAgent = "admin" })
	dmsa := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.UserAgent = "dmsa" })
	for _, c := range []*procore.Client{admin, dmsa} {
		if _, err := c.Me(ctx); err != nil {
			t.Fatal(err)
		}
		if _, err := procore.Collect(c.Companies(ctx)); err != nil {
			t.Fatal(err)
		}
		if _, err := c.User(ctx, w.Fx.ServiceUserID); err != nil {
			t.Fatal(err)
		}
	}
	cid := strconv.FormatInt(w.Fx.CompanyID, 10)
	users := "/rest/v1.3/companies/" + cid + "/users/" + strconv.FormatInt(w.Fx.ServiceUserID, 10)
	for key, want := range map[string]string{
		"/rest/v1.0/me admin": "", "/rest/v1.0/companies admin": "", users + " admin": cid,
		"/rest/v1.0/me dmsa": cid, "/rest/v1.0/companies dmsa": cid, users + " dmsa": cid,
	} {
		if got, ok := seen[key]; !ok || got != want {
			t.Errorf("%s: Procore-Company-Id %q (sent: %t), want %q", key, got, ok, want)
		}
	}
	if procore.UserToken(procore.ClientCredentials(w.Env, nil, "x", secret.New("y"))) || procore.UserToken(procore.StaticAuth(secret.New("t"))) {
		t.Error("an app's token counted as a person's")
	}
}

// TestUpdateUserSendsMultipart: the reference documents PATCH of a user as
// multipart/form-data with last_name and email_address required: the
// client reads the user and sends both, as they are, with the change.
func TestUpdateUserSendsMultipart(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 5})
	var mu sync.Mutex
	var form map[string][]string
	var ctype string
	w.SetIntercept(func(_ http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPatch {
			return false
		}
		b, _ := io.ReadAll(r.Body)
		r.Body = io.NopCloser(bytes.NewReader(b))
		cp := r.Clone(r.Context())
		cp.Body = io.NopCloser(bytes.NewReader(b))
		mu.Lock()
		defer mu.Unlock()
		ctype = r.Header.Get("Content-Type")
		if err := cp.ParseMultipartForm(1 << 20); err == nil {
			form = cp.MultipartForm.Value
		}
		return false
	})
	c := w.AdminClient(w.Fx.CompanyID, nil)
	u, err := c.SetAddToNewProjects(context.Background(), w.Fx.ServiceUserID, true)
	if err != nil || !u.AddToNewProjects || u.LastName != "Service" {
		t.Fatalf("SetAddToNewProjects = %+v, %v", u, err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !strings.HasPrefix(ctype, "multipart/form-data; boundary=") {
		t.Errorf("Content-Type %q", ctype)
	}
	want := map[string][]string{"user[last_name]": {"Service"}, "user[email_address]": {w.Fx.ServiceUserEmail}, "user[add_to_new_projects]": {"true"}}
	if !maps.EqualFunc(form, want, slices.Equal) {
		t.Errorf("form %v, want %v", form, want)
	}
}

// TestUpdateUserRenames: a rename sends the new first and last names in
// place of the ones read back, and the directory row then holds them.
func TestUpdateUserRenames(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 5})
	c := w.AdminClient(w.Fx.CompanyID, nil)
	ctx := context.Background()
	first, last := "[Technical Account]", "ADMIN HELPER"
	u, err := c.UpdateUser(ctx, w.Fx.DMSAUserID, procore.UserChange{FirstName: &first, LastName: &last})
	if err != nil || u.FirstName != first || u.LastName != last {
		t.Fatalf("UpdateUser = %+v, %v", u, err)
	}
	row, err := c.User(ctx, w.Fx.DMSAUserID)
	if err != nil || row.FirstName != first || row.LastName != last || row.EmailAddress != w.Fx.DMSALogin {
		t.Fatalf("User = %+v, %v", row, err)
	}
	blank := ""
	if _, err := c.UpdateUser(ctx, w.Fx.DMSAUserID, procore.UserChange{LastName: &blank}); procore.StatusOf(err) != http.StatusBadRequest {
		t.Errorf("a blank last name: %v, want 400", err)
	}
	dmsa := w.Client(w.Fx.CompanyID, nil)
	if _, err := dmsa.UpdateUser(ctx, w.Fx.DMSAUserID, procore.UserChange{FirstName: &first}); procore.StatusOf(err) != http.StatusForbidden {
		t.Errorf("a rename by the DMSA, not a Directory Admin: %v, want 403", err)
	}
}

func sorted(s []int64) []int64 { s = slices.Clone(s); slices.Sort(s); return s }

// TestBulkAddShapes reads bulk_add's answer in each shape the simulator can
// give (the reference's items, projects as objects, single-key objects, an
// object keyed by user id), for a full and a partial success.
func TestBulkAddShapes(t *testing.T) {
	for _, shape := range []sim.BulkShape{sim.BulkShapeItems, sim.BulkShapeProjectObjects, sim.BulkShapeSingleKey, sim.BulkShapeKeyed} {
		t.Run(strconv.Itoa(int(shape)), func(t *testing.T) {
			w := simtest.New(t, sim.Config{Seed: 3, Projects: 20})
			w.S.SetFaults(sim.Faults{BulkAddShape: shape})
			c := w.AdminClient(w.Fx.CompanyID, nil)
			ids := w.S.ActiveProjectIDs()
			u, tid := w.Fx.ServiceUserID, w.Fx.TemplateID
			res, err := c.BulkAdd(context.Background(), []procore.Membership{{u, ids[0], tid}, {u, ids[1], tid}})
			if err != nil || res.Status != 200 || res.Partial || res.Unread != "" || !slices.Equal(sorted(res.Done[u]), ids[:2]) {
				t.Fatalf("BulkAdd = %+v, %v", res, err)
			}
			res, err = c.BulkAdd(context.Background(), []procore.Membership{{u, ids[2], tid}, {u, 999_999_999, tid}})
			if err != nil || res.Status != 207 || !res.Partial || res.Unread != "" || !slices.Equal(res.Done[u], ids[2:3]) ||
				len(res.Failed) != 1 || res.Failed[0].ProjectID != 999_999_999 || res.Failed[0].UserID != u {
				t.Fatalf("BulkAdd partial = %+v, %v", res, err)
			}
			if shape == sim.BulkShapeProjectObjects && res.Failed[0].Message == "" {
				t.Error("the failure's message was not read")
			}
		})
	}
}

func TestBulkAddRules(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 20})
	c := w.AdminClient(w.Fx.CompanyID, nil)
	ids := w.S.ActiveProjectIDs()
	if _, err := c.BulkAdd(context.Background(), []procore.Membership{{UserID: w.Fx.ServiceUserID, ProjectID: ids[0]}}); err == nil ||
		!strings.Contains(err.Error(), "no permission template") {
		t.Fatalf("a triplet without a template was sent: %v", err)
	}
	big := make([]procore.Membership, procore.BulkAddLimit+1)
	for i := range big {
		big[i] = procore.Membership{UserID: 1, ProjectID: int64(i + 1), PermissionTemplateID: 1}
	}
	if _, err := c.BulkAdd(context.Background(), big); err == nil {
		t.Fatal("more than 1000 triplets were sent")
	}
	if n := w.S.Stats().ByRoute["POST /rest/v1.3/companies/{cid}/users/bulk_add"]; n != 0 {
		t.Fatalf("%d bulk_adds reached Procore", n)
	}
}

// TestParseBulkAdd: the answers the reference allows, and ones it does not,
// which are named rather than failed on.
func TestParseBulkAdd(t *testing.T) {
	tests := []struct {
		body   string
		done   map[int64][]int64
		failed []procore.BulkAddFailure
		unread bool
	}{
		{`{"entities":[{"userId":"7","projects":[1,2]}]}`, map[int64][]int64{7: {1, 2}}, nil, false},
		{`{"entities":[{"userId":7,"projects":["1",{"id":2}]}],"errors":[{"userId":"7","projects":[{"id":3,"message":"no"}]}]}`,
			map[int64][]int64{7: {1, 2}}, []procore.BulkAddFailure{{7, 3, "no"}}, false},
		{`{"entities":[{"7":[1]},{"8":[2]}]}`, map[int64][]int64{7: {1}, 8: {2}}, nil, false},
		{`{"entities":{"7":[1,2]},"errors":{"7":[3]}}`, map[int64][]int64{7: {1, 2}}, []procore.BulkAddFailure{{7, 3, ""}}, false},
		{`{"entities":{"7":{"1":"success"}}}`, map[int64][]int64{7: {1}}, nil, false},
		{`{"entities":[]}`, map[int64][]int64{}, nil, false},
		{`{"entities":[{"userId":"7","projects":[{"name":"x"}]}]}`, map[int64][]int64{}, nil, true},
		{`{"entities":"done"}`, map[int64][]int64{}, nil, true},
		{`{}`, map[int64][]int64{}, nil, true},
		{`[1,2]`, map[int64][]int64{}, nil, true},
		{``, map[int64][]int64{}, nil, true},
	}
	for _, tt := range tests {
		res := procore.ParseBulkAdd([]byte(tt.body))
		for uid := range res.Done {
			slices.Sort(res.Done[uid])
		}
		if !maps.EqualFunc(res.Done, tt.done, slices.Equal) || !slices.Equal(res.Failed, tt.failed) || (res.Unread != "") != tt.unread {
			t.Errorf("%s: %+v", tt.body, res)
		}
	}
}

// FuzzParseBulkAdd: bulk_add's answer is outside input; reading it never
// panics and never yields an id that is not positive.
func FuzzParseBulkAdd(f *testing.F) {
	for _, s := range []string{`{"entities":[{"userId":"7","projects":[1,{"id":"2"}]}],"errors":{"7":[3]}}`, `{"entities":{"1":{"2":"ok"}}}`, `[]`, `{"entities":[{"1":null}]}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		res := procore.ParseBulkAdd(b)
		for uid, ps := range res.Done {
			for _, p := range ps {
				if uid <= 0 || p <= 0 {
					t.Fatalf("id %d/%d from %q", uid, p, b)
				}
			}
		}
		for _, f := range res.Failed {
			if f.UserID <= 0 || f.ProjectID <= 0 {
				t.Fatalf("failure %+v from %q", f, b)
			}
		}
	})
}

func TestPaginationAcrossPages(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 5, Projects: 250, DMSAPermitAll: true})
	c := w.Client(w.Fx.CompanyID, nil)
	if _, err := c.Me(context.Background()); err != nil { // fetch the token first
		t.Fatal(err)
	}
	for _, per := range []int{1, 7, 100, 225, 300} {
		w.S.ResetStats()
		got, err := procore.Collect(c.Projects(context.Background(), procore.ProjectFilter{PerPage: per}))
		if err != nil {
			t.Fatal(err)
		}
		active := len(w.S.ActiveProjectIDs())
		seen := map[int64]bool{}
		for _, p := range got {
			if seen[p.ID] {
				t.Fatalf("per_page %d: project %d twice", per, p.ID)
			}
			seen[p.ID] = true
		}
		if len(got) != active {
			t.Errorf("per_page %d: %d projects, want %d", per, len(got), active)
		}
		if want, n := (active+per-1)/per, w.S.Stats().Requests; n != want {
			t.Errorf("per_page %d: %d requests, want %d", per, n, want)
		}
	}
}

func TestRefreshAfter401(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 9})
	ctx := context.Background()
	code, err := w.S.IssueCode(w.Fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	secret := secret.New(w.Fx.AdminClientSecret)
	tok, err := procore.Exchange(ctx, nil, w.Env, w.Fx.AdminClientID, secret, code)
	if err != nil || tok.RefreshToken == "" {
		t.Fatalf("Exchange = %+v, %v", tok, err)
	}
	if _, err := procore.Exchange(ctx, nil, w.Env, w.Fx.AdminClientID, secret, code); err == nil {
		t.Fatal("a code was accepted twice")
	}
	var saved []string
	auth := procore.RefreshingAuth(w.Env, nil, w.Fx.AdminClientID, secret, tok, func(_ context.Context, t *oauth2.Token) error {
		saved = append(saved, t.RefreshToken)
		return nil
	})
	c := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.Auth = auth })
	if me, err := c.Me(ctx); err != nil || me.ID != w.Fx.AdminUserID {
		t.Fatalf("Me = %+v, %v", me, err)
	}
	w.S.ExpireTokens()
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("after forced expiry: %v", err)
	}
	if len(saved) != 1 || saved[0] == tok.RefreshToken || saved[0] == "" {
		t.Fatalf("saved refresh tokens %d; want one new one", len(saved))
	}
	if w.EventCount(procore.EventRefresh) != 1 {
		t.Errorf("%d refresh events, want 1", w.EventCount(procore.EventRefresh))
	}
	// The old refresh token is dead: a client still holding it is refused
	// with a sentence that says to sign in again.
	stale := procore.RefreshingAuth(w.Env, nil, w.Fx.AdminClientID, secret, &oauth2.Token{RefreshToken: tok.RefreshToken},
		func(context.Context, *oauth2.Token) error { return nil })
	c2 := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.Auth = stale })
	_, err = c2.Me(ctx)
	if err == nil || !strings.Contains(err.Error(), "procore-sa login") {
		t.Fatalf("a reused refresh token: %v", err)
	}
	if strings.Contains(err.Error(), tok.RefreshToken) || strings.Contains(err.Error(), w.Fx.AdminClientSecret) {
		t.Fatal("the error holds a token or secret")
	}
	// A failed save means the new token is not used.
	w.S.ExpireTokens()
	failing := procore.RefreshingAuth(w.Env, nil, w.Fx.AdminClientID, secret, &oauth2.Token{RefreshToken: saved[0]},
		func(context.Context, *oauth2.Token) error { return errors.New("keychain locked") })
	c3 := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.Auth = failing })
	if _, err := c3.Me(ctx); err == nil || !strings.Contains(err.Error(), "keychain locked") {
		t.Fatalf("save failure: %v", err)
	}
}

func TestErrorStatuses(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 3, Projects: 5})
	ctx := context.Background()
	c := w.AdminClient(w.Fx.CompanyID, nil)
	tests := []struct {
		name   string
		call   func() error
		status int
		says   string
	}{
		{"403 not installed", func() error {
			_, err := w.Client(w.Fx.OtherCompanyID, nil).Me(ctx)
			return err
		}, 403, "not installed in this company"},
		{"404", func() error { _, err := c.User(ctx, 424242424); return err }, 404, "could not find it"},
		{"409", func() error {
			_, err := c.CreateUser(ctx, procore.NewUser{LastName: "Dup", EmailAddress: w.Fx.ServiceUserEmail})
			return err
		}, 409, "already exists"},
		{"400 missing field", func() error {
			_, err := c.CreateUser(ctx, procore.NewUser{EmailAddress: "no.last.name@example.com"})
			return err
		}, 400, "last_name"},
		{"403 not a Directory Admin", func() error {
			_, err := w.Client(w.Fx.CompanyID, nil).CreateUser(ctx, procore.NewUser{LastName: "X", EmailAddress: "x@example.com"})
			return err
		}, 403, "Directory"},
		{"401 bad client", func() error {
			bad := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) {
				cfg.Auth = procore.ClientCredentials(w.Env, nil, w.Fx.DMSAClientID, secret.New("wrong-secret"))
			})
			_, err := bad.Me(ctx)
			return err
		}, 401, "check both"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call()
			if procore.StatusOf(err) != tt.status || !strings.Contains(err.Error(), tt.says) {
				t.Fatalf("got %v (status %d); want %d saying %q", err, procore.StatusOf(err), tt.status, tt.says)
			}
			if strings.Contains(err.Error(), w.Fx.DMSAClientSecret) || strings.Contains(err.Error(), "Bearer") {
				t.Fatal("the error holds a secret")
			}
		})
	}
}

// TestRateLimit429 makes a second client share the first one's token
// bucket without knowing it, so that it draws 429s, with and without
// Retry-After, and must wait them out.
func TestRateLimit429(t *testing.T) {
	for _, retryAfter := range []bool{false, true} {
		t.Run("retry-after="+strconv.FormatBool(retryAfter), func(t *testing.T) {
			w := simtest.New(t, sim.Config{Seed: 1, SpikeLimit: 4, SpikeWindow: 2 * time.Second})
			w.S.SetFaults(sim.Faults{NoRetryAfterOn429: !retryAfter})
			ctx := context.Background()
			auth := procore.ClientCredentials(w.Env, nil, w.Fx.DMSAClientID, secret.New(w.Fx.DMSAClientSecret))
			a := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.Auth = auth })
			b := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.Auth = auth })
			for range 4 {
				if _, err := a.Me(ctx); err != nil {
					t.Fatal(err)
				}
			}
			start := time.Now()
			if _, err := b.Me(ctx); err != nil {
				t.Fatalf("after a 429: %v", err)
			}
			if st := w.S.Stats(); st.TooMany != 1 {
				t.Errorf("%d 429s, want exactly 1", st.TooMany)
			}
			if time.Since(start) < 200*time.Millisecond || w.EventCount(procore.EventRateWait) == 0 {
				t.Errorf("did not wait for the window (%v, %d wait events)", time.Since(start), w.EventCount(procore.EventRateWait))
			}
		})
	}
}

// TestRateLimit429FollowsRetryAfter answers a 429 whose Retry-After (1 s)
// and X-Rate-Limit-Reset (30 s away) disagree: the client must wait for
// Retry-After, as Procore's reference says, and not for the reset.
func TestRateLimit429FollowsRetryAfter(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 1})
	var refused atomic.Int32
	w.SetIntercept(func(rw http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/rest/v1.0/me" || !refused.CompareAndSwap(0, 1) {
			return false
		}
		h := rw.Header()
		h.Set("X-Rate-Limit-Limit", "25")
		h.Set("X-Rate-Limit-Remaining", "0")
		h.Set("X-Rate-Limit-Reset", strconv.FormatInt(time.Now().Add(30*time.Second).Unix(), 10))
		h.Set("Retry-After", "1")
		rw.WriteHeader(http.StatusTooManyRequests)
		rw.Write([]byte("You have surpassed the max number of requests for an hour. Please wait until your limit resets."))
		return true
	})
	c := w.Client(w.Fx.CompanyID, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	start := time.Now()
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("after a 429 with Retry-After: 1: %v", err)
	}
	took := time.Since(start)
	if took < 950*time.Millisecond || took > 5*time.Second {
		t.Errorf("waited %v; want about the 1 s of Retry-After", took)
	}
	waits := w.EventsOf(procore.EventRateWait)
	if len(waits) != 1 || waits[0].Wait < time.Second || waits[0].Wait > 1100*time.Millisecond {
		t.Errorf("rate-limit waits %+v; want one of about 1 s", waits)
	}
}

// TestPacingDrawsNo429 runs well past the spike limit: the pacer must wait
// for each reset rather than let Procore refuse.
func TestPacingDrawsNo429(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 1, SpikeLimit: 10, SpikeWindow: time.Second})
	c := w.Client(w.Fx.CompanyID, nil)
	var wg sync.WaitGroup
	for range 3 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 10 {
				if _, err := c.Me(context.Background()); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	if st := w.S.Stats(); st.TooMany != 0 || st.Requests < 30 {
		t.Fatalf("%d requests, %d 429s; want 30 and none", st.Requests, st.TooMany)
	}
	if w.EventCount(procore.EventRateWait) == 0 {
		t.Error("no rate-limit wait was reported")
	}
}

func TestRetries(t *testing.T) {
	t.Run("5xx", func(t *testing.T) {
		w := simtest.New(t, sim.Config{Seed: 11, Projects: 30})
		w.S.SetFaults(sim.Faults{ErrorRate: 0.4})
		c := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.MaxRetries = 20 })
		for range 20 {
			if _, err := c.Me(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		if st := w.S.Stats(); st.Status[500]+st.Status[503] == 0 || w.EventCount(procore.EventRetry) == 0 {
			t.Fatalf("no server errors were retried: %+v", st.Status)
		}
	})
	t.Run("dropped connections", func(t *testing.T) {
		w := simtest.New(t, sim.Config{Seed: 12, Projects: 30, DMSAPermitAll: true})
		w.S.SetFaults(sim.Faults{DropRate: 0.3})
		c := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.MaxRetries = 20 })
		got, err := procore.Collect(c.Projects(context.Background(), procore.ProjectFilter{PerPage: 2}))
		if err != nil || len(got) != len(w.S.ActiveProjectIDs()) {
			t.Fatalf("%d projects, %v", len(got), err)
		}
		if w.S.Stats().Dropped == 0 {
			t.Fatal("nothing was dropped")
		}
	})
	t.Run("503 without retry for an unsafe request", func(t *testing.T) {
		w := simtest.New(t, sim.Config{Seed: 13})
		w.S.SetFaults(sim.Faults{ErrorRate: 1})
		c := w.Client(w.Fx.CompanyID, nil)
		_, err := c.CreateUser(context.Background(), procore.NewUser{LastName: "X", EmailAddress: "x@example.com"})
		if s := procore.StatusOf(err); s != 500 && s != 503 {
			t.Fatalf("got %v", err)
		}
		if w.EventCount(procore.EventRetry) != 0 {
			t.Fatal("a create was repeated")
		}
	})
}

// TestDroppedCreateIsNotRepeated drops the connection of every user
// creation, half of them after the user was created: a POST whose effect is
// unknown must not be sent again, so each reaches Procore once and makes at
// most one user.
func TestDroppedCreateIsNotRepeated(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 14, DMSADirectoryAdmin: true})
	ctx := context.Background()
	c := w.Client(w.Fx.CompanyID, nil)
	if _, err := c.Me(ctx); err != nil { // the token first, with no faults
		t.Fatal(err)
	}
	w.S.ResetStats()
	w.S.SetFaults(sim.Faults{DropRate: 1})
	const n = 8
	for i := range n {
		email := "dropped." + strconv.Itoa(i) + "@example.com"
		u, err := c.CreateUser(ctx, procore.NewUser{LastName: "Dropped", EmailAddress: email})
		if err == nil || !strings.Contains(err.Error(), "may or may not have been done") {
			t.Fatalf("CreateUser over a dropped connection = %+v, %v; want an error saying the effect is unknown", u, err)
		}
	}
	w.S.SetFaults(sim.Faults{})
	st := w.S.Stats()
	if got := st.ByRoute["POST /rest/v1.3/companies/{cid}/users"]; got != n || st.Dropped != n {
		t.Errorf("%d creations reached the simulator (%d dropped); want each once: %d", got, st.Dropped, n)
	}
	if k := w.EventCount(procore.EventRetry); k != 0 {
		t.Errorf("%d retries of a create", k)
	}
	made := 0
	for i := range n {
		users, err := procore.Collect(c.Users(ctx, "dropped."+strconv.Itoa(i)+"@example.com"))
		if err != nil {
			t.Fatal(err)
		}
		if len(users) > 1 {
			t.Errorf("%d users with one email", len(users))
		}
		made += len(users)
	}
	if made == 0 || made == n {
		t.Errorf("%d of %d users were made; want some drops before and some after the effect", made, n)
	}
}

// TestRetry503AfterRetryAfter answers one 503 with Retry-After: 1, as
// Procore does under load: a safe request is sent again, after that second
// and not after the (much shorter) backoff.
func TestRetry503AfterRetryAfter(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 1})
	var refused atomic.Int32
	w.SetIntercept(func(rw http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path != "/rest/v1.0/me" || !refused.CompareAndSwap(0, 1) {
			return false
		}
		rw.Header().Set("Retry-After", "1")
		rw.Header().Set("Content-Type", "application/json")
		rw.WriteHeader(http.StatusServiceUnavailable)
		rw.Write([]byte(`{"errors":"Service Unavailable"}`))
		return true
	})
	c := w.Client(w.Fx.CompanyID, nil) // backoff 5 ms: far shorter than Retry-After
	start := time.Now()
	if me, err := c.Me(context.Background()); err != nil || me.ID != w.Fx.DMSAUserID {
		t.Fatalf("Me after a 503 = %+v, %v", me, err)
	}
	if took := time.Since(start); took < 950*time.Millisecond || took > 5*time.Second {
		t.Errorf("retried after %v; want the 1 s of Retry-After", took)
	}
	retries := w.EventsOf(procore.EventRetry)
	if len(retries) != 1 || retries[0].Wait != time.Second || retries[0].Attempt != 2 || !strings.Contains(retries[0].Reason, "503") {
		t.Errorf("retry events %+v; want one of 1 s for the 503", retries)
	}
	if n := w.S.Stats().ByRoute["GET /rest/v1.0/me"]; n != 1 {
		t.Errorf("the simulator answered %d requests after the 503, want 1", n)
	}
}

// TestDroppedInviteIsNotRepeated: every invitation sends an email, so one
// whose connection dropped (before or after Procore sent it) is not sent
// again, though it is a PATCH.
func TestDroppedInviteIsNotRepeated(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 15, DMSADirectoryAdmin: true})
	ctx := context.Background()
	c := w.Client(w.Fx.CompanyID, nil)
	var ids []int64
	for i := range 8 {
		u, err := c.CreateUser(ctx, procore.NewUser{LastName: "Invitee", EmailAddress: "invitee." + strconv.Itoa(i) + "@example.com"})
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, u.ID)
	}
	w.S.ResetStats()
	w.S.SetFaults(sim.Faults{DropRate: 1})
	for _, id := range ids {
		if err := c.InviteUser(ctx, id); err == nil || !strings.Contains(err.Error(), "may or may not have been done") {
			t.Errorf("InviteUser over a dropped connection: %v", err)
		}
	}
	w.S.SetFaults(sim.Faults{})
	if got := w.S.Stats().ByRoute["PATCH /rest/v1.3/companies/{cid}/users/{id}/invite"]; got != len(ids) {
		t.Errorf("%d invitations reached the simulator; want each once: %d", got, len(ids))
	}
	if k := w.EventCount(procore.EventRetry); k != 0 {
		t.Errorf("%d retries of an invitation", k)
	}
	sent := 0
	for _, id := range ids {
		n := w.S.InviteCount(id)
		if n > 1 {
			t.Errorf("user %d was sent %d invitations", id, n)
		}
		sent += n
	}
	if sent == 0 || sent == len(ids) {
		t.Errorf("%d of %d invitations went out; want some drops before and some after the email", sent, len(ids))
	}
}

func TestCancelMidWait(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 1, SpikeLimit: 2, SpikeWindow: 30 * time.Second})
	c := w.Client(w.Fx.CompanyID, nil)
	for range 2 {
		if _, err := c.Me(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	meCancelledAfter(t, c, 150*time.Millisecond)
}

// meCancelledAfter asks who c is with a context that ends after d: the call
// must return the context's error, promptly.
func meCancelledAfter(t *testing.T, c *procore.Client, d time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	if _, err := c.Me(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want the context's error", err)
	}
	if took := time.Since(start); took > 2*time.Second {
		t.Fatalf("cancellation took %v", took)
	}
}

// TestCancelMidRetryWait cancels while the client waits out a 429 or
// backs off after a 5xx or a dropped connection: every one of those waits
// must end when the context does, not when the wait would have.
func TestCancelMidRetryWait(t *testing.T) {
	answer := func(status int, h map[string]string) func(http.ResponseWriter, *http.Request) bool {
		return func(rw http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/rest/") {
				return false
			}
			for k, v := range h {
				rw.Header().Set(k, v)
			}
			rw.Header().Set("Content-Type", "application/json")
			rw.WriteHeader(status)
			rw.Write([]byte(`{"errors":"` + http.StatusText(status) + `"}`))
			return true
		}
	}
	far := strconv.FormatInt(time.Now().Add(time.Minute).Unix(), 10)
	tests := []struct {
		name      string
		intercept func(http.ResponseWriter, *http.Request) bool
		kind      procore.EventKind
	}{
		{"429 with Retry-After", answer(429, map[string]string{"Retry-After": "30", "X-Rate-Limit-Reset": far}), procore.EventRateWait},
		{"429 until the reset", answer(429, map[string]string{"X-Rate-Limit-Limit": "25", "X-Rate-Limit-Remaining": "0", "X-Rate-Limit-Reset": far}), procore.EventRateWait},
		{"503 with Retry-After", answer(503, map[string]string{"Retry-After": "30"}), procore.EventRetry},
		{"500 backoff", answer(500, nil), procore.EventRetry},
		{"dropped connection backoff", func(rw http.ResponseWriter, r *http.Request) bool {
			if !strings.HasPrefix(r.URL.Path, "/rest/") {
				return false
			}
			conn, _, err := rw.(http.Hijacker).Hijack()
			if err == nil {
				conn.Close()
			}
			return true
		}, procore.EventRetry},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := simtest.New(t, sim.Config{Seed: 1})
			w.SetIntercept(tt.intercept)
			c := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) {
				cfg.BaseBackoff, cfg.MaxBackoff = 30*time.Second, time.Minute
			})
			meCancelledAfter(t, c, 300*time.Millisecond)
			if evs := w.EventsOf(tt.kind); len(evs) != 1 || evs[0].Wait < 15*time.Second {
				t.Fatalf("events %+v; want one long wait, cut short", evs)
			}
		})
	}
}

func TestRefusesForeignLinks(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		rw.Header().Set("Link", `<http://evil.example/rest/v1.1/projects?page=2>; rel="next"`)
		rw.Write([]byte(`[{"id":1,"name":"a","active":true}]`))
	}))
	defer ts.Close()
	env := procore.Environment{APIURL: ts.URL, LoginURL: ts.URL}
	c, err := procore.New(procore.Config{Env: env, CompanyID: 1, Auth: procore.StaticAuth(secret.New("tok"))})
	if err != nil {
		t.Fatal(err)
	}
	_, err = procore.Collect(c.Projects(context.Background(), procore.ProjectFilter{}))
	if err == nil || !strings.Contains(err.Error(), "not the API host") {
		t.Fatalf("followed a link off the API host: %v", err)
	}
}

func TestOnlyLoopbackMayUseHTTP(t *testing.T) {
	for raw, ok := range map[string]bool{
		"https://api.procore.com": true, "http://127.0.0.1:7070": true, "http://localhost:1": true, "http://[::1]:8": true,
		"http://api.procore.com": false, "ftp://x": false, "api.procore.com": false, "https://u:p@x.com": false,
	} {
		if err := procore.CheckBaseURL(raw); (err == nil) != ok {
			t.Errorf("CheckBaseURL(%q) = %v", raw, err)
		}
	}
}

// TestAnswersArePrintable: names and messages from Procore reach callers
// without escape sequences or text-reordering characters, and an error
// that repeats the request's access token does not carry it on.
func TestAnswersArePrintable(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 1})
	var sentToken atomic.Value
	var fail atomic.Bool
	w.SetIntercept(func(rw http.ResponseWriter, r *http.Request) bool {
		if !strings.HasSuffix(r.URL.Path, "/me") {
			return false
		}
		sentToken.Store(strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer "))
		rw.Header().Set("Content-Type", "application/json")
		if !fail.Load() {
			rw.Write([]byte(`{"id":7,"login":"evil\u001b]52;c;cHduZWQ=\u0007@example.com","name":"\u009b2JMallory\u202e"}`))
			return true
		}
		rw.WriteHeader(http.StatusForbidden)
		rw.Write([]byte(`{"errors":"you sent Authorization: ` + r.Header.Get("Authorization") + `"}`))
		return true
	})
	c := w.Client(w.Fx.CompanyID, nil)
	me, err := c.Me(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if me.Login != "evil ]52;c;cHduZWQ= @example.com" || me.Name != " 2JMallory" {
		t.Errorf("me = %q, %q", me.Login, me.Name)
	}
	fail.Store(true)
	_, err = c.Me(context.Background())
	tok, _ := sentToken.Load().(string)
	if err == nil || tok == "" || strings.Contains(err.Error(), tok) || !strings.Contains(err.Error(), "[withheld]") {
		t.Errorf("an error repeating the access token: %v", err)
	}
}

// TestRefreshOutlivesItsCaller: a caller that stops waiting while its
// refresh is on the way (a screen left mid-read) does not spend the
// sign-in: the refresh finishes, its new refresh token is kept, and the
// next call uses the token it brought, with no second refresh.
func TestRefreshOutlivesItsCaller(t *testing.T) {
	w := simtest.New(t, sim.Config{Seed: 9, Projects: 2})
	ctx := context.Background()
	code, err := w.S.IssueCode(w.Fx.AdminClientID, procore.OOBRedirect)
	if err != nil {
		t.Fatal(err)
	}
	sec := secret.New(w.Fx.AdminClientSecret)
	tok, err := procore.Exchange(ctx, nil, w.Env, w.Fx.AdminClientID, sec, code)
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var saved []string
	auth := procore.RefreshingAuth(w.Env, nil, w.Fx.AdminClientID, sec, &oauth2.Token{RefreshToken: tok.RefreshToken}, func(_ context.Context, t *oauth2.Token) error {
		mu.Lock()
		defer mu.Unlock()
		saved = append(saved, t.RefreshToken)
		return nil
	})
	var refreshes atomic.Int32
	w.SetIntercept(func(_ http.ResponseWriter, r *http.Request) bool {
		if r.URL.Path == "/oauth/token" {
			refreshes.Add(1)
			time.Sleep(300 * time.Millisecond)
		}
		return false
	})
	c := w.Client(w.Fx.CompanyID, func(cfg *procore.Config) { cfg.Auth = auth })
	short, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if _, err := c.Me(short); err == nil {
		t.Fatal("the caller that gave up got an answer")
	}
	if _, err := c.Me(ctx); err != nil {
		t.Fatalf("after a caller gave up mid-refresh: %v", err)
	}
	mu.Lock()
	defer mu.Unlock()
	if n := refreshes.Load(); n != 1 || len(saved) != 1 || saved[0] == tok.RefreshToken {
		t.Errorf("%d refreshes, %d kept; want one of each, a new token", n, len(saved))
	}
}
