package sim

import (
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
	"time"
)

// bulkAddLimit is how many triplets one bulk_add does at once; above it
// the reference says "a worker will be triggered to perform the action
// asynchronously".
const bulkAddLimit = 1000

type bulkItem struct {
	UserID               int64 `json:"user_id"`
	ProjectID            int64 `json:"project_id"`
	PermissionTemplateID int64 `json:"permission_template_id"`
}

// bulkJob is an accepted bulk_add of more than bulkAddLimit triplets,
// done once due.
type bulkJob struct {
	due   time.Time
	c     caller
	items []bulkItem
}

// bulkOutcome is what one bulk_add did: the projects each user is now in
// (in order of first mention) and the triplets that failed.
type bulkOutcome struct {
	users  []int64
	done   map[int64][]int64
	failed map[int64][]bulkFailure
}

type bulkFailure struct {
	projectID int64
	message   string
}

// bulkAdd is POST /rest/v1.3/companies/{cid}/users/bulk_add: 200 when every
// triplet was done, 207 with the failed ones otherwise, in the shape
// Faults.BulkAddShape picks. A user already in a project counts as done and
// keeps its template. More than 1,000 triplets are accepted and done
// Config.BulkAsyncDelay later: the answer then lists nothing.
func (s *Server) bulkAdd(w http.ResponseWriter, r *http.Request, c *caller) {
	f := s.faults.Load()
	if f.BulkAddRefused {
		forbidden(w, "This app does not have permission to bulk add users to projects")
		return
	}
	if !directoryAdmin(w, c) {
		return
	}
	var body struct {
		Users []bulkItem `json:"users"`
	}
	if !readJSON(w, r, &body) {
		return
	}
	if len(body.Users) == 0 {
		badRequest(w, map[string][]string{"users": {"can't be blank"}})
		return
	}
	if len(body.Users) > bulkAddLimit {
		s.mu.Lock()
		s.st.pending = append(s.st.pending, bulkJob{due: s.cfg.Now().Add(s.cfg.BulkAsyncDelay), c: *c, items: body.Users})
		s.pendingN.Store(int32(len(s.st.pending)))
		s.mu.Unlock()
		writeRaw(w, http.StatusOK, encodeBulk(f.BulkAddShape, bulkOutcome{}, false))
		return
	}
	s.mu.Lock()
	out := s.doBulk(c, body.Users)
	s.mu.Unlock()
	status := http.StatusOK
	if len(out.failed) > 0 {
		status = http.StatusMultiStatus
	}
	writeRaw(w, status, encodeBulk(f.BulkAddShape, out, status == http.StatusMultiStatus))
}

// doBulk does the triplets as c; call with s.mu held for writing.
func (s *Server) doBulk(c *caller, items []bulkItem) bulkOutcome {
	out := bulkOutcome{done: map[int64][]int64{}, failed: map[int64][]bulkFailure{}}
	seen := map[int64]bool{}
	for _, it := range items {
		if !seen[it.UserID] {
			seen[it.UserID] = true
			out.users = append(out.users, it.UserID)
		}
		u := s.st.users[it.UserID]
		msg := ""
		switch {
		case u == nil || !u.IsActive:
			msg = "User not found in the company directory"
		case !s.canSee(c, s.st.projByID[it.ProjectID]):
			msg = "Project not found or not permitted"
		case it.PermissionTemplateID == 0:
			// Not documented; the simulator asks for what a client should
			// always send.
			msg = "Permission template is required"
		case s.st.projectTemplate(it.PermissionTemplateID, it.ProjectID) == nil:
			msg = "Permission template not found"
		}
		if msg != "" {
			out.failed[it.UserID] = append(out.failed[it.UserID], bulkFailure{it.ProjectID, msg})
			continue
		}
		s.st.addMember(it.UserID, it.ProjectID, it.PermissionTemplateID)
		if !slices.Contains(out.done[it.UserID], it.ProjectID) {
			out.done[it.UserID] = append(out.done[it.UserID], it.ProjectID)
		}
	}
	return out
}

// applyDue does the bulk_adds whose time has come.
func (s *Server) applyDue() {
	if s.pendingN.Load() == 0 {
		return
	}
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	keep := s.st.pending[:0]
	for _, j := range s.st.pending {
		if now.Before(j.due) {
			keep = append(keep, j)
			continue
		}
		s.doBulk(&j.c, j.items)
	}
	clear(s.st.pending[len(keep):])
	s.st.pending = keep
	s.pendingN.Store(int32(len(keep)))
}

// encodeBulk spells an outcome in one of the shapes a client must read.
// errors is there on a 207 only.
func encodeBulk(shape BulkShape, out bulkOutcome, withErrors bool) []byte {
	spell := func(ok bool) any {
		ids := func(uid int64) []any {
			var ps []any
			if ok {
				for _, p := range out.done[uid] {
					if shape == BulkShapeProjectObjects {
						ps = append(ps, map[string]int64{"id": p})
					} else {
						ps = append(ps, p)
					}
				}
				return ps
			}
			for _, f := range out.failed[uid] {
				if shape == BulkShapeProjectObjects {
					ps = append(ps, map[string]any{"id": f.projectID, "message": f.message})
				} else {
					ps = append(ps, f.projectID)
				}
			}
			return ps
		}
		var users []int64
		for _, uid := range out.users {
			if ok && len(out.done[uid]) > 0 || !ok && len(out.failed[uid]) > 0 {
				users = append(users, uid)
			}
		}
		switch shape {
		case BulkShapeKeyed:
			m := map[string][]any{}
			for _, uid := range users {
				m[strconv.FormatInt(uid, 10)] = ids(uid)
			}
			return m
		case BulkShapeSingleKey:
			list := []map[string][]any{}
			for _, uid := range users {
				list = append(list, map[string][]any{strconv.FormatInt(uid, 10): ids(uid)})
			}
			return list
		}
		type item struct {
			UserID   string `json:"userId"`
			Projects []any  `json:"projects"`
		}
		list := []item{}
		for _, uid := range users {
			list = append(list, item{strconv.FormatInt(uid, 10), ids(uid)})
		}
		return list
	}
	body := map[string]any{"entities": spell(true)}
	if withErrors {
		body["errors"] = spell(false)
	}
	b, err := json.Marshal(body)
	if err != nil {
		panic(errorf("encoding bulk_add's answer: %w", err)) // plain data: cannot happen
	}
	return b
}
