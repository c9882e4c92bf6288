// Package state keeps what the program remembers between runs: a wizard in
// progress, add-all journals, the audit log and support transcripts. It never
// holds a secret. Directories are 0700 and files 0600, whatever the umask.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/procore-sa/procore-sa/steps"
)

// The modes of everything this package creates.
const (
	DirMode  fs.FileMode = 0o700
	FileMode fs.FileMode = 0o600
)

// Dir is the state directory: $XDG_STATE_HOME/procore-sa when that is an
// absolute path (the XDG spec says to ignore a relative one), else
// ~/.local/state/procore-sa.
func Dir() (string, error) {
	if x := os.Getenv("XDG_STATE_HOME"); filepath.IsAbs(x) {
		return filepath.Join(x, "procore-sa"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("find the home directory: %w", err)
	}
	return filepath.Join(home, ".local", "state", "procore-sa"), nil
}

// Store is a state directory.
type Store struct {
	Root string
}

// Open makes root (0700) if it is missing and returns a Store over it.
func Open(root string) (*Store, error) {
	if err := mkdir(root); err != nil {
		return nil, err
	}
	return &Store{Root: root}, nil
}

// Sub is a store in a directory of its own under s, such as the demo's.
func (s *Store) Sub(name string) (*Store, error) {
	if !safeName.MatchString(name) {
		return nil, fmt.Errorf("state directory name %q: use letters, digits, '-' and '_'", name)
	}
	return Open(filepath.Join(s.Root, name))
}

// Path is the path of name (slash-separated) under the store.
func (s *Store) Path(name string) string { return filepath.Join(s.Root, filepath.FromSlash(name)) }

func mkdir(dir string) error {
	if err := os.MkdirAll(dir, DirMode); err != nil {
		return fmt.Errorf("make state directory %s: %w", dir, err)
	}
	// MkdirAll leaves an existing directory as it was and applies the umask to
	// a new one; either way the mode must end as 0700.
	if err := os.Chmod(dir, DirMode); err != nil {
		return fmt.Errorf("restrict state directory %s: %w", dir, err)
	}
	return nil
}

// WriteFile writes name under the store atomically (a temporary file, then a
// rename), 0600, making its directory 0700 first.
func (s *Store) WriteFile(name string, data []byte) error {
	path := s.Path(name)
	if err := mkdir(filepath.Dir(path)); err != nil {
		return err
	}
	f, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // a no-op once renamed
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// OpenAppend opens name under the store for appending, creating it 0600.
func (s *Store) OpenAppend(name string) (*os.File, error) {
	path := s.Path(name)
	if err := mkdir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, FileMode)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := f.Chmod(FileMode); err != nil {
		f.Close()
		return nil, fmt.Errorf("restrict %s: %w", path, err)
	}
	return f, nil
}

var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`)

func sessionName(guideID string) (string, error) {
	if !safeName.MatchString(guideID) {
		return "", fmt.Errorf("guide id %q cannot name a session file", guideID)
	}
	return "sessions/" + guideID + ".json", nil
}

// SaveSession keeps a walk in progress so that it can be resumed.
func (s *Store) SaveSession(sess *steps.Session) error {
	name, err := sessionName(sess.GuideID)
	if err != nil {
		return err
	}
	data, err := json.MarshalIndent(sess, "", "  ")
	if err != nil {
		return fmt.Errorf("save session of %s: %w", sess.GuideID, err)
	}
	return s.WriteFile(name, append(data, '\n'))
}

// LoadSession reads the walk in progress through a guide; nil, nil when
// there is none.
func (s *Store) LoadSession(guideID string) (*steps.Session, error) {
	name, err := sessionName(guideID)
	if err != nil {
		return nil, err
	}
	data, err := os.ReadFile(s.Path(name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read session of %s: %w", guideID, err)
	}
	var sess steps.Session
	if err := json.Unmarshal(data, &sess); err != nil {
		return nil, fmt.Errorf("read session of %s from %s: %w", guideID, s.Path(name), err)
	}
	if sess.Version != steps.SessionVersion || sess.GuideID != guideID {
		return nil, fmt.Errorf("read session of %s from %s: not a version %d session of this guide",
			guideID, s.Path(name), steps.SessionVersion)
	}
	return &sess, nil
}

// DeleteSession forgets the walk in progress through a guide.
func (s *Store) DeleteSession(guideID string) error {
	name, err := sessionName(guideID)
	if err != nil {
		return err
	}
	if err := os.Remove(s.Path(name)); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("delete session of %s: %w", guideID, err)
	}
	return nil
}

// WriteTranscript writes the support transcript of a finished walk and
// returns its path.
func (s *Store) WriteTranscript(g *steps.Guide, sess *steps.Session, now time.Time) (string, error) {
	if !safeName.MatchString(g.ID) {
		return "", fmt.Errorf("guide id %q cannot name a transcript", g.ID)
	}
	name := "transcripts/" + g.ID + "-" + now.UTC().Format("20060102T150405Z") + ".md"
	if err := s.WriteFile(name, steps.Transcript(g, sess)); err != nil {
		return "", fmt.Errorf("write transcript: %w", err)
	}
	return s.Path(name), nil
}
