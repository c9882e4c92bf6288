package app

import (
	"context"
	"fmt"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// keeper keeps the one-time credentials of a run: the keychain, read back
// before the person may go on, or an age file; never plain text. Where a
// credential goes is the one rule of credstore.Store.Save: it never
// replaces another credential.
type keeper struct {
	a   *App
	env procore.Environment
	// signIn is where an admin's sign-in goes.
	signIn credstore.Placement
}

// Keeper is the run's keeper of one-time credentials for a wizard: a
// sign-in goes to AdminProfile (else beside it), anything else to the
// profile asked for (else beside it).
func (a *App) Keeper() (Keeper, error) {
	return a.keeperWith(credstore.Placement{Profile: AdminProfile, Beside: credstore.BesideNames(AdminProfile)})
}

// LoginKeeper is the keeper of 'procore-sa login': its sign-in goes where
// pl says (see LoginPlacement).
func (a *App) LoginKeeper(pl credstore.Placement) (Keeper, error) { return a.keeperWith(pl) }

func (a *App) keeperWith(signIn credstore.Placement) (Keeper, error) {
	env, err := a.Target()
	if err != nil {
		return nil, err
	}
	return &keeper{a: a, env: env, signIn: signIn}, nil
}

// LoginPlacement places a sign-in of 'procore-sa login' in profile, else
// beside it: under AdminProfile first when profile is the default one,
// then numbered names.
func LoginPlacement(profile string) credstore.Placement {
	if profile == "default" {
		return credstore.Placement{Profile: profile, Beside: credstore.BesideNames(AdminProfile, AdminProfile)}
	}
	return credstore.Placement{Profile: profile, Beside: credstore.BesideNames(profile)}
}

func (k *keeper) Environment() string { return k.env.Name }

func (k *keeper) Where() string {
	store, memoryOnly := k.a.Credentials(context.Background())
	if memoryOnly {
		return "memory only (demo: no keychain was found on this machine; it is gone when the program ends)"
	}
	return fmt.Sprintf("the keychain (%s), service %s", store.Backend(), store.Service)
}

// DemoCredential is, under --demo, the simulator's own DMSA app, for the
// capture step to fill in: a demo user cannot know its credentials, and
// made-up ones fail at the steps that use them.
func (k *keeper) DemoCredential() (credstore.Credential, bool) {
	if !k.a.cfg.Demo {
		return credstore.Credential{}, false
	}
	s, err := k.a.Sim()
	if err != nil {
		return credstore.Credential{}, false
	}
	fx := s.Fixtures()
	return credstore.Credential{
		Version: credstore.CredentialVersion, Kind: credstore.KindClientCredentials, Environment: k.env.Name,
		CompanyID: fx.CompanyID, ClientID: fx.DMSAClientID, ClientSecret: secret.New(fx.DMSAClientSecret),
	}, true
}

func (k *keeper) DefaultExportPath() string { return k.a.DefaultExportPath(k.a.cfg.Profile) }

func (k *keeper) Prove(ctx context.Context, c credstore.Credential) error {
	_, err := procore.ClientCredentials(k.env, nil, c.ClientID, c.ClientSecret).Token(ctx)
	return err
}

// placement is where c goes: a sign-in where the keeper says, anything
// else in the profile asked for, or beside it, when that holds another
// credential, under the guide's id (for the default profile) and then
// numbered names.
func (k *keeper) placement(c credstore.Credential) credstore.Placement {
	if c.Kind == credstore.KindAdminOAuth {
		return k.signIn
	}
	profile := k.a.cfg.Profile
	base, first := profile, []string(nil)
	if profile == "default" && credstore.ValidateProfile(c.Guide) == nil {
		base, first = c.Guide, []string{c.Guide}
	}
	return credstore.Placement{Profile: profile, Beside: credstore.BesideNames(base, first...)}
}

func (k *keeper) Save(ctx context.Context, c credstore.Credential) (credstore.Saved, error) {
	store, _ := k.a.Credentials(ctx)
	saved, err := store.Save(credstore.Interactive(ctx), k.placement(c), c, true)
	if err != nil {
		return saved, err
	}
	detail := fmt.Sprintf("%s saved as profile %s", c.Kind, saved.Profile)
	if c.Guide != "" {
		detail += ", guide " + c.Guide
	}
	if note := saved.Note(); note != "" {
		detail += "; " + note
	}
	action := "save"
	if c.Kind == credstore.KindAdminOAuth {
		action = "login"
	}
	k.a.Audit(action, saved.Profile, detail)
	return saved, nil
}

func (k *keeper) Export(ctx context.Context, path string, passphrase secret.Value, c credstore.Credential) error {
	if err := credstore.ExportCredential(path, passphrase, c); err != nil {
		return err
	}
	k.a.Audit("export", k.a.cfg.Profile, fmt.Sprintf("%s written to the age file %s, not the keychain", c.Kind, path))
	return nil
}
