package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// Everything here refuses, with the reason, what it cannot trust rather
// than repairing it: a link (which would send a write, a truncate or a
// chmod somewhere else), something that is not a plain file or directory,
// and anything that belongs to another user. Only the modes of what is the
// person's own are narrowed.

// staleTemp is the age past which a temporary file is taken to be left by
// a process killed mid-write: a write holds one for milliseconds.
const staleTemp = time.Minute

// tempPrefix starts the name of every temporary file of a whole-file write.
const tempPrefix = ".tmp-"

// UnsafeError is a path refused because it cannot be trusted; its text
// says what is wrong, where, and what to do.
type UnsafeError struct {
	Path string
	why  string
}

func (e *UnsafeError) Error() string { return e.why }

func unsafe(path, format string, args ...any) error {
	return &UnsafeError{Path: path, why: fmt.Sprintf(format, args...)}
}

// wrapUnless wraps err with what was being done, unless it is a refusal,
// which names the path and says it all.
func wrapUnless(err error, format string, args ...any) error {
	var ue *UnsafeError
	if errors.As(err, &ue) {
		return err
	}
	return fmt.Errorf(format+": %w", append(args, err)...)
}

func linkError(path string) error {
	to := ""
	if t, err := os.Readlink(path); err == nil {
		to = fmt.Sprintf(" (to %s)", t)
	}
	return unsafe(path, "%s is a symbolic link%s; procore-sa does not follow links where it keeps its files, "+
		"as one could send what it writes somewhere else: remove the link and run again", path, to)
}

func foreignError(path, owner string) error {
	return unsafe(path, "%s belongs to %s, not to you (%s), so another user could change what procore-sa reads there: "+
		"remove it (or, if it is yours, chown it to yourself) and run again, or set XDG_STATE_HOME to a directory of your own",
		path, owner, currentUser())
}

func irregularError(path string, m fs.FileMode, want string) error {
	return unsafe(path, "%s is not a %s but %s; procore-sa keeps only plain files and directories there: remove it and run again",
		path, want, kindOf(m))
}

func kindOf(m fs.FileMode) string {
	switch {
	case m&fs.ModeSymlink != 0:
		return "a symbolic link"
	case m.IsDir():
		return "a directory"
	case m&fs.ModeNamedPipe != 0:
		return "a named pipe (FIFO)"
	case m&fs.ModeSocket != 0:
		return "a socket"
	case m&fs.ModeDevice != 0:
		return "a device"
	case m.IsRegular():
		return "a regular file"
	}
	return "something else (a junction or another special file)"
}

// checkDirInfo accepts a real directory of the person's own.
func checkDirInfo(path string, fi fs.FileInfo) error {
	if fi.Mode()&fs.ModeSymlink != 0 {
		return linkError(path)
	}
	if !fi.IsDir() || fi.Mode()&fs.ModeIrregular != 0 {
		return irregularError(path, fi.Mode(), "directory")
	}
	if owner, mine := ownerOf(path, fi); !mine {
		return foreignError(path, owner)
	}
	return nil
}

// checkFileInfo accepts a regular file of the person's own.
func checkFileInfo(path string, fi fs.FileInfo) error {
	if fi.Mode()&fs.ModeSymlink != 0 {
		return linkError(path)
	}
	if !fi.Mode().IsRegular() {
		return irregularError(path, fi.Mode(), "regular file")
	}
	if owner, mine := ownerOf(path, fi); !mine {
		return foreignError(path, owner)
	}
	return nil
}

// prepareDir makes dir (0700) when it is missing; an existing one must be
// a directory of the person's own, and is narrowed to 0700. One that was
// open to others has its contents checked, as anyone could have put
// something there.
func prepareDir(dir string) error {
	fi, err := os.Lstat(dir)
	if errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(dir, DirMode); err != nil {
			return fmt.Errorf("make state directory %s: %w", dir, err)
		}
		fi, err = os.Lstat(dir)
	}
	if err != nil {
		return fmt.Errorf("state directory %s: %w", dir, err)
	}
	return narrowDir(dir, fi)
}

func narrowDir(dir string, fi fs.FileInfo) error {
	if err := checkDirInfo(dir, fi); err != nil {
		return err
	}
	if !modesApply || fi.Mode().Perm() == DirMode {
		return nil
	}
	// MkdirAll applies the umask to a new directory; an old one may be
	// anything. Either way the mode must end as 0700.
	if err := os.Chmod(dir, DirMode); err != nil {
		return fmt.Errorf("restrict state directory %s: %w", dir, err)
	}
	if fi.Mode().Perm()&^DirMode != 0 {
		return checkContents(dir)
	}
	return nil
}

// checkContents checks what is in a directory others could write to:
// every entry the person's own, not a link, and no file others could have
// changed; directories below are narrowed and checked the same way, files
// others could only read narrowed to 0600.
func checkContents(dir string) error {
	es, err := os.ReadDir(dir)
	if err != nil {
		return fmt.Errorf("check state directory %s: %w", dir, err)
	}
	for _, e := range es {
		path := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(path)
		if err != nil {
			return fmt.Errorf("check %s: %w", path, err)
		}
		if fi.IsDir() && fi.Mode()&fs.ModeSymlink == 0 {
			if err := narrowDir(path, fi); err != nil {
				return err
			}
			continue
		}
		if err := checkFileInfo(path, fi); err != nil {
			return err
		}
		if p := fi.Mode().Perm(); p&0o022 != 0 {
			return unsafe(path, "%s could have been changed by other users (mode %04o, in a directory that was open to them); "+
				"check it, then remove it, or narrow it with chmod 600 %s if you trust it, and run again", path, p, path)
		}
		if fi.Mode().Perm() != FileMode {
			if err := os.Chmod(path, FileMode); err != nil {
				return fmt.Errorf("restrict %s: %w", path, err)
			}
		}
	}
	return nil
}

// sweepTemps removes the temporary files a process killed mid-write left
// in dir: regular files of the person's own, older than staleTemp.
func sweepTemps(dir string) {
	es, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	for _, e := range es {
		if !strings.HasPrefix(e.Name(), tempPrefix) || !e.Type().IsRegular() {
			continue
		}
		path := filepath.Join(dir, e.Name())
		fi, err := os.Lstat(path)
		if err != nil || checkFileInfo(path, fi) != nil || time.Since(fi.ModTime()) < staleTemp {
			continue
		}
		_ = os.Remove(path)
	}
}

// openChecked opens path without following a link at its end and without
// blocking on a FIFO, and accepts only a regular file of the person's own.
func openChecked(path string, flag int) (*os.File, error) {
	f, err := openNoFollow(path, flag, FileMode)
	if err != nil {
		if fi, lerr := os.Lstat(path); lerr == nil {
			if err := checkFileInfo(path, fi); err != nil {
				return nil, err
			}
		}
		return nil, err
	}
	fi, err := f.Stat()
	if err == nil {
		err = checkFileInfo(path, fi)
	}
	if err != nil {
		f.Close()
		return nil, err
	}
	return f, nil
}

// ReplaceFile writes data to path as a new file: a temporary file in the
// same directory (0600, synced), then renamed over path. A reader never
// sees half a file, an existing file's mode and other links are left with
// the old file, and a link at path is refused rather than written through
// (a rename would replace the link itself, but a link where a file is
// expected is worth saying). A failed write leaves no temporary file.
func ReplaceFile(path string, data []byte) error {
	if fi, err := os.Lstat(path); err == nil {
		if fi.Mode()&fs.ModeSymlink != 0 {
			return linkError(path)
		}
		if !fi.Mode().IsRegular() {
			return irregularError(path, fi.Mode(), "regular file")
		}
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, tempPrefix+"*") // O_EXCL, 0600: never an existing file or link
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	fail := func(err error) error {
		f.Close()
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Chmod(FileMode); err != nil && modesApply {
		return fail(err)
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(err)
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("write %s: %w", path, err)
	}
	syncDir(dir) // the rename survives a crash
	return nil
}
