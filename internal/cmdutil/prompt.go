package cmdutil

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"strings"

	"golang.org/x/term"

	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// LineReader reads the person's answers from standard input.
type LineReader struct {
	R   *bufio.Reader
	ios *iostreams.IOStreams
}

// Lines reads answers from the streams' input.
func Lines(ios *iostreams.IOStreams) *LineReader {
	return &LineReader{R: bufio.NewReader(ios.In), ios: ios}
}

// Line is the next answer, trimmed.
func (l *LineReader) Line() (string, error) {
	s, err := l.R.ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && s != "") {
		return "", err
	}
	return strings.TrimSpace(s), nil
}

// Hidden reads a secret: without echo from a terminal, after prompt on
// stderr; else one line.
func (l *LineReader) Hidden(prompt string) (secret.Value, error) {
	if fd, ok := l.ios.StdinFd(); ok {
		fmt.Fprint(l.ios.ErrOut, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(l.ios.ErrOut)
		if err != nil {
			return secret.Value{}, err
		}
		return secret.New(strings.TrimSpace(string(b))), nil
	}
	s, err := l.Line()
	return secret.New(s), err
}
