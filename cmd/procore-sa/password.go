package main

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/procore-sa/procore-sa/steps"
)

func newPasswordCmd(a *cli) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "password",
		Short: "Check or generate a password for an integration's user account",
		Long: `Check or generate a password against a guide's password policy.

Without --guide, Procore's documented default applies: at least 8 characters
with an upper-case letter, a lower-case letter, a digit and one of !@#$%^&*.`,
		Args: noArgs,
	}
	cmd.AddCommand(newPasswordCheckCmd(a), newPasswordGenerateCmd(a))
	return cmd
}

// policyFor is the password policy of guide id, or Procore's default.
func (a *cli) policyFor(id string) (steps.PasswordPolicy, error) {
	if id == "" {
		return steps.DefaultPolicy(), nil
	}
	cat, err := a.catalog()
	if err != nil {
		return steps.PasswordPolicy{}, failed(err)
	}
	g, ok := cat.Get(id)
	if !ok {
		return steps.PasswordPolicy{}, usage(fmt.Errorf("unknown guide %q; see 'procore-sa guides'", id))
	}
	return g.Policy(), nil
}

func newPasswordCheckCmd(a *cli) *cobra.Command {
	var guide string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check a password read from standard input against every rule",
		Long: `Check a password read from standard input against every rule of a policy.

The password is read from standard input (without echo at a terminal), never
from a flag or an argument, and is not printed. Each rule is printed as met
or not met. Exit status 0 when every rule is met, 1 when one is not, 2 when
no password is given.`,
		Example: "  procore-sa password check --guide spectrum\n  printf '%s\\n' \"$PW\" | procore-sa password check",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := a.policyFor(guide)
			if err != nil {
				return err
			}
			pw, err := a.readPassword("Password to check: ")
			if errors.Is(err, errNoPassword) || (err == nil && pw == "") {
				return usage(errors.New(`no password on standard input: give it one line, as in printf '%s\n' "$PW" | procore-sa password check`))
			}
			if err != nil {
				return failed(err)
			}
			rs := p.Check(pw)
			var b strings.Builder
			for _, r := range rs {
				mark := "met    "
				if !r.Met {
					mark = "NOT met"
				}
				fmt.Fprintf(&b, "%s  %s\n", mark, r.Text)
			}
			if _, err := io.WriteString(a.stdout, b.String()); err != nil {
				return failed(err)
			}
			if !steps.AllMet(rs) {
				return &exitError{code: exitFailed}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&guide, "guide", "", "check against this guide's policy (default: Procore's)")
	return cmd
}

// errNoPassword is readPassword's error when standard input ends at once.
var errNoPassword = errors.New("read the password from standard input: nothing was given")

// readPassword reads one line from standard input: without echo, after a
// prompt on stderr, when standard input is a terminal.
func (a *cli) readPassword(prompt string) (string, error) {
	if f, ok := a.stdin.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		fmt.Fprint(a.stderr, prompt)
		b, err := term.ReadPassword(int(f.Fd()))
		fmt.Fprintln(a.stderr)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReaderSize(a.stdin, 1024).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	if line == "" && errors.Is(err, io.EOF) {
		return "", errNoPassword
	}
	return strings.TrimRight(line, "\r\n"), nil
}

func newPasswordGenerateCmd(a *cli) *cobra.Command {
	var (
		guide  string
		length int
	)
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Print a random password that meets every rule",
		Long: fmt.Sprintf(`Print a random password (crypto/rand) that meets every rule of a policy.

--length 0 makes %d characters, or the policy's minimum when that is longer.`, steps.DefaultGenerateLength),
		Example: "  procore-sa password generate --guide spectrum --length 24",
		Args:    noArgs,
		RunE: func(*cobra.Command, []string) error {
			p, err := a.policyFor(guide)
			if err != nil {
				return err
			}
			if length < 0 || length > steps.MaxPasswordLength {
				return usage(fmt.Errorf("--length %d: use 0 (the default) or up to %d", length, steps.MaxPasswordLength))
			}
			if length > 0 && length < p.MinLength {
				return usage(fmt.Errorf("--length %d is shorter than the policy's minimum of %d", length, p.MinLength))
			}
			pw, err := p.Generate(rand.Reader, length)
			if err != nil {
				return failed(fmt.Errorf("generate a password: %w", err))
			}
			if _, err := fmt.Fprintln(a.stdout, pw); err != nil {
				return failed(err)
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&guide, "guide", "", "meet this guide's policy (default: Procore's)")
	cmd.Flags().IntVar(&length, "length", 0, "length of the password (0: the default)")
	return cmd
}
