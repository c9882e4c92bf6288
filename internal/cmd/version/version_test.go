package version_test

import (
	"regexp"
	"testing"

	"github.com/procore-sa/procore-sa/internal/cmd/cmdtest"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// TestVersionCommand prints the version line.
func TestVersionCommand(t *testing.T) {
	out, errOut, code := cmdtest.Run(t, "", "version")
	if code != cmdutil.ExitOK || !regexp.MustCompile(`^procore-sa \S+ \(commit \S+, built \S+\)\n$`).MatchString(out) {
		t.Errorf("version: exit %d, %q %s", code, out, errOut)
	}
}
