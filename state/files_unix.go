//go:build unix

package state

import (
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"strconv"
	"syscall"

	"golang.org/x/sys/unix"
)

// modesApply: Unix permission bits are what keeps others out.
const modesApply = true

// openNoFollow opens path with O_NOFOLLOW (a link at its end fails rather
// than being followed) and O_NONBLOCK (a FIFO there does not wait for a
// writer; on a regular file it changes nothing).
func openNoFollow(path string, flag int, perm fs.FileMode) (*os.File, error) {
	return os.OpenFile(path, flag|unix.O_NOFOLLOW|unix.O_NONBLOCK, perm)
}

// ownerOf names the owner of what fi describes and says whether it is the
// process's effective user.
func ownerOf(_ string, fi fs.FileInfo) (string, bool) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return "an unknown user", false
	}
	return userName(int(st.Uid)), int(st.Uid) == os.Geteuid()
}

func userName(uid int) string {
	if u, err := user.LookupId(strconv.Itoa(uid)); err == nil && u.Username != "" {
		return fmt.Sprintf("user %s (uid %d)", u.Username, uid)
	}
	return fmt.Sprintf("uid %d", uid)
}

func currentUser() string { return userName(os.Geteuid()) }

// syncDir flushes a directory's entries, so that a rename into it
// survives a crash.
func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil {
		_ = d.Sync()
		d.Close()
	}
}
