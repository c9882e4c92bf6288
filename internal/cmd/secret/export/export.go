// Package export is 'procore-sa secret export PROFILE --to FILE.age'.
package export

import (
	"context"
	"errors"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/iostreams"
)

// Options are the profile to export and the file to write.
type Options struct {
	IO      *iostreams.IOStreams
	App     func() *app.App
	Profile string
	To      string
}

// NewCmdExport is 'procore-sa secret export PROFILE --to FILE.age'.
func NewCmdExport(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{IO: f.IOStreams, App: f.App}
	cmd := &cobra.Command{
		Use:   "export PROFILE --to FILE.age",
		Short: "Write a profile to a passphrase-encrypted file that the age tool decrypts",
		Long: `Write a profile's credential to FILE.age, encrypted with a passphrase of at
least 12 characters, typed twice (not shown; read from standard input when
that is not a terminal). The file is created 0600 and never replaces an
existing one; 'age -d FILE.age' decrypts it to the keychain's JSON document.
Nothing is ever written in plain text.`,
		Example: `  procore-sa secret export spectrum --to spectrum.age
  age -d spectrum.age`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usage(errors.New("secret export takes one profile name"))
			}
			if opts.To == "" {
				return cmdutil.Usage(errors.New("give the file to write with --to FILE.age"))
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
	cmd.Flags().StringVar(&opts.To, "to", "", "the file to write (FILE.age)")
	return cmd
}

// Run asks for the passphrase twice and writes the file.
func Run(ctx context.Context, opts *Options) error {
	core := opts.App()
	store, _ := core.Credentials(ctx)
	cred, err := store.Load(credstore.Interactive(ctx), opts.Profile, true)
	if err != nil {
		return err
	}
	in := cmdutil.Lines(opts.IO)
	p1, err := in.Hidden("Passphrase (not shown, at least 12 characters): ")
	if err != nil {
		return err
	}
	p2, err := in.Hidden("The same passphrase again: ")
	if err != nil {
		return err
	}
	if !p1.Equal(p2) {
		return errors.New("the two passphrases differ; nothing was written")
	}
	if err := credstore.ExportCredential(opts.To, p1, cred); err != nil {
		return err
	}
	core.Audit("export", opts.Profile, opts.To)
	fmt.Fprintf(opts.IO.Out, "Wrote %s (0600). Decrypt it with: age -d %s\n", opts.To, opts.To)
	return nil
}
