package main

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
		if got := colorProfile(&bytes.Buffer{}, strings.Fields(tt.env)); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.env, got, tt.want)
		}
	}
}
