package tui

import (
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/steps"
)

// TestPickerMarksYourGuide: a guide of your own is marked as yours, with
// the file it came from, so it cannot pass for a built-in guide; the mark
// survives a narrow screen and a long title.
func TestPickerMarksYourGuide(t *testing.T) {
	cat, problems := steps.LoadCatalog("")
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	builtin, _ := cat.Get("dmsa")
	mine := *builtin
	mine.ID, mine.File = "dmsa-official", "/home/me/.config/procore-sa/guides/dmsa-official.yaml"
	mine.Title = strings.Repeat("Developer Managed Service Account ", 4)
	for _, w := range []int{80, 120} {
		d := newDriver(t, Options{Guides: []*steps.Guide{builtin, &mine}, Services: app.Services{Sessions: openStore(t)}}, w, 24)
		got := d.text()
		var ownLines, builtinLines []string
		for l := range strings.SplitSeq(got, "\n") {
			switch f := strings.Fields(strings.TrimLeft(l, " ▸")); {
			case len(f) > 0 && f[0] == "dmsa-official":
				ownLines = append(ownLines, l)
			case len(f) > 0 && f[0] == "dmsa":
				builtinLines = append(builtinLines, l)
			}
		}
		if len(builtinLines) != 1 {
			t.Fatalf("no line for the built-in guide:\n%s", got)
		}
		if len(ownLines) != 1 || !strings.Contains(ownLines[0], "(your guide)") {
			t.Errorf("at %d columns your guide is not marked on its line:\n%s", w, got)
		}
		if !strings.Contains(got, "from /home/me/") {
			t.Errorf("at %d columns the file it came from is not shown:\n%s", w, got)
		}
		for _, l := range builtinLines {
			if strings.Contains(l, "your guide") {
				t.Errorf("the built-in guide is marked as yours: %q", l)
			}
		}
	}
}
