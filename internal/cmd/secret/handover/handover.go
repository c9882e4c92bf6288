// Package handover is 'procore-sa secret handover PROFILE --to KEY...':
// the credential encrypted to the vendor's own public key.
package handover

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	sealed "github.com/procore-sa/procore-sa/internal/handover"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

// Options are the profile to hand over, to whom, and where.
type Options struct {
	IO      *iostreams.IOStreams
	App     func() *app.App
	Profile string
	To      []string
	ToFile  string
	Out     string
	Armor   bool
}

// NewCmdHandover is 'procore-sa secret handover PROFILE --to KEY...'.
func NewCmdHandover(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, App: f.App}
	cmd := &cobra.Command{
		Use:   "handover PROFILE --to KEY... [--to-file FILE] [--out FILE] [--armor]",
		Short: "Encrypt a profile's credential to the vendor's age or SSH public key",
		Long: `Write a profile's credential to a file encrypted to the vendor's own public
key, for them to decrypt with the age tool: the end-to-end replacement for
pasting a secret into a one-time-secret site, a chat or an email.

A key is an age public key (age1...), or an SSH public key line (ssh-ed25519
AAAA... or ssh-rsa AAAA... of at least 2048 bits, with its comment); --to may
be given more than once, and --to-file reads a file of keys, one a line, with
# comments and blank lines. A malformed key is refused with the reason. Each
key's fingerprint is printed (for an SSH key what 'ssh-keygen -l -f KEY.pub'
prints): compare it with the vendor over another channel.

Handing a production credential to a key this profile was never handed to
warns first and, at a terminal, asks you to type yes.

The file (--out, else one in your home directory named for the profile and
the time) is created 0600 and never replaces an existing one; --armor writes
ASCII armor, to paste into a ticket. Inside is a .env block the vendor reads
without procore-sa (see the README): PROCORE_CLIENT_ID, PROCORE_CLIENT_SECRET,
PROCORE_COMPANY_ID, PROCORE_ENVIRONMENT, PROCORE_API_URL, PROCORE_LOGIN_URL and
PROCORE_CREATED_AT. Nothing secret is printed; the audit log names the
profile, the keys' fingerprints and the file.`,
		Example: `  procore-sa secret handover laborchart --to age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p
  procore-sa secret handover laborchart --to "$(cat vendor_ed25519.pub)" --armor
  procore-sa secret handover laborchart --to-file vendor-keys.txt --out laborchart.age
  # the vendor, without procore-sa:
  age -d -i ~/.ssh/id_ed25519 laborchart.age`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usage(errors.New("secret handover takes one profile name; see 'procore-sa secret list'"))
			}
			if len(opts.To) == 0 && opts.ToFile == "" {
				return cmdutil.Usage(errors.New("give the vendor's public key with --to KEY (age1..., ssh-ed25519 ..., ssh-rsa ...), or a file of keys with --to-file FILE"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Profile = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.To, "to", nil, "the vendor's public key: age1..., or an SSH public key line (repeatable)")
	cmd.Flags().StringVar(&opts.ToFile, "to-file", "", "a file of public keys, one a line (# comments)")
	cmd.Flags().StringVar(&opts.Out, "out", "", "the file to write (default: in your home directory)")
	cmd.Flags().BoolVar(&opts.Armor, "armor", false, "write ASCII armor, to paste into a ticket or an email")
	// A key is text, not a file; the keys file and the output are files.
	_ = cmd.RegisterFlagCompletionFunc("to", cobra.NoFileCompletions)
	_ = cmd.RegisterFlagCompletionFunc("to-file", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveDefault
	})
	_ = cmd.RegisterFlagCompletionFunc("out", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return []cobra.Completion{"age", "txt"}, cobra.ShellCompDirectiveFilterFileExt
	})
	return cmd
}

// Recipients reads the keys of --to and --to-file.
func Recipients(to []string, toFile string) ([]sealed.Recipient, error) {
	var rs []sealed.Recipient
	seen := map[string]bool{}
	add := func(r sealed.Recipient) {
		if !seen[r.Fingerprint] {
			seen[r.Fingerprint] = true
			rs = append(rs, r)
		}
	}
	for i, s := range to {
		r, err := sealed.ParseRecipient(s)
		if err != nil {
			// The key itself is not repeated: it may be a private key
			// pasted in the wrong place.
			return nil, cmdutil.Usage(fmt.Errorf("--to (key %d): %w", i+1, err))
		}
		add(r)
	}
	if toFile != "" {
		f, err := os.Open(toFile)
		if err != nil {
			return nil, cmdutil.Usage(fmt.Errorf("--to-file: %w", err))
		}
		defer f.Close()
		got, err := sealed.ParseRecipients(f)
		if err != nil {
			return nil, cmdutil.Usage(fmt.Errorf("--to-file %s: %w", toFile, err))
		}
		for _, r := range got {
			add(r)
		}
	}
	return rs, nil
}

// Run reads the keys, warns (and at a terminal asks) about a new key for
// a production credential, and writes the file.
func Run(ctx context.Context, opts *Options) error {
	recips, err := Recipients(opts.To, opts.ToFile)
	if err != nil {
		return err
	}
	core := opts.App()
	defer core.Close()
	plan, err := core.PlanHandover(ctx, opts.Profile, recips, opts.Out, opts.Armor)
	if err != nil {
		return err
	}
	errOut := opts.IO.ErrOut
	for _, r := range plan.Recipients {
		fmt.Fprintf(errOut, "to  %s\n", r.Describe())
	}
	if plan.NeedsConfirm() {
		fmt.Fprintf(errOut, "procore-sa: warning: %s\n", plan.Warning())
		if opts.IO.IsStdinTTY() {
			fmt.Fprint(errOut, "Type yes to hand it over to these keys: ")
			ans, err := cmdutil.Lines(opts.IO).Line()
			if err != nil || !strings.EqualFold(strings.TrimSpace(ans), "yes") {
				return errors.New("nothing was written: the handover was not confirmed")
			}
		}
	}
	res, err := core.WriteHandover(ctx, plan, opts.Armor)
	if err != nil {
		return err
	}
	fmt.Fprintf(opts.IO.Out, "Wrote %s (0600), encrypted to %d key(s).\n", res.Path, len(res.Recipients))
	for _, line := range res.Send() {
		fmt.Fprintln(opts.IO.Out, line)
	}
	return nil
}
