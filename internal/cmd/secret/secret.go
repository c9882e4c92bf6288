// Package secret is 'procore-sa secret': what is stored (never the secret
// itself), removal and encrypted export, one subcommand a folder.
package secret

import (
	"github.com/spf13/cobra"

	deletecmd "github.com/procore-sa/procore-sa/internal/cmd/secret/delete"
	"github.com/procore-sa/procore-sa/internal/cmd/secret/export"
	"github.com/procore-sa/procore-sa/internal/cmd/secret/handover"
	importcmd "github.com/procore-sa/procore-sa/internal/cmd/secret/import"
	"github.com/procore-sa/procore-sa/internal/cmd/secret/list"
	"github.com/procore-sa/procore-sa/internal/cmdutil"
)

// NewCmdSecret is 'procore-sa secret' with its subcommands.
func NewCmdSecret(f *cmdutil.Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "secret",
		Short: "What is stored (never the secret itself), removal, encrypted export, hand-over and import",
		Long: `What procore-sa keeps in the OS keychain, never the secret itself: list the
profiles, delete one, export one to a passphrase-encrypted file, hand one to
a vendor encrypted to their age or SSH public key, or import an export or a
hand-over back.

Each profile is one keychain entry: service procore-sa (procore-sa-demo under
--demo), account = the profile name. Every read, delete and export is
recorded in the audit log of the state directory, without the secret; a
hand-over names the keys' fingerprints and the file.`,
		Example: `  procore-sa secret list
  procore-sa secret delete old-sync
  procore-sa secret export spectrum --to spectrum.age
  procore-sa secret handover laborchart --to "$(cat vendor_ed25519.pub)"
  procore-sa secret import laborchart.age --identity ~/.ssh/id_ed25519`,
		Args: cmdutil.NoArgs,
	}
	cmd.AddCommand(list.NewCmdList(f, nil), deletecmd.NewCmdDelete(f, nil), export.NewCmdExport(f, nil),
		handover.NewCmdHandover(f, nil), importcmd.NewCmdImport(f, nil))
	return cmd
}
