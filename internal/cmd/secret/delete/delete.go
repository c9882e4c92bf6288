// Package delete is 'procore-sa secret delete PROFILE'.
package delete

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
	"github.com/procore-sa/procore-sa/internal/credstore"
)

// Options are the profile to delete.
type Options struct {
	Out     io.Writer
	App     func() *app.App
	Profile string
}

// NewCmdDelete is 'procore-sa secret delete PROFILE'.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Out: f.IOStreams.Out, App: f.App}
	return &cobra.Command{
		Use:   "delete PROFILE",
		Short: "Delete a stored profile from the keychain",
		Long: `Delete a profile from the keychain: its entry and its name in the list of
profiles. The deletion is recorded in the audit log.

This forgets the credential here only: at Procore it still works until it is
rotated or its app is uninstalled. Exit 1 when there is no such profile or
the keychain fails.`,
		Example: `  procore-sa secret delete old-sync
  procore-sa --demo secret delete default`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) != 1 {
				return cmdutil.Usage(errors.New("secret delete takes one profile name; see 'procore-sa secret list'"))
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
}

// Run deletes the profile and records it in the audit log.
func Run(ctx context.Context, opts *Options) error {
	core := opts.App()
	store, _ := core.Credentials(ctx)
	if err := store.Delete(credstore.Interactive(ctx), opts.Profile); err != nil {
		return err
	}
	core.Audit("delete", opts.Profile, "")
	fmt.Fprintf(opts.Out, "Deleted profile %q.\n", opts.Profile)
	return nil
}
