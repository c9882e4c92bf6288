package steps

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestMegabyteOfUnknownKeysIsQuick: a guide just under 1 MiB of unknown keys (each
// checked against the known ones) took 8 s on every start. Read from the
// guides folder, or parsed as it is, it is refused at once, naming the
// file.
func TestMegabyteOfUnknownKeysIsQuick(t *testing.T) {
	var b strings.Builder
	b.WriteString("id: big\ntitle: Big\naccount_model: dmsa\nsteps:\n  - id: a\n    kind: notice\n    title: A\n    body: B\n")
	for i := 0; ; i++ {
		line := fmt.Sprintf("    unknown_key_%d: v\n", i)
		if b.Len()+len(line) >= 1<<20 {
			break
		}
		b.WriteString(line)
	}
	src := b.String()
	dir := t.TempDir()
	path := filepath.Join(dir, "big.yaml")
	if err := os.WriteFile(path, []byte(src), 0o600); err != nil {
		t.Fatal(err)
	}
	bound := 200 * time.Millisecond
	if raceEnabled {
		bound *= 10
	}
	start := time.Now()
	_, problems := loadWithin(t, dir)
	if d := time.Since(start); d > bound {
		t.Errorf("loading a folder with a 1 MiB guide of unknown keys took %v, more than %v", d, bound)
	}
	if len(problems) != 1 || !strings.HasPrefix(problems[0].Error(), path+":") {
		t.Errorf("problems %v, want the file refused by name", problems)
	}
	start = time.Now()
	if _, err := Parse("big.yaml", []byte(src)); err == nil {
		t.Error("a guide of unknown keys was accepted")
	}
	if d := time.Since(start); d > bound {
		t.Errorf("parsing a 1 MiB guide of unknown keys took %v, more than %v", d, bound)
	}
}
