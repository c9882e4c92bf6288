package state

import (
	"errors"
	"fmt"
	"io/fs"
	"os"

	"golang.org/x/sys/windows"
)

// modesApply: on Windows access is an ACL's, which Unix mode bits do not
// describe (a directory always reports 0777); the person's profile
// directory already keeps others out, so modes are neither checked nor
// narrowed.
const modesApply = false

// openNoFollow opens path with FILE_FLAG_OPEN_REPARSE_POINT, which opens
// a link (or junction) itself rather than what it points at, and then
// refuses a reparse point: Windows' equivalent of O_NOFOLLOW.
func openNoFollow(path string, flag int, _ fs.FileMode) (*os.File, error) {
	name, err := windows.UTF16PtrFromString(path)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	var access uint32
	switch flag & (os.O_RDONLY | os.O_WRONLY | os.O_RDWR) {
	case os.O_RDONLY:
		access = windows.GENERIC_READ
	case os.O_WRONLY:
		access = windows.GENERIC_WRITE
	case os.O_RDWR:
		access = windows.GENERIC_READ | windows.GENERIC_WRITE
	}
	if flag&os.O_APPEND != 0 {
		// Append-only access: every write goes to the end.
		access &^= windows.GENERIC_WRITE
		access |= windows.FILE_APPEND_DATA
	}
	var create uint32
	switch {
	case flag&(os.O_CREATE|os.O_EXCL) == os.O_CREATE|os.O_EXCL:
		create = windows.CREATE_NEW
	case flag&(os.O_CREATE|os.O_TRUNC) == os.O_CREATE|os.O_TRUNC:
		create = windows.CREATE_ALWAYS
	case flag&os.O_CREATE != 0:
		create = windows.OPEN_ALWAYS
	case flag&os.O_TRUNC != 0:
		create = windows.TRUNCATE_EXISTING
	default:
		create = windows.OPEN_EXISTING
	}
	h, err := windows.CreateFile(name, access, windows.FILE_SHARE_READ|windows.FILE_SHARE_WRITE, nil, create,
		windows.FILE_ATTRIBUTE_NORMAL|windows.FILE_FLAG_OPEN_REPARSE_POINT, 0)
	if err != nil {
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	var info windows.ByHandleFileInformation
	if err := windows.GetFileInformationByHandle(h, &info); err != nil {
		windows.CloseHandle(h)
		return nil, &fs.PathError{Op: "open", Path: path, Err: err}
	}
	if info.FileAttributes&windows.FILE_ATTRIBUTE_REPARSE_POINT != 0 {
		windows.CloseHandle(h)
		return nil, &fs.PathError{Op: "open", Path: path, Err: errors.New("a link or junction, which is not followed")}
	}
	return os.NewFile(uintptr(h), path), nil
}

// ownerOf names the owner of path and says whether it is the person: the
// process's user, or the Administrators group when the process runs
// elevated (Windows gives that group what an elevated process creates).
func ownerOf(path string, _ fs.FileInfo) (string, bool) {
	sd, err := windows.GetNamedSecurityInfo(path, windows.SE_FILE_OBJECT, windows.OWNER_SECURITY_INFORMATION)
	if err != nil {
		return "an owner that could not be read", false
	}
	owner, _, err := sd.Owner()
	if err != nil || owner == nil {
		return "an owner that could not be read", false
	}
	name := accountName(owner)
	tok := windows.GetCurrentProcessToken()
	u, err := tok.GetTokenUser()
	if err != nil {
		return name, false
	}
	if owner.Equals(u.User.Sid) {
		return name, true
	}
	return name, owner.IsWellKnown(windows.WinBuiltinAdministratorsSid) && tok.IsElevated()
}

func accountName(sid *windows.SID) string {
	if acct, dom, _, err := sid.LookupAccount(""); err == nil {
		if dom != "" {
			return fmt.Sprintf("%s\\%s", dom, acct)
		}
		return acct
	}
	return sid.String()
}

func currentUser() string {
	u, err := windows.GetCurrentProcessToken().GetTokenUser()
	if err != nil {
		return "the current user"
	}
	return accountName(u.User.Sid)
}

// syncDir: Windows offers no way to flush a directory's entries.
func syncDir(string) {}
