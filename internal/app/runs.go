package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/procore-sa/procore-sa/internal/addall"
	"github.com/procore-sa/procore-sa/procore"
)

// LookupUser finds the user that who names, as Procore describes them:
// digits are an ID, anything else an email address looked up in the
// company directory.
func LookupUser(ctx context.Context, c *procore.Client, who string) (*procore.User, error) {
	who = strings.TrimSpace(who)
	if id, err := strconv.ParseInt(who, 10, 64); err == nil && id > 0 {
		u, err := c.User(ctx, id)
		if procore.StatusOf(err) == http.StatusNotFound {
			return nil, fmt.Errorf("no user with the ID %d in company %d", id, c.CompanyID())
		}
		if err != nil {
			return nil, fmt.Errorf("find user %d: %w", id, err)
		}
		return u, nil
	}
	for u, err := range c.Users(ctx, who) {
		if err != nil {
			return nil, err
		}
		if strings.EqualFold(u.EmailAddress, who) {
			return &u, nil
		}
	}
	return nil, fmt.Errorf("no active user with the email address %s in company %d", who, c.CompanyID())
}

// journalPath is where run's journal lives in the state directory.
func journalPath(run string) string { return "runs/" + run + ".jsonl" }

// CheckRunID refuses a run id that could name a file outside runs/.
func CheckRunID(run string) error {
	if run == "" || strings.ContainsAny(run, `/\`) || strings.HasPrefix(run, ".") {
		return fmt.Errorf("run %q: give the run id printed when it stopped", run)
	}
	return nil
}

// ReadRun reads the journal of a run that stopped.
func (a *App) ReadRun(run string) (addall.JournalHeader, map[int64]addall.ProjectResult, error) {
	if err := CheckRunID(run); err != nil {
		return addall.JournalHeader{}, nil, err
	}
	st, err := a.State()
	if err != nil {
		return addall.JournalHeader{}, nil, err
	}
	f, err := st.OpenRead(journalPath(run))
	if err != nil {
		return addall.JournalHeader{}, nil, fmt.Errorf("resume run %s: %w", run, err)
	}
	defer f.Close()
	h, conf, err := addall.ReadJournal(f)
	if err != nil {
		return h, nil, fmt.Errorf("resume run %s: %w", run, err)
	}
	return h, conf, nil
}

// LockRun takes the lock of the add-all runs for user in company for run,
// or says which run holds it. A lock its holder left behind (killed) is
// taken over, and said.
func (a *App) LockRun(company, user int64, run string) (*addall.RunLock, error) {
	st, err := a.State()
	if err != nil {
		return nil, err
	}
	f, err := st.OpenLock("runs/" + addall.RunLockName(company, user))
	if err != nil {
		return nil, err
	}
	host, _ := os.Hostname()
	l, err := addall.LockRun(f, addall.LockHolder{Run: run, PID: os.Getpid(), Host: host, Since: time.Now()})
	var held *addall.LockedError
	if errors.As(err, &held) {
		return nil, fmt.Errorf("another add-all for user %d in company %d is under way: %v. Nothing was changed: wait for it to end (or stop it), then try again",
			user, company, held)
	}
	if err != nil {
		return nil, err
	}
	if l.Previous != nil && l.Previous.Run != run {
		a.warn(fmt.Sprintf("%s stopped without releasing its lock on user %d; this run takes it over (resume that one later with --resume %s)",
			l.Previous, user, l.Previous.Run))
	}
	return l, nil
}

// OpenJournal opens run's journal for user in company: a new one, or, when
// the run stopped before (its journal is there), the same journal carried
// on; its header must name the same user and company.
func (a *App) OpenJournal(run string, user procore.User, company int64) (*addall.Journal, io.Closer, error) {
	if err := CheckRunID(run); err != nil {
		return nil, nil, err
	}
	st, err := a.State()
	if err != nil {
		return nil, nil, err
	}
	h, conf, err := a.ReadRun(run)
	resumed := err == nil
	switch {
	case resumed:
		if h.UserID != user.ID || h.CompanyID != company {
			return nil, nil, fmt.Errorf("run %s is for user %d in company %d, not user %d in company %d", run, h.UserID, h.CompanyID, user.ID, company)
		}
	case errors.Is(err, fs.ErrNotExist):
	default:
		return nil, nil, err
	}
	w, err := st.OpenAppend(journalPath(run))
	if err != nil {
		return nil, nil, err
	}
	if resumed {
		return addall.ResumeJournal(w, h, conf), w, nil
	}
	j := addall.NewJournal(w, run)
	j.SetUser(user)
	return j, w, nil
}
