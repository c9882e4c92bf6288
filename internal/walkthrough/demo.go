package walkthrough

import (
	"strconv"

	"github.com/procore-sa/procore-sa/procore/sim"
	"github.com/procore-sa/procore-sa/steps"
)

// DemoAppName is the name App Management lists the demo company's app by.
const DemoAppName = "Riverside Integration (DMSA)"

// Demo is a walk under --demo: every step the wizard can do it does for
// real against the demo's simulator (seeded as the demo seeds it), the
// capture takes the simulator's own app, and the fields with a role take
// what is true of the demo company.
func Demo() Options {
	fx := sim.New(sim.Config{Seed: 1}).Fixtures()
	return Options{
		Capture: &Capture{ClientID: fx.DMSAClientID, Secret: fx.DMSAClientSecret,
			CompanyID: strconv.FormatInt(fx.CompanyID, 10)},
		LiveVerify: true, LiveAddAll: true, LiveLogin: true, KeepPasswords: true,
		LiveActions: true, LiveAudit: true,
		Answers: func(g *steps.Guide) map[steps.Role]string { return DemoAnswers(g, fx) },
	}
}

// DemoAppLevels are tool levels the demo's app holds.
const DemoAppLevels = "Directory=read_only"

// DemoAnswers says, for a guide, what is true of the demo company at the
// fields with a role: the app's name as installed and a level it holds;
// for a DMSA nothing at its user's email (the wizard finds the user
// through the credential); for a service account the email of the user
// whose credential the capture takes, the simulator's app's. A user
// login's account is a new one, made up.
func DemoAnswers(g *steps.Guide, fx sim.Fixtures) map[steps.Role]string {
	a := map[steps.Role]string{steps.RoleAppName: DemoAppName, steps.RoleAppLevels: DemoAppLevels}
	switch g.AccountModel {
	case steps.DMSA:
		a[steps.RoleAccountEmail] = ""
	case steps.LegacyServiceAccount:
		a[steps.RoleAccountEmail] = fx.DMSALogin
	}
	return a
}
