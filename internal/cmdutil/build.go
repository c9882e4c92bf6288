package cmdutil

import (
	"regexp"
	"runtime/debug"
	"time"
)

// pseudoRE matches the end of a Go pseudo-version, such as
// v0.0.0-20250102150405-abcdef123456: the commit's time (UTC) and revision.
var pseudoRE = regexp.MustCompile(`(?:^v\d+\.\d+\.\d+-|[-.]0\.)(\d{14})-([0-9a-f]{12})(?:\+.*)?$`)

// ResolveBuild is the version, commit and build date to print: those the
// linker set (linked: "dev", "none" and "unknown" when it set none), each
// else what the Go toolchain recorded in the binary: the module version (go
// install ...@version), the commit and its time (a build in a git checkout,
// or a pseudo-version such as v0.0.0-DATE-COMMIT).
func ResolveBuild(linked BuildInfo, info *debug.BuildInfo, ok bool) BuildInfo {
	v, c, d := linked.Version, linked.Commit, linked.Date
	if !ok || info == nil {
		return BuildInfo{v, c, d}
	}
	mod := info.Main.Version
	if v == "dev" && mod != "" && mod != "(devel)" {
		v = mod
	}
	var rev, at string
	modified := false
	for _, s := range info.Settings {
		switch s.Key {
		case "vcs.revision":
			rev = s.Value
		case "vcs.time":
			at = s.Value
		case "vcs.modified":
			modified = s.Value == "true"
		}
	}
	if rev == "" || at == "" {
		if m := pseudoRE.FindStringSubmatch(mod); m != nil {
			if t, err := time.Parse("20060102150405", m[1]); err == nil && at == "" {
				at = t.UTC().Format(time.RFC3339)
			}
			if rev == "" {
				rev = m[2]
			}
		}
	}
	if c == "none" && rev != "" {
		c = rev[:min(len(rev), 12)]
		if modified {
			c += "-dirty"
		}
	}
	if d == "unknown" && at != "" {
		d = at
	}
	return BuildInfo{v, c, d}
}
