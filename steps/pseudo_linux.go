package steps

import (
	"os"
	"syscall"
)

// pseudoFile reports whether f is on one of the kernel's own file systems
// (proc, sys and their like), whose files report a size that says nothing
// of what they hold and hold what is not a guide's to show.
func pseudoFile(f *os.File) bool {
	rc, err := f.SyscallConn()
	if err != nil {
		return false
	}
	var st syscall.Statfs_t
	var serr error
	if err := rc.Control(func(fd uintptr) { serr = syscall.Fstatfs(int(fd), &st) }); err != nil || serr != nil {
		return false
	}
	switch uint32(st.Type) {
	case 0x9fa0, // proc
		0x62656572, // sysfs
		0x64626720, // debugfs
		0x73636673, // securityfs
		0x74726163, // tracefs
		0x62656570, // configfs
		0xcafe4a11, // bpf
		0xde5e81e4, // efivarfs
		0x27e0eb,   // cgroup
		0x63677270: // cgroup2
		return true
	}
	return false
}
