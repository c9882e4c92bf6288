package addall

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/procore"
)

// The add-all journal is JSON lines, one file per run: a header, then one
// line per project as it is confirmed. It is a record of what was done, not
// a plan to replay: a resumed run re-reads Procore's state and uses the
// journal only for the request and for the report.

// JournalHeader is the first line of a journal.
type JournalHeader struct {
	Run    string `json:"run"`
	UserID int64  `json:"user_id"`
	// Who the user is, as Procore gave it (made printable), for a resumed
	// run to check against what Procore says then: see CheckUser.
	UserEmail   string    `json:"user_email,omitempty"`
	UserLogin   string    `json:"user_login,omitempty"`
	Template    string    `json:"template"` // as the person gave it: an id or a name
	NewProjects bool      `json:"new_projects"`
	CompanyID   int64     `json:"company_id"`
	StartedAt   time.Time `json:"started_at"`
	// ToAdd is what the first plan found the user not yet a member of. A
	// resumed run reports such a project, now a member, as added: the
	// request that added it may have been cut off (kill -9, ctrl+c) after
	// Procore acted and before the journal recorded it.
	ToAdd []int64 `json:"to_add,omitempty"`
}

// Request is the add-all request the journal was written for, for a resumed
// run to plan again.
func (h JournalHeader) Request() Request {
	return Request{UserID: h.UserID, Template: h.Template, NewProjects: h.NewProjects}
}

// journalLine is one confirmed project.
type journalLine struct {
	ProjectID int64   `json:"project_id"`
	Outcome   Outcome `json:"outcome"`
	Reason    string  `json:"reason,omitempty"`
}

// resumeLine marks where a resumed run starts appending.
type resumeLine struct {
	ResumedAt time.Time `json:"resumed_at"`
}

// Journal appends confirmed projects to the writer the caller opened (the
// CLI: $XDG_STATE_HOME/procore-sa/runs/RUN.jsonl, mode 0600, O_APPEND). It
// is safe for concurrent use. When the writer has Sync (an *os.File), each
// write is followed by an fsync, so a confirmed chunk survives a crash.
type Journal struct {
	mu      sync.Mutex
	w       io.Writer
	header  JournalHeader
	started bool // the header (or the resume mark) is written
	resumed bool
	prior   map[int64]ProjectResult
	toAdd   map[int64]bool // header.ToAdd as a set, built on first use
}

// NewJournal starts the journal of a new run; Run writes its header.
func NewJournal(w io.Writer, run string) *Journal {
	return &Journal{w: w, header: JournalHeader{Run: run}}
}

// ResumeJournal continues a journal read with ReadJournal: its lines are
// appended to w (the same file, opened for appending), and confirmed is what
// the earlier runs did, so the report can account for it.
func ResumeJournal(w io.Writer, header JournalHeader, confirmed map[int64]ProjectResult) *Journal {
	return &Journal{w: w, header: header, resumed: true, prior: confirmed}
}

// SetUser records who the run's user is, as Procore gave it, in the header
// of a new run; the run must be for that user.
func (j *Journal) SetUser(u procore.User) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.header.UserID = u.ID
	// A directory row carries no login: the email address names the user.
	j.header.UserEmail = procore.Printable(u.EmailAddress)
}

// CheckUser checks a journal's header against what Procore says about its
// user now, so that a header edited to point the run at another user is
// refused rather than acted on.
func CheckUser(ctx context.Context, c *procore.Client, h JournalHeader) error {
	if h.UserEmail == "" && h.UserLogin == "" {
		return fmt.Errorf("the journal of run %s does not say who its user is (an older procore-sa wrote it, or it was edited), "+
			"so it cannot be checked against Procore: start a new run with --user; it finds what is already done", h.Run)
	}
	u, err := c.User(ctx, h.UserID)
	if procore.StatusOf(err) == http.StatusNotFound {
		return fmt.Errorf("the journal of run %s is for user %d (%s), whom Procore does not know in company %d: "+
			"its header may have been edited; start a new run with --user", h.Run, h.UserID, h.who(), c.CompanyID())
	}
	if err != nil {
		return fmt.Errorf("check the user of run %s with Procore: %w", h.Run, err)
	}
	email := procore.Printable(u.EmailAddress)
	same := func(a, b string) bool { return a != "" && strings.EqualFold(a, b) }
	if same(h.UserEmail, email) || same(h.UserLogin, email) {
		return nil
	}
	now := cmp.Or(email, "no email address")
	return fmt.Errorf("the journal of run %s names user %d as %s, but Procore says user %d is %s: "+
		"its header may have been edited (or the user's address changed); start a new run with --user", h.Run, h.UserID, h.who(), u.ID, now)
}

func (h JournalHeader) who() string { return cmp.Or(h.UserEmail, h.UserLogin) }

// Run is the journal's run ID.
func (j *Journal) Run() string { return j.header.Run }

// Header is the journal's header (complete once Run has started).
func (j *Journal) Header() JournalHeader {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.header
}

// intended reports whether the first run of this journal planned to add
// the project.
func (j *Journal) intended(id int64) bool {
	if j == nil {
		return false
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.toAdd == nil && len(j.header.ToAdd) > 0 {
		j.toAdd = make(map[int64]bool, len(j.header.ToAdd))
		for _, id := range j.header.ToAdd {
			j.toAdd[id] = true
		}
	}
	return j.toAdd[id]
}

// earlier is what previous runs confirmed for a project.
func (j *Journal) earlier(id int64) (ProjectResult, bool) {
	if j == nil {
		return ProjectResult{}, false
	}
	r, ok := j.prior[id]
	return r, ok
}

// start writes the header of a new run, or the resume mark of a resumed
// one after checking that the journal is for the same user and company.
func (j *Journal) start(req Request, toAdd []ProjectRef, companyID int64, now time.Time) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.started {
		return nil
	}
	var buf bytes.Buffer
	if j.resumed {
		if j.header.UserID != req.UserID || j.header.CompanyID != companyID {
			return fmt.Errorf("journal of run %s is for user %d in company %d, not user %d in company %d",
				j.header.Run, j.header.UserID, j.header.CompanyID, req.UserID, companyID)
		}
		// The newline ends a line torn by a kill (or leaves a blank line),
		// so that what follows stays readable; ReadJournal skips both.
		buf.WriteByte('\n')
		appendJSONLine(&buf, resumeLine{ResumedAt: now.UTC()})
	} else {
		if j.header.Run == "" {
			j.header.Run = NewRunID(now)
		}
		if j.header.UserID != 0 && j.header.UserID != req.UserID {
			return fmt.Errorf("journal of run %s: it names user %d, but the run is for user %d", j.header.Run, j.header.UserID, req.UserID)
		}
		j.header.UserID, j.header.Template, j.header.NewProjects = req.UserID, req.Template, req.NewProjects
		j.header.CompanyID, j.header.StartedAt = companyID, now.UTC()
		j.header.ToAdd = make([]int64, len(toAdd))
		for i, p := range toAdd {
			j.header.ToAdd[i] = p.ID
		}
		appendJSONLine(&buf, j.header)
	}
	if err := j.write(buf.Bytes()); err != nil {
		return err
	}
	j.started = true
	return nil
}

// record appends the lines of confirmed projects in one write and syncs.
func (j *Journal) record(rs []ProjectResult) error {
	if j == nil || len(rs) == 0 {
		return nil
	}
	var buf bytes.Buffer
	for _, r := range rs {
		appendJSONLine(&buf, journalLine{ProjectID: r.ID, Outcome: r.Outcome, Reason: r.Reason})
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.write(buf.Bytes())
}

// write is called with j.mu held.
func (j *Journal) write(b []byte) error {
	if _, err := j.w.Write(b); err != nil {
		return fmt.Errorf("write the journal of run %s: %w", j.header.Run, err)
	}
	if s, ok := j.w.(interface{ Sync() error }); ok {
		if err := s.Sync(); err != nil {
			return fmt.Errorf("sync the journal of run %s: %w", j.header.Run, err)
		}
	}
	return nil
}

func appendJSONLine(buf *bytes.Buffer, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Errorf("procore: encode a journal line: %w", err)) // plain structs: cannot happen
	}
	buf.Write(b)
	buf.WriteByte('\n')
}

// ReadJournal reads a journal. A line torn by a kill -9 mid-write (the last
// line, or one followed by a resumed run's mark) is skipped: the
// project it would have named is not confirmed, and a resumed run finds it
// from Procore's state. Later lines win, except that "added" is never
// replaced by "already" (a resumed run sees an earlier run's work as
// already there).
func ReadJournal(r io.Reader) (header JournalHeader, confirmed map[int64]ProjectResult, err error) {
	br := bufio.NewReader(r)
	type line struct {
		n    int
		text []byte
	}
	var lines []line
	for n := 1; ; n++ {
		text, err := br.ReadBytes('\n')
		if len(text) > 0 {
			lines = append(lines, line{n: n, text: bytes.TrimSpace(text)})
		}
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return header, nil, fmt.Errorf("read the journal: %w", err)
		}
	}
	// A kill can tear only the end of the file; a resumed run then ends the
	// torn line with its first newline and writes a resume mark after it.
	torn := func(i int) bool {
		if i == len(lines)-1 {
			return true
		}
		var m struct {
			ResumedAt *time.Time `json:"resumed_at"`
		}
		return json.Unmarshal(lines[i+1].text, &m) == nil && m.ResumedAt != nil
	}
	confirmed = map[int64]ProjectResult{}
	haveHeader := false
	for i, l := range lines {
		if len(l.text) == 0 {
			continue
		}
		if !haveHeader {
			if json.Unmarshal(l.text, &header) != nil || header.Run == "" || header.UserID == 0 {
				if torn(i) {
					break
				}
				return header, nil, fmt.Errorf("journal line %d: not a journal header", l.n)
			}
			haveHeader = true
			continue
		}
		var jl struct {
			ProjectID *int64  `json:"project_id"`
			Outcome   Outcome `json:"outcome"`
			Reason    string  `json:"reason"`
			ResumedAt *string `json:"resumed_at"`
		}
		if err := json.Unmarshal(l.text, &jl); err != nil || (jl.ProjectID == nil && jl.ResumedAt == nil) {
			if torn(i) {
				continue
			}
			return header, nil, fmt.Errorf("journal line %d: %s", l.n, describeBad(err))
		}
		if jl.ProjectID == nil {
			continue // a resume mark
		}
		switch jl.Outcome {
		case OutcomeAdded, OutcomeAlready, OutcomeFailed:
		default:
			return header, nil, fmt.Errorf("journal line %d: unknown outcome %q", l.n, jl.Outcome)
		}
		if old, ok := confirmed[*jl.ProjectID]; ok && old.Outcome == OutcomeAdded && jl.Outcome == OutcomeAlready {
			continue
		}
		confirmed[*jl.ProjectID] = ProjectResult{ProjectRef: ProjectRef{ID: *jl.ProjectID}, Outcome: jl.Outcome, Reason: jl.Reason}
	}
	if !haveHeader {
		return header, nil, errors.New("the journal has no complete header: the run confirmed nothing; start a new one")
	}
	return header, confirmed, nil
}

func describeBad(err error) string {
	if err != nil {
		return "unreadable: " + err.Error()
	}
	return "neither a project nor a resume mark"
}

// NewRunID names a run by its start time (UTC, to the second) and a random
// suffix, so that two runs in the same second do not share a journal.
func NewRunID(now time.Time) string {
	return now.UTC().Format("20060102T150405Z") + "-" + strconv.FormatUint(uint64(0x10000+rand.IntN(0x10000)), 16)[1:]
}
