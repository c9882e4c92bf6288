package steps

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/goccy/go-yaml/lexer"
)

// largestGuides are guides that every limit accepts, each as large as the
// limits let it be in one of the shapes that cost most to read: the most
// tokens in short checklist items, in flow lists, in fields with every
// key, in options; and the most bytes of text.
func largestGuides() map[string]string {
	head := "id: largest\ntitle: The largest guide\naccount_model: user_login\nsteps:\n"
	fill := func(step func(i int) string) string {
		var b strings.Builder
		b.WriteString(head)
		tokens := len(lexer.Tokenize(head))
		for i := 0; i < MaxSteps; i++ {
			s := step(i)
			n := len(lexer.Tokenize("steps:\n" + s)) // its tokens, as the file counts them
			if b.Len()+len(s) > MaxGuideSize || tokens+n > maxTokens {
				break
			}
			b.WriteString(s)
			tokens += n
		}
		return b.String()
	}
	text := strings.Repeat("Some words of a guide's body, as long a line as one is. ", 80)[:MaxText-10]
	return map[string]string{
		"items": fill(func(i int) string {
			s := fmt.Sprintf("  - id: s%d\n    kind: instruction\n    title: Step %d\n    checklist:\n", i, i)
			return s + strings.Repeat("      - Tick\n", MaxItems)
		}),
		"flow": fill(func(i int) string {
			return fmt.Sprintf("  - {id: s%d, kind: instruction, title: S, checklist: [%s]}\n", i, strings.Repeat("x,", MaxItems-1)+"x")
		}),
		"fields": fill(func(i int) string {
			var b strings.Builder
			fmt.Fprintf(&b, "  - id: s%d\n    kind: form\n    title: Step %d\n    fields:\n", i, i)
			for j := range MaxFields {
				fmt.Fprintf(&b, "      - {id: f%d-%d, label: L, type: number, help: H, placeholder: \"1\", default: \"2\", required: true, min: 1, max: 9}\n", i, j)
			}
			return b.String()
		}),
		"options": fill(func(i int) string {
			var b strings.Builder
			fmt.Fprintf(&b, "  - id: s%d\n    kind: form\n    title: Step %d\n    fields:\n", i, i)
			for j := range 4 {
				fmt.Fprintf(&b, "      - id: c%d-%d\n        label: C\n        type: choice\n        default: o%d\n        options:\n", i, j, MaxOptions-1)
				for k := range MaxOptions {
					fmt.Fprintf(&b, "          - o%d\n", k)
				}
			}
			return b.String()
		}),
		"text": fill(func(i int) string {
			return fmt.Sprintf("  - id: s%d\n    kind: notice\n    title: Step %d\n    body: |\n      %s\n", i, i, text)
		}),
	}
}

// TestLargestGuidesAccepted keeps largestGuides honest: each is accepted,
// and each reaches the token or the byte limit.
func TestLargestGuidesAccepted(t *testing.T) {
	for name, src := range largestGuides() {
		if _, err := Parse(name+".yaml", []byte(src)); err != nil {
			t.Errorf("%s is refused: %.300v", name, err)
		}
		tokens := len(lexer.Tokenize(src))
		if tokens < maxTokens*9/10 && len(src) < MaxGuideSize*9/10 {
			t.Errorf("%s is %d bytes and %d tokens: not near a limit", name, len(src), tokens)
		}
	}
}

// BenchmarkLoadCatalog is the catalog's first load in a process: every
// built-in guide parsed, no guides of your own.
func BenchmarkLoadCatalog(b *testing.B) {
	for b.Loop() {
		if _, problems := loadCatalog(builtinFS, builtinOrder, ""); len(problems) > 0 {
			b.Fatal(problems)
		}
	}
}

// BenchmarkLoadCatalogLargest is start-up with the largest guide of your
// own that the limits accept, in each costly shape: the built-in guides
// parsed and the file read and parsed. The limits are chosen to keep this
// far under 50 ms.
func BenchmarkLoadCatalogLargest(b *testing.B) {
	for name, src := range largestGuides() {
		b.Run(name, func(b *testing.B) {
			dir := b.TempDir()
			if err := os.WriteFile(filepath.Join(dir, "largest.yaml"), []byte(src), 0o600); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if _, problems := loadCatalog(builtinFS, builtinOrder, dir); len(problems) > 0 {
					b.Fatal(problems)
				}
			}
		})
	}
}

// BenchmarkParseRefused is the cost of the worst files the limits refuse
// (see worstGuides): a refused file is read on every start too.
func BenchmarkParseRefused(b *testing.B) {
	for name, src := range worstGuides(MaxGuideSize) {
		b.Run(name, func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				_, _ = Parse("x.yaml", []byte(src))
			}
		})
	}
}

// BenchmarkLoadCatalogAgain is every load after the first in a process:
// the built-in guides are not parsed again.
func BenchmarkLoadCatalogAgain(b *testing.B) {
	LoadCatalog("")
	for b.Loop() {
		LoadCatalog("")
	}
}
