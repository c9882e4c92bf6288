package root

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// TestExitCode is the one mapping from a command's error to the exit
// status, and what it prints.
func TestExitCode(t *testing.T) {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	bg := context.Background()
	failure := errors.New("the credential was refused")
	for _, tt := range []struct {
		name    string
		ctx     context.Context
		err     error
		started bool
		code    int
		says    string
	}{
		{"success", bg, nil, true, 0, ""},
		{"usage", bg, cmdutil.Usagef("--length %d: too long", 99), true, 2, "procore-sa: --length 99: too long\n"},
		{"usage, wrapped", bg, fmt.Errorf("login: %w", cmdutil.Usagef("bad")), true, 2, "procore-sa: login: bad\n"},
		{"the application layer's usage", bg, app.Usage(errors.New("no company ID: give --company ID")), true, 2, "procore-sa: no company ID: give --company ID\n"},
		{"failed, already said", bg, cmdutil.ErrSilent, true, 1, ""},
		{"cancelled, already said", cancelled, cmdutil.ErrCancel, true, 130, ""},
		{"a command's failure", bg, failure, true, 1, "procore-sa: the credential was refused\n"},
		{"a command's failure while interrupted", cancelled, failure, true, 1, "procore-sa: the credential was refused\n"},
		{"refused by the parser", bg, errors.New(`unknown command "x" for "procore-sa version"`), false, 2,
			"procore-sa: unknown command \"x\" for \"procore-sa version\"\nRun 'procore-sa --help' for usage.\n"},
		{"interrupted before a command ran", cancelled, context.Canceled, false, 130, "procore-sa: interrupted\n"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var stderr bytes.Buffer
			if code := ExitCode(tt.ctx, tt.err, tt.started, &stderr); code != tt.code || stderr.String() != tt.says {
				t.Errorf("exit %d, said %q; want %d, %q", code, stderr.String(), tt.code, tt.says)
			}
		})
	}
}

// TestExecuteMapsTheCommandsErrors runs real command lines through Execute:
// a parser refusal, a usage error of a command, and a failure.
func TestExecuteMapsTheCommandsErrors(t *testing.T) {
	guidesEnv(t)
	for _, tt := range []struct {
		args []string
		code int
	}{
		{[]string{"version", "extra"}, 2},
		{[]string{"guides", "show"}, 2},
		{[]string{"--env", "nowhere", "guides"}, 2},
		{[]string{"guides", "validate", "/nonexistent.yaml"}, 1},
		{[]string{"version"}, 0},
	} {
		if _, errOut, code := runWithInput(t, "", tt.args...); code != tt.code {
			t.Errorf("%v: exit %d, want %d (%s)", tt.args, code, tt.code, errOut)
		}
	}
}
