// Package iostreams holds the streams a command reads and writes, and what
// it may ask of them: whether each is a terminal, its size, its colours.
// A command gets them from its factory and never reaches for os.Stdin or
// os.Stdout itself, so a test runs it on buffers.
package iostreams

import (
	"bytes"
	"io"
	"os"
	"strings"

	"github.com/charmbracelet/colorprofile"
	"golang.org/x/term"
)

// IOStreams are a command's standard input, output and error.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	// Environ is the process environment the colour rules read
	// (os.Environ when nil).
	Environ func() []string
}

// System is the process's own streams.
func System() *IOStreams {
	return &IOStreams{In: os.Stdin, Out: os.Stdout, ErrOut: os.Stderr, Environ: os.Environ}
}

// New is streams over the given reader and writers.
func New(in io.Reader, out, errOut io.Writer) *IOStreams {
	return &IOStreams{In: in, Out: out, ErrOut: errOut, Environ: os.Environ}
}

// Test is streams over buffers: what a test writes to in is read, and out
// and errOut collect what is written. None is a terminal.
func Test() (ios *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, Environ: func() []string { return nil }}, in, out, errOut
}

// fd is the descriptor of s when it is a terminal.
func fd(s any) (int, bool) {
	f, ok := s.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// IsStdinTTY reports whether the person answers at a terminal.
func (s *IOStreams) IsStdinTTY() bool { _, ok := fd(s.In); return ok }

// IsStdoutTTY reports whether standard output is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { _, ok := fd(s.Out); return ok }

// StdinFd is standard input's descriptor when it is a terminal.
func (s *IOStreams) StdinFd() (int, bool) { return fd(s.In) }

// TerminalSize is standard output's size when it is a terminal.
func (s *IOStreams) TerminalSize() (width, height int, ok bool) {
	f, isTTY := fd(s.Out)
	if !isTTY {
		return 0, 0, false
	}
	w, h, err := term.GetSize(f)
	return w, h, err == nil
}

func (s *IOStreams) environ() []string {
	if s.Environ == nil {
		return os.Environ()
	}
	return s.Environ()
}

// ColorProfile is standard output's colour profile: see Profile.
func (s *IOStreams) ColorProfile() colorprofile.Profile { return Profile(s.Out, s.environ()) }

// ColorEnabled reports whether standard output takes colour.
func (s *IOStreams) ColorEnabled() bool { return s.ColorProfile() > colorprofile.ASCII }

// Profile is the colour profile of w under environ. Detect reads the
// output and TERM, COLORTERM and the colour switches when they are 1 or
// true; the rules below add the switches' other values: NO_COLOR set to
// anything but empty means no colour, even over CLICOLOR_FORCE; a
// CLICOLOR_FORCE of anything but empty or 0 means colour; CLICOLOR=0 means
// none. No colour keeps bold and the like (ASCII), as NO_COLOR asks.
func Profile(w io.Writer, environ []string) colorprofile.Profile {
	return Adjust(colorprofile.Detect(w, environ), environ)
}

// Adjust is Profile's rules for the colour switches applied to p, a
// profile already detected (so that it is not detected twice: inside tmux
// that runs tmux info each time).
func Adjust(p colorprofile.Profile, environ []string) colorprofile.Profile {
	get := func(name string) string {
		v := ""
		for _, kv := range environ { // the last one wins, as in a process's environment
			if k, val, ok := strings.Cut(kv, "="); ok && k == name {
				v = val
			}
		}
		return v
	}
	force := get("CLICOLOR_FORCE")
	switch {
	case get("NO_COLOR") != "":
		p = min(p, colorprofile.ASCII)
	case force != "" && force != "0":
		p = max(p, colorprofile.ANSI)
	case get("CLICOLOR") == "0":
		p = min(p, colorprofile.ASCII)
	}
	return p
}
