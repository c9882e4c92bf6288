package procore

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Membership is one (user, project, template) triplet of bulk_add.
type Membership struct {
	UserID               int64 `json:"user_id"`
	ProjectID            int64 `json:"project_id"`
	PermissionTemplateID int64 `json:"permission_template_id"`
}

// BulkAddLimit is the most triplets one bulk_add call takes at once: above
// it Procore hands the work to a worker and answers before doing it.
const BulkAddLimit = 1000

// BulkAddResult is what bulk_add's answer says. It is Procore's word, not
// its state: a caller confirms with ProjectAssignments before reporting.
type BulkAddResult struct {
	Status  int               // 200, or 207 when some triplets failed
	Done    map[int64][]int64 // user → the projects the answer lists as done
	Failed  []BulkAddFailure  // the triplets the answer lists as failed
	Partial bool              // 207, or failures listed
	// Unread says what of the answer could not be read ("" when all of it
	// was). Procore may have acted all the same.
	Unread string
}

// BulkAddFailure is one triplet bulk_add says it could not do.
type BulkAddFailure struct {
	UserID    int64
	ProjectID int64
	Message   string
}

// BulkAdd adds up to BulkAddLimit memberships in one call, each with a
// permission template. Repeating it is harmless (a member keeps its
// template), so it is retried like a read. An answer shaped in a way it
// cannot read is not an error: Procore answered 2xx and may have acted, so
// the result says what was unreadable and the caller confirms.
func (c *Client) BulkAdd(ctx context.Context, ms []Membership) (*BulkAddResult, error) {
	if len(ms) > BulkAddLimit {
		return nil, fmt.Errorf("bulk add %d memberships: at most %d a call", len(ms), BulkAddLimit)
	}
	for _, m := range ms {
		if m.PermissionTemplateID <= 0 {
			return nil, fmt.Errorf("bulk add: user %d to project %d has no permission template; every triplet needs one", m.UserID, m.ProjectID)
		}
	}
	var raw json.RawMessage
	h, err := c.do(ctx, request{method: http.MethodPost, idempotent: true,
		path: fmt.Sprintf("/rest/v1.3/companies/%d/users/bulk_add", c.cfg.CompanyID),
		body: map[string]any{"users": ms}}, &raw)
	if err != nil {
		return nil, fmt.Errorf("bulk add %d memberships: %w", len(ms), err)
	}
	res := ParseBulkAdd(raw)
	res.Status = h.status
	res.Partial = res.Partial || h.status == http.StatusMultiStatus
	return res, nil
}

// ParseBulkAdd reads bulk_add's answer in every shape Procore's reference
// allows for: entities and errors each an array of {"userId","projects"}
// items (projects as ids, as numeric strings, or as objects with an "id"),
// an array of single-key objects {"<user id>":[...]}, or one object keyed
// by user id (whose values may also be objects keyed by project id). It
// never fails: what it cannot read it names in Unread.
func ParseBulkAdd(body []byte) *BulkAddResult {
	res := &BulkAddResult{Done: map[int64][]int64{}}
	var unread []string
	if len(bytes.TrimSpace(body)) == 0 {
		res.Unread = "the answer was empty"
		return res
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(body, &top); err != nil {
		res.Unread = "the answer is not a JSON object"
		return res
	}
	for _, key := range []string{"entities", "errors"} {
		raw, ok := top[key]
		if !ok || isNull(raw) {
			continue
		}
		groups, why := readGroups(raw)
		if why != "" {
			unread = append(unread, key+": "+why)
		}
		for _, g := range groups {
			for _, p := range g.projects {
				if key == "entities" {
					res.Done[g.user] = append(res.Done[g.user], p.id)
				} else {
					res.Failed = append(res.Failed, BulkAddFailure{UserID: g.user, ProjectID: p.id, Message: Clip(p.message)})
				}
			}
		}
	}
	if _, ok := top["entities"]; !ok {
		unread = append(unread, "no entities")
	}
	res.Partial = len(res.Failed) > 0
	res.Unread = Clip(strings.Join(unread, "; "))
	return res
}

type bulkGroup struct {
	user     int64
	projects []bulkProject
}

type bulkProject struct {
	id      int64
	message string
}

func isNull(raw json.RawMessage) bool { return string(bytes.TrimSpace(raw)) == "null" }

// readGroups reads entities or errors: an array of items or an object keyed
// by user id. It returns what it could read, and why not all.
func readGroups(raw json.RawMessage) ([]bulkGroup, string) {
	var why []string
	var out []bulkGroup
	var list []json.RawMessage
	var keyed map[string]json.RawMessage
	switch {
	case json.Unmarshal(raw, &list) == nil:
		for i, item := range list {
			var obj map[string]json.RawMessage
			if json.Unmarshal(item, &obj) != nil {
				why = append(why, fmt.Sprintf("item %d is not an object", i+1))
				continue
			}
			uidRaw, hasUser := obj["userId"]
			if !hasUser {
				uidRaw, hasUser = obj["user_id"]
			}
			if hasUser {
				// {"userId":"<id>","projects":[...]}
				uid, ok := readID(uidRaw)
				ps, pwhy := readProjects(obj["projects"])
				if !ok {
					why = append(why, fmt.Sprintf("item %d has no readable user id", i+1))
					continue
				}
				if pwhy != "" {
					why = append(why, pwhy)
				}
				out = append(out, bulkGroup{uid, ps})
				continue
			}
			// {"<user id>":[...]}
			gs, kwhy := readKeyed(obj)
			out = append(out, gs...)
			if kwhy != "" {
				why = append(why, kwhy)
			}
		}
	case json.Unmarshal(raw, &keyed) == nil:
		gs, kwhy := readKeyed(keyed)
		out = append(out, gs...)
		if kwhy != "" {
			why = append(why, kwhy)
		}
	default:
		why = append(why, "neither a list nor an object")
	}
	return out, strings.Join(why, "; ")
}

func readKeyed(obj map[string]json.RawMessage) ([]bulkGroup, string) {
	var why []string
	var out []bulkGroup
	for k, v := range obj {
		uid, err := strconv.ParseInt(strings.TrimSpace(k), 10, 64)
		if err != nil || uid <= 0 {
			why = append(why, fmt.Sprintf("key %q is not a user id", Clip(k)))
			continue
		}
		ps, pwhy := readProjects(v)
		if pwhy != "" {
			why = append(why, pwhy)
		}
		out = append(out, bulkGroup{uid, ps})
	}
	return out, strings.Join(why, "; ")
}

// readProjects reads a list of projects (ids, numeric strings, or objects
// with an "id" or "project_id" and perhaps a message), or an object keyed
// by project id.
func readProjects(raw json.RawMessage) ([]bulkProject, string) {
	if raw == nil || isNull(raw) {
		return nil, ""
	}
	var list []json.RawMessage
	if json.Unmarshal(raw, &list) != nil {
		var keyed map[string]json.RawMessage
		if json.Unmarshal(raw, &keyed) != nil {
			return nil, "projects are neither a list nor an object"
		}
		var out []bulkProject
		for k, v := range keyed {
			id, err := strconv.ParseInt(strings.TrimSpace(k), 10, 64)
			if err != nil || id <= 0 {
				return out, fmt.Sprintf("project key %q is not an id", Clip(k))
			}
			var msg string
			_ = json.Unmarshal(v, &msg) // a status word, when there is one
			out = append(out, bulkProject{id, msg})
		}
		return out, ""
	}
	var out []bulkProject
	for _, item := range list {
		if id, ok := readID(item); ok {
			out = append(out, bulkProject{id: id})
			continue
		}
		var obj map[string]json.RawMessage
		if json.Unmarshal(item, &obj) != nil {
			return out, "a project is neither an id nor an object"
		}
		idRaw, ok := obj["id"]
		if !ok {
			idRaw = obj["project_id"]
		}
		id, ok := readID(idRaw)
		if !ok {
			return out, "a project object has no id"
		}
		p := bulkProject{id: id}
		for _, k := range []string{"message", "error", "errors"} {
			if v, ok := obj[k]; ok {
				p.message = messageOf(v)
				break
			}
		}
		out = append(out, p)
	}
	return out, ""
}

// readID reads an id written as a number or as a numeric string.
func readID(raw json.RawMessage) (int64, bool) {
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		id, err := n.Int64()
		return id, err == nil && id > 0
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		return id, err == nil && id > 0
	}
	return 0, false
}

// messageOf reads a message written as a string or a list of strings.
func messageOf(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var list []string
	if json.Unmarshal(raw, &list) == nil {
		return strings.Join(list, "; ")
	}
	return ""
}
