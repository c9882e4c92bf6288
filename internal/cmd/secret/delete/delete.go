// Package delete is 'procore-sa secret delete PROFILE'.
package delete

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

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
	// Yes deletes without asking; without it a terminal is asked, and
	// anything else is refused.
	Yes bool
	// Confirm asks the person at the terminal; nil when there is none.
	Confirm func(question string) (bool, error)
}

// NewCmdDelete is 'procore-sa secret delete PROFILE'.
func NewCmdDelete(f *cmdutil.Factory, runF func(context.Context, *Options) error) *cobra.Command {
	opts := &Options{Out: f.IOStreams.Out, App: f.App}
	if ios := f.IOStreams; ios.IsStdinTTY() {
		opts.Confirm = func(question string) (bool, error) {
			fmt.Fprint(ios.ErrOut, question)
			ans, err := cmdutil.Lines(ios).Line()
			if err != nil && !errors.Is(err, io.EOF) {
				return false, err
			}
			ans = strings.ToLower(ans)
			return ans == "y" || ans == "yes", nil
		}
	}
	cmd := &cobra.Command{
		Use:   "delete PROFILE",
		Short: "Delete a stored profile from the keychain",
		Long: `Delete a profile from the keychain: its entry and its name in the list of
profiles. The deletion is recorded in the audit log.

This forgets the credential here only: at Procore it still works until it is
rotated or its app is uninstalled. Exit 1 when there is no such profile or
the keychain fails. In a terminal it asks first; elsewhere --yes is needed.`,
		Example: `  procore-sa secret delete old-sync
  procore-sa secret delete old-sync --yes
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
	cmd.Flags().BoolVarP(&opts.Yes, "yes", "y", false, "delete without asking")
	return cmd
}

// Run deletes the profile and records it in the audit log.
func Run(ctx context.Context, opts *Options) error {
	if !opts.Yes {
		if opts.Confirm == nil {
			return cmdutil.Usage(fmt.Errorf("secret delete asks before deleting, and standard input is not a terminal: give --yes to delete profile %q", opts.Profile))
		}
		ok, err := opts.Confirm(fmt.Sprintf("Delete profile %q from the keychain? It goes from here only: at Procore it works until it is rotated. Type y to delete: ", opts.Profile))
		if err != nil {
			return err
		}
		if !ok {
			fmt.Fprintf(opts.Out, "Nothing was deleted.\n")
			return cmdutil.ErrSilent
		}
	}
	core := opts.App()
	store, _ := core.Credentials(ctx)
	if err := store.Delete(credstore.Interactive(ctx), opts.Profile); err != nil {
		return err
	}
	core.Audit("delete", opts.Profile, "")
	fmt.Fprintf(opts.Out, "Deleted profile %q.\n", opts.Profile)
	return nil
}
