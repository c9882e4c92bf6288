package tui

import (
	"strings"
	"testing"
)

// TestNoticeShownInTheStatusLine: what the program must say while the full
// screen is up (an audit log that cannot be written) is drawn on it, one
// line, in the status line, whatever the phase; it is never written under
// the screen.
func TestNoticeShownInTheStatusLine(t *testing.T) {
	d := newDriver(t, fixtureOpts(t), 80, 24)
	d.send(NoticeMsg{Text: "could not write the audit log: disk full\nsecond line"})
	lines := strings.Split(d.text(), "\n")
	found := false
	for _, l := range lines {
		if strings.Contains(l, "could not write the audit log: disk full second line") {
			found = true
		}
	}
	if !found {
		t.Fatalf("the notice is not on one line of the screen:\n%s", d.text())
	}
}
