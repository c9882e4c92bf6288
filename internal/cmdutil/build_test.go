package cmdutil

import (
	"runtime/debug"
	"testing"
)

// TestVersionFromBuildInfo checks that a binary built without the release
// ldflags (go install ...@latest, go build) still says what it is, from the
// build information the Go toolchain records.
func TestVersionFromBuildInfo(t *testing.T) {
	vcs := func(rev, at, modified string) []debug.BuildSetting {
		return []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: rev},
			{Key: "vcs.time", Value: at}, {Key: "vcs.modified", Value: modified}}
	}
	const rev = "0123456789abcdef0123456789abcdef01234567"
	tests := []struct {
		name    string
		info    *debug.BuildInfo
		ok      bool
		v, c, d string
		ldflags bool
	}{
		{"no build info", nil, false, "dev", "none", "unknown", false},
		{"go install @latest of a tag", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.2"}}, true,
			"v1.4.2", "none", "unknown", false},
		{"go install @latest of a pseudo-version", &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20250102150405-abcdef123456"}}, true,
			"v0.0.0-20250102150405-abcdef123456", "abcdef123456", "2025-01-02T15:04:05Z", false},
		{"a pseudo-version after a tag", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.3-0.20250102150405-abcdef123456"}}, true,
			"v1.4.3-0.20250102150405-abcdef123456", "abcdef123456", "2025-01-02T15:04:05Z", false},
		{"go build in a checkout", &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}, Settings: vcs(rev, "2025-03-04T05:06:07Z", "false")}, true,
			"dev", "0123456789ab", "2025-03-04T05:06:07Z", false},
		{"go build with local changes", &debug.BuildInfo{Main: debug.Module{Version: "v1.4.3-0.20250304050607-0123456789ab+dirty"}, Settings: vcs(rev, "2025-03-04T05:06:07Z", "true")}, true,
			"v1.4.3-0.20250304050607-0123456789ab+dirty", "0123456789ab-dirty", "2025-03-04T05:06:07Z", false},
		{"the release ldflags win", &debug.BuildInfo{Main: debug.Module{Version: "v9.9.9"}, Settings: vcs(rev, "2025-03-04T05:06:07Z", "false")}, true,
			"1.0.0", "abc1234", "2025-01-01T00:00:00Z", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			linked := BuildInfo{"dev", "none", "unknown"}
			if tt.ldflags {
				linked = BuildInfo{"1.0.0", "abc1234", "2025-01-01T00:00:00Z"}
			}
			b := ResolveBuild(linked, tt.info, tt.ok)
			if v, c, d := b.Version, b.Commit, b.Date; v != tt.v || c != tt.c || d != tt.d {
				t.Errorf("ResolveBuild = %q, %q, %q; want %q, %q, %q", v, c, d, tt.v, tt.c, tt.d)
			}
		})
	}

}
