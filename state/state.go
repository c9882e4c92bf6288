// Package state keeps what the program remembers between runs: a wizard in
// progress, add-all journals, the audit log and support transcripts. It never
// holds a secret. Directories are 0700 and files 0600, whatever the umask.
package state

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
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

// Store is a state directory.
type Store struct {
	Root string
}

// Open makes root (0700) if it is missing and returns a Store over it. An
// existing root must be a directory of the person's own, not a link; see
// prepareDir. Temporary files a killed process left behind are removed.
func Open(root string) (*Store, error) {
	if err := prepareDir(root); err != nil {
		return nil, err
	}
	sweepTemps(root)
	for _, sub := range []string{"runs", "sessions", "transcripts"} {
		if fi, err := os.Lstat(filepath.Join(root, sub)); err == nil && checkDirInfo(filepath.Join(root, sub), fi) == nil {
			sweepTemps(filepath.Join(root, sub))
		}
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

// WriteFile writes name under the store as a new file (ReplaceFile), 0600,
// making its directory 0700 first.
func (s *Store) WriteFile(name string, data []byte) error {
	path := s.Path(name)
	if err := prepareDir(filepath.Dir(path)); err != nil {
		return err
	}
	return ReplaceFile(path, data)
}

// OpenAppend opens name under the store for appending (O_APPEND, no link
// followed), creating it 0600; an existing file must be a regular file of
// the person's own, and is narrowed to 0600.
func (s *Store) OpenAppend(name string) (*os.File, error) {
	return s.openFile(name, os.O_WRONLY|os.O_APPEND|os.O_CREATE)
}

// OpenLock opens name under the store for reading and writing, creating it
// 0600, as OpenAppend does: for a lock file.
func (s *Store) OpenLock(name string) (*os.File, error) {
	return s.openFile(name, os.O_RDWR|os.O_CREATE)
}

func (s *Store) openFile(name string, flag int) (*os.File, error) {
	path := s.Path(name)
	if err := prepareDir(filepath.Dir(path)); err != nil {
		return nil, err
	}
	f, err := openChecked(path, flag)
	if err != nil {
		return nil, wrapUnless(err, "open %s", path)
	}
	if modesApply {
		if fi, err := f.Stat(); err != nil || fi.Mode().Perm() != FileMode {
			if err := f.Chmod(FileMode); err != nil {
				f.Close()
				return nil, fmt.Errorf("restrict %s: %w", path, err)
			}
		}
	}
	return f, nil
}

// OpenRead opens name under the store for reading: a regular file of the
// person's own, no link followed, no wait on a FIFO.
func (s *Store) OpenRead(name string) (*os.File, error) {
	path := s.Path(name)
	if fi, err := os.Lstat(filepath.Dir(path)); err == nil {
		if err := checkDirInfo(filepath.Dir(path), fi); err != nil {
			return nil, err
		}
	}
	f, err := openChecked(path, os.O_RDONLY)
	if err != nil {
		return nil, wrapUnless(err, "open %s", path)
	}
	return f, nil
}

// readFile reads name under the store as OpenRead opens it.
func (s *Store) readFile(name string) ([]byte, error) {
	f, err := s.OpenRead(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
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
	data, err := s.readFile(name)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, wrapUnless(err, "read session of %s", guideID)
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
