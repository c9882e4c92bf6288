package plain

import (
	"bytes"
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/steps"
)

// TestPickMarksYourGuide: at the line prompt too, a guide of your own says
// so, and where it came from; a built-in guide does not.
func TestPickMarksYourGuide(t *testing.T) {
	builtin := &steps.Guide{ID: "dmsa", Title: "DMSA", AccountModel: steps.DMSA, File: "builtin:dmsa.yaml"}
	mine := &steps.Guide{ID: "dmsa-official", Title: "DMSA", AccountModel: steps.DMSA, File: "/home/me/guides/dmsa.yaml"}
	var out bytes.Buffer
	r := &Runner{In: strings.NewReader("2\n"), Out: &out}
	g, err := r.Pick([]*steps.Guide{builtin, mine})
	if err != nil || g != mine {
		t.Fatalf("picked %v, %v", g, err)
	}
	for _, want := range []string{"  1. dmsa (dmsa): DMSA\n", "  2. dmsa-official (dmsa): DMSA (your guide, from /home/me/guides/dmsa.yaml)\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}
