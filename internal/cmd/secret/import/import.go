// Package importcmd is 'procore-sa secret import FILE': a passphrase export
// or a handover back into the keychain, proved first.
package importcmd

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/iostreams"
	"github.com/procore-sa/procore-sa/internal/secret"
)

// Options are the file to import and how to open it.
type Options struct {
	IO         *iostreams.IOStreams
	App        func() *app.App
	File       string
	Identities []string
	NoCheck    bool
}

// NewCmdImport is 'procore-sa secret import FILE'.
func NewCmdImport(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, App: f.App}
	cmd := &cobra.Command{
		Use:   "import FILE [--identity KEYFILE]... [--no-check] [--profile P]",
		Short: "Keep a passphrase export or a handover in the keychain, proved first",
		Long: `Read FILE back into the keychain: a passphrase export ('secret export'; the
passphrase is asked for, not shown) or a handover made for one of your keys
('secret handover'; --identity names your private key: an age identity file
or an SSH private key, asked for its passphrase when it has one). Armored
files are read too.

The credential is proved with a token in the environment it was made for,
unless --no-check (a user's login and password cannot be proved this way,
and that is said). It is then kept exactly as the wizard keeps a capture:
in --profile (default "default") and read back, never over another
credential: when that profile holds something else, it goes beside it and
the new name is printed. Exit 0 once kept, 1 when Procore refused it or it
could not be kept, 2 for a file or key that cannot be used.`,
		Example: `  procore-sa secret import laborchart.age
  procore-sa secret import handover.age --identity ~/.ssh/id_ed25519 --profile laborchart
  procore-sa secret import handover.age.txt --identity vendor.key --no-check`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usage(errors.New("secret import takes one file"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.File = args[0]
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return Run(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringArrayVar(&opts.Identities, "identity", nil, "your private key: an age identity file or an SSH private key (repeatable)")
	cmd.Flags().BoolVar(&opts.NoCheck, "no-check", false, "keep it without proving it with Procore first")
	// The file and the identities are files.
	cmd.ValidArgsFunction = func(_ *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		return []cobra.Completion{"age", "txt"}, cobra.ShellCompDirectiveFilterFileExt
	}
	_ = cmd.RegisterFlagCompletionFunc("identity", func(*cobra.Command, []string, string) ([]cobra.Completion, cobra.ShellCompDirective) {
		return nil, cobra.ShellCompDirectiveDefault
	})
	return cmd
}

// Run opens the file, proves what it holds and keeps it.
func Run(ctx context.Context, opts *Options) error {
	core := opts.App()
	defer core.Close()
	in := cmdutil.Lines(opts.IO)
	src := app.ImportSource{
		Path: opts.File, Identities: opts.Identities,
		Passphrase:    func() (secret.Value, error) { return in.Hidden("Passphrase of " + opts.File + " (not shown): ") },
		KeyPassphrase: func() (secret.Value, error) { return in.Hidden("Passphrase of your SSH key (not shown): ") },
	}
	opened, err := core.OpenImport(src)
	if err != nil {
		return err
	}
	errOut := opts.IO.ErrOut
	fmt.Fprintf(errOut, "procore-sa: %s is %s.\n", opts.File, opened.What())
	keeper, err := core.Keeper()
	if err != nil {
		return err
	}
	if !opts.NoCheck {
		fmt.Fprintln(errOut, "procore-sa: checking it with Procore…")
	}
	res, err := core.Import(ctx, keeper, opened, !opts.NoCheck)
	if err != nil {
		return err
	}
	switch {
	case res.Proved:
		fmt.Fprintln(opts.IO.Out, "Procore accepted it (a token was issued).")
	case res.Why != "":
		fmt.Fprintf(opts.IO.Out, "Not proved: %s.\n", res.Why)
	}
	fmt.Fprintf(opts.IO.Out, "Kept as profile %q in %s and read back.\n", res.Saved.Profile, keeper.Where())
	if note := res.Saved.Note(); note != "" {
		fmt.Fprintf(opts.IO.Out, "Note: %s; use --profile %s with the commands that use it.\n", note, res.Saved.Profile)
	}
	return nil
}
