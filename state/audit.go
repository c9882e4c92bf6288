package state

import (
	"encoding/json"
	"fmt"
	"os"
	"os/user"
	"time"
)

// AuditEntry is one line of audit.jsonl: who did what to which credential,
// and when. It is the accountability that a shared robot account loses, so
// it names the person at the keyboard; it never holds a secret.
type AuditEntry struct {
	Time    time.Time `json:"time"`
	User    string    `json:"user"`   // the OS user
	Action  string    `json:"action"` // save, read, export, delete, login, refresh
	Profile string    `json:"profile"`
	Detail  string    `json:"detail,omitempty"` // e.g. the export file's path, the guide
}

// osUser names the person running the program.
func osUser() string {
	if u, err := user.Current(); err == nil && u.Username != "" {
		return u.Username
	}
	if n := os.Getenv("USER"); n != "" {
		return n
	}
	return fmt.Sprintf("uid %d", os.Getuid())
}

// Audit appends an entry to audit.jsonl (0600). Time and User are filled in
// when empty.
func (s *Store) Audit(e AuditEntry) error {
	if e.Time.IsZero() {
		e.Time = time.Now()
	}
	e.Time = e.Time.UTC()
	if e.User == "" {
		e.User = osUser()
	}
	line, err := json.Marshal(e)
	if err != nil {
		return fmt.Errorf("could not write the audit log: %w", err)
	}
	f, err := s.OpenAppend("audit.jsonl")
	if err != nil {
		return fmt.Errorf("could not write the audit log: %w", err)
	}
	// One write of a whole line: concurrent writers with O_APPEND do not
	// interleave within it.
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("could not write the audit log: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("could not write the audit log: %w", err)
	}
	return nil
}
