package iostreams

import (
	"bytes"
	"strings"
	"testing"

	"github.com/charmbracelet/colorprofile"
)

// TestColorProfile: the colour switches in every combination, on a
// terminal (TTY_FORCE makes the buffer one for the detection) and off one.
func TestColorProfile(t *testing.T) {
	const tty = "TTY_FORCE=1 TERM=xterm-256color"
	for _, tt := range []struct {
		env  string
		want colorprofile.Profile
	}{
		{tty, colorprofile.ANSI256},
		{tty + " NO_COLOR=1", colorprofile.ASCII},
		{tty + " NO_COLOR=yes", colorprofile.ASCII}, // any value but empty
		{tty + " NO_COLOR=", colorprofile.ANSI256},
		{tty + " CLICOLOR=0", colorprofile.ASCII},
		{tty + " CLICOLOR=1", colorprofile.ANSI256},
		{tty + " CLICOLOR=0 CLICOLOR_FORCE=1", colorprofile.ANSI256},
		{tty + " CLICOLOR=0 CLICOLOR_FORCE=0", colorprofile.ASCII},
		{tty + " NO_COLOR=1 CLICOLOR_FORCE=1", colorprofile.ASCII},
		{tty + " COLORTERM=truecolor", colorprofile.TrueColor},
		{tty + " COLORTERM=truecolor NO_COLOR=x", colorprofile.ASCII},
		{tty + " CLICOLOR=1 CLICOLOR=0", colorprofile.ASCII}, // the last one wins
		{"TERM=xterm-256color", colorprofile.NoTTY},
		{"TERM=xterm-256color CLICOLOR_FORCE=1", colorprofile.ANSI256},
		{"TERM=xterm-256color CLICOLOR_FORCE=yes", colorprofile.ANSI},
		{"TERM=xterm-256color CLICOLOR_FORCE=1 NO_COLOR=1", colorprofile.ASCII},
		{"TERM=xterm-256color NO_COLOR=1", colorprofile.NoTTY},
		{"TTY_FORCE=1 TERM=dumb", colorprofile.NoTTY},
		{"TTY_FORCE=1 TERM=dumb CLICOLOR=0", colorprofile.NoTTY},
	} {
		if got := Profile(&bytes.Buffer{}, strings.Fields(tt.env)); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.env, got, tt.want)
		}
	}
}

// TestTestStreams: the test streams read what is written to in, collect
// what is written, and are not a terminal.
func TestTestStreams(t *testing.T) {
	ios, in, out, errOut := Test()
	in.WriteString("answer\n")
	b := make([]byte, 7)
	if n, _ := ios.In.Read(b); string(b[:n]) != "answer\n" {
		t.Errorf("read %q", b[:n])
	}
	ios.Out.Write([]byte("o"))
	ios.ErrOut.Write([]byte("e"))
	if out.String() != "o" || errOut.String() != "e" {
		t.Errorf("out %q, err %q", out, errOut)
	}
	if ios.IsStdinTTY() || ios.IsStdoutTTY() || ios.ColorEnabled() {
		t.Error("buffers taken for a terminal")
	}
	if _, _, ok := ios.TerminalSize(); ok {
		t.Error("a buffer has a size")
	}
}
