package addall

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"
)

// Two add-all runs for the same user in the same company must not overlap:
// each would plan the same projects and report every one "added", and a
// run resumed twice at once would do its work twice. A run holds an OS
// file lock (flock on Unix, LockFileEx on Windows) on a lock file of that
// user and company while it acts. The OS drops the lock when the process
// ends however it ends, so a lock whose holder is gone is simply taken;
// the file also names the run holding it, for the one refused to say.

// RunLockName is the name of the lock file (under runs/ in the state
// directory) of the add-all runs for a user in a company.
func RunLockName(companyID, userID int64) string {
	return fmt.Sprintf("company-%d-user-%d.lock", companyID, userID)
}

// LockHolder is the run holding a lock, as its lock file says.
type LockHolder struct {
	Run   string    `json:"run"`
	PID   int       `json:"pid"`
	Host  string    `json:"host,omitempty"`
	Since time.Time `json:"since"`
}

func (h LockHolder) String() string {
	s := fmt.Sprintf("run %s", h.Run)
	if h.PID > 0 {
		s += fmt.Sprintf(" (process %d", h.PID)
		if h.Host != "" {
			s += " on " + h.Host
		}
		s += ")"
	}
	if !h.Since.IsZero() {
		s += " since " + h.Since.UTC().Format("2006-01-02 15:04:05 MST")
	}
	return s
}

// LockedError is a lock another live process holds.
type LockedError struct {
	Holder LockHolder // zero when the holder has not yet written its name
}

func (e *LockedError) Error() string {
	if e.Holder.Run == "" {
		return "another add-all run holds the lock (it has not yet written which)"
	}
	return e.Holder.String() + " holds the lock"
}

// RunLock is a held lock.
type RunLock struct {
	f *os.File
	// Previous is the run whose name the lock file still held: it ended
	// without releasing the lock (killed, or its machine stopped), and
	// this run took the lock over.
	Previous *LockHolder
}

// LockRun takes the lock on f, the lock file opened for reading and
// writing, without waiting, and writes me into it. While another process
// holds it, the error is a *LockedError naming that run. LockRun owns f
// from then on: Release (or an error) closes it.
func LockRun(f *os.File, me LockHolder) (*RunLock, error) {
	ok, err := tryLock(f)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	if !ok {
		// The holder writes its name just after taking the lock: give it
		// a moment.
		var h LockHolder
		for range 10 {
			if h, ok = readHolder(f); ok {
				break
			}
			time.Sleep(20 * time.Millisecond)
		}
		f.Close()
		return nil, &LockedError{Holder: h}
	}
	l := &RunLock{f: f}
	if prev, ok := readHolder(f); ok {
		l.Previous = &prev
	}
	b, _ := json.Marshal(me)
	if err := writeHolder(f, append(b, '\n')); err != nil {
		l.Release()
		return nil, fmt.Errorf("lock %s: %w", f.Name(), err)
	}
	return l, nil
}

// Release empties the lock file (so that no one takes the run for one
// that stopped without releasing it), drops the lock and closes the file.
// The file stays: removing it would let a run that had opened it still
// lock the old file while another locks a new one.
func (l *RunLock) Release() error {
	if l == nil || l.f == nil {
		return nil
	}
	err := l.f.Truncate(0)
	err = errors.Join(err, unlock(l.f), l.f.Close())
	l.f = nil
	return err
}

func readHolder(f *os.File) (LockHolder, bool) {
	buf := make([]byte, 4096)
	n, _ := f.ReadAt(buf, 0)
	var h LockHolder
	if n == 0 || json.Unmarshal(buf[:n], &h) != nil || h.Run == "" {
		return LockHolder{}, false
	}
	return h, true
}

func writeHolder(f *os.File, b []byte) error {
	if err := f.Truncate(0); err != nil {
		return err
	}
	if _, err := f.WriteAt(b, 0); err != nil {
		return err
	}
	return f.Sync()
}
