// Package password is 'procore-sa password': check and generate against a
// guide's password policy.
package password

import (
	"bufio"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/steps"
)

// NewCmdPassword is 'procore-sa password' with check and generate.
func NewCmdPassword(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "password",
		Short: "Check or generate a password for an integration's user account",
		Long: `Check or generate a password against a guide's password policy.

Without --guide, Procore's documented default applies: at least 8 characters
with an upper-case letter, a lower-case letter, a digit and one of !@#$%^&*.`,
		Args: cmdutil.NoArgs,
	}
	cmd.AddCommand(NewCmdCheck(f, nil), NewCmdGenerate(f, nil))
	return cmd
}

// policyFor is the password policy of guide id, or Procore's default.
func policyFor(catalog func() (*steps.Catalog, error), id string) (steps.PasswordPolicy, error) {
	if id == "" {
		return steps.DefaultPolicy(), nil
	}
	cat, err := catalog()
	if err != nil {
		return steps.PasswordPolicy{}, err
	}
	g, ok := cat.Get(id)
	if !ok {
		return steps.PasswordPolicy{}, cmdutil.Usagef("unknown guide %q; see 'procore-sa guides'", id)
	}
	return g.Policy(), nil
}

// CheckOptions are what 'password check' reads and checks against.
type CheckOptions struct {
	IO      *iostreams.IOStreams
	Catalog func() (*steps.Catalog, error)
	Guide   string
}

// NewCmdCheck is 'procore-sa password check'.
func NewCmdCheck(f *cmdutil.Factory, runF func(*CheckOptions) error) *cobra.Command {
	opts := &CheckOptions{IO: f.IOStreams, Catalog: f.Catalog}
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Check a password read from standard input against every rule",
		Long: `Check a password read from standard input against every rule of a policy.

The password is read from standard input (without echo at a terminal), never
from a flag or an argument, and is not printed. Each rule is printed as met
or not met. Exit status 0 when every rule is met, 1 when one is not, 2 when
no password is given.`,
		Example: "  procore-sa password check --guide spectrum\n  printf '%s\\n' \"$PW\" | procore-sa password check",
		Args:    cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Check(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Guide, "guide", "", "check against this guide's policy (default: Procore's)")
	return cmd
}

// Check reads the password and prints each rule as met or not:
// ErrSilent when one is not.
func Check(opts *CheckOptions) error {
	p, err := policyFor(opts.Catalog, opts.Guide)
	if err != nil {
		return err
	}
	pw, err := readPassword(opts.IO, "Password to check: ")
	if errors.Is(err, errNoPassword) || (err == nil && pw == "") {
		return cmdutil.Usage(errors.New(`no password on standard input: give it one line, as in printf '%s\n' "$PW" | procore-sa password check`))
	}
	if err != nil {
		return err
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
	if _, err := io.WriteString(opts.IO.Out, b.String()); err != nil {
		return err
	}
	if !steps.AllMet(rs) {
		return cmdutil.ErrSilent
	}
	return nil
}

// errNoPassword is readPassword's error when standard input ends at once.
var errNoPassword = errors.New("read the password from standard input: nothing was given")

// readPassword reads one line from standard input: without echo, after a
// prompt on stderr, when standard input is a terminal.
func readPassword(ios *iostreams.IOStreams, prompt string) (string, error) {
	if fd, ok := ios.StdinFd(); ok {
		fmt.Fprint(ios.ErrOut, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(ios.ErrOut)
		if err != nil {
			return "", fmt.Errorf("read the password: %w", err)
		}
		return string(b), nil
	}
	line, err := bufio.NewReaderSize(ios.In, 1024).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", fmt.Errorf("read the password from standard input: %w", err)
	}
	if line == "" && errors.Is(err, io.EOF) {
		return "", errNoPassword
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// GenerateOptions are the policy and length 'password generate' makes.
type GenerateOptions struct {
	Out     io.Writer
	Catalog func() (*steps.Catalog, error)
	Guide   string
	Length  int
}

// NewCmdGenerate is 'procore-sa password generate'.
func NewCmdGenerate(f *cmdutil.Factory, runF func(*GenerateOptions) error) *cobra.Command {
	opts := &GenerateOptions{Out: f.IOStreams.Out, Catalog: f.Catalog}
	cmd := &cobra.Command{
		Use:   "generate",
		Short: "Print a random password that meets every rule",
		Long: fmt.Sprintf(`Print a random password (crypto/rand) that meets every rule of a policy.

--length 0 makes %d characters, or the policy's minimum when that is longer.`, steps.DefaultGenerateLength),
		Example: "  procore-sa password generate --guide spectrum --length 24",
		Args:    cmdutil.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			if runF != nil {
				return runF(opts)
			}
			return Generate(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Guide, "guide", "", "meet this guide's policy (default: Procore's)")
	cmd.Flags().IntVar(&opts.Length, "length", 0, "length of the password (0: the default)")
	return cmd
}

// Generate prints a password that meets the policy.
func Generate(opts *GenerateOptions) error {
	p, err := policyFor(opts.Catalog, opts.Guide)
	if err != nil {
		return err
	}
	if opts.Length < 0 || opts.Length > steps.MaxPasswordLength {
		return cmdutil.Usagef("--length %d: use 0 (the default) or up to %d", opts.Length, steps.MaxPasswordLength)
	}
	if opts.Length > 0 && opts.Length < p.MinLength {
		return cmdutil.Usagef("--length %d is shorter than the policy's minimum of %d", opts.Length, p.MinLength)
	}
	pw, err := p.Generate(rand.Reader, opts.Length)
	if err != nil {
		return fmt.Errorf("generate a password: %w", err)
	}
	_, err = fmt.Fprintln(opts.Out, pw)
	return err
}
