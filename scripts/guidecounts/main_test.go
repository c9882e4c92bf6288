package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/steps"
)

// TestCount divides a guide of every sort of step, and the built-in
// guides: each step counted once, each with an action done by the tool.
func TestCount(t *testing.T) {
	src := "id: x\ntitle: X\naccount_model: user_login\nsteps:\n" +
		"  - {id: n, kind: notice, title: N, body: Read.}\n" +
		"  - id: f\n    kind: form\n    title: F\n    fields: [{id: e, label: E, type: email, role: account_email}]\n" +
		"  - {id: l, kind: admin_login, title: L, body: Sign in.}\n" +
		"  - {id: a, kind: instruction, title: A, checklist: [Invite], action: invite_user, check: invitation_sent}\n" +
		"  - {id: c, kind: instruction, title: C, checklist: [Tick], check: [user_exists, company_not_admin]}\n" +
		"  - {id: m, kind: instruction, title: M, checklist: [By hand]}\n" +
		"  - {id: p, kind: password, title: P, body: Choose it.}\n" +
		"  - {id: z, kind: audit, title: Z, body: Reads every check.}\n"
	g, err := steps.Parse("x.yaml", []byte(src))
	if err != nil {
		t.Fatal(err)
	}
	want := Counts{Guide: "x", Steps: 8, Tool: 2, Checked: 1, Manual: 2, Info: 3, Requirements: 3}
	if got := Count(g); got != want {
		t.Errorf("Count = %+v\nwant %+v", got, want)
	}

	var out bytes.Buffer
	if err := run(&out); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimRight(out.String(), "\n"), "\n")
	if len(lines) != 7 || !strings.Contains(lines[0], "by the tool") {
		t.Fatalf("output:\n%s", out.String())
	}
	cat, _ := steps.LoadCatalog("")
	for _, g := range cat.List() {
		c := Count(g)
		if c.Tool+c.Checked+c.Manual+c.Info != c.Steps {
			t.Errorf("%s: %+v does not add up", g.ID, c)
		}
		if c.Tool == 0 || c.Requirements == 0 {
			t.Errorf("%s: %+v: nothing done or audited by the tool", g.ID, c)
		}
		for _, st := range g.Steps {
			if st.Action != nil && len(st.Checklist) == 0 {
				t.Errorf("%s step %s: an action without a checklist to do it by hand", g.ID, st.ID)
			}
		}
		if !strings.Contains(out.String(), g.ID) {
			t.Errorf("%s is not in the output", g.ID)
		}
	}
}
