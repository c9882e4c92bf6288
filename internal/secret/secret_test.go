package secret

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"testing"
)

const recognisable = "s3cr3t-QUOKKA-77"

func TestSecretNeverPrints(t *testing.T) {
	s := New(recognisable)
	type holder struct {
		Exported Value
		hidden   Value
		Ptr      *Value
	}
	h := holder{Exported: s, hidden: s, Ptr: &s}
	var outs []string
	for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%X", "%d", "%T %v", "%10s", "%-20v"} {
		outs = append(outs, fmt.Sprintf(verb, s), fmt.Sprintf(verb, h), fmt.Sprintf(verb, &h), fmt.Sprintf(verb, []Value{s}))
	}
	outs = append(outs, fmt.Sprint(s, h), fmt.Sprintln(map[string]Value{"k": s}))
	j, _ := json.Marshal(h)
	outs = append(outs, string(j))
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("x", "secret", s, "holder", h)
	slog.New(slog.NewTextHandler(&logs, nil)).Info("x", "secret", s)
	outs = append(outs, logs.String())
	for _, o := range outs {
		if strings.Contains(o, recognisable) || strings.Contains(o, fmt.Sprintf("%x", recognisable)) {
			t.Fatalf("secret printed: %s", o)
		}
	}
	if s.Reveal() != recognisable || !s.Equal(New(recognisable)) || s.IsZero() || !(Value{}).IsZero() {
		t.Fatal("Reveal, Equal or IsZero is wrong")
	}
}

// TestSecretInUncaughtPanic lets a Value crash a child process: the
// runtime prints a Stringer panic value through String.
func TestSecretInUncaughtPanic(t *testing.T) {
	if os.Getenv("PROCORE_SA_PANIC_CHILD") == "1" {
		panic(New(recognisable))
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSecretInUncaughtPanic$")
	cmd.Env = append(os.Environ(), "PROCORE_SA_PANIC_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatal("the child did not panic")
	}
	if strings.Contains(string(out), recognisable) || !strings.Contains(string(out), Mask) {
		t.Fatalf("panic output:\n%s", out)
	}
}

func TestSecretInPanic(t *testing.T) {
	defer func() {
		r := recover()
		if msg := fmt.Sprint(r); strings.Contains(msg, recognisable) {
			t.Fatalf("panic value prints the secret: %s", msg)
		}
	}()
	panic(New(recognisable))
}

func TestWithhold(t *testing.T) {
	s := New("S3CR+t/x<y>&\"z")
	for _, text := range []string{
		"said S3CR+t/x<y>&\"z twice: S3CR+t/x<y>&\"z",
		"form S3CR%2Bt%2Fx%3Cy%3E%26%22z&a=1",
		`json "S3CR+t/x\u003cy\u003e\u0026\"z"`,
		`json "S3CR+t/x<y>&\"z"`,
		"path S3CR+t%2Fx%3Cy%3E&%22z",
	} {
		got := Withhold(text, s, New("abc"), Value{})
		if strings.Contains(got, "S3CR") || !strings.Contains(got, Withheld) {
			t.Errorf("Withhold(%q) = %q", text, got)
		}
	}
	// Too short to look for without taking words out.
	if got := Withhold("abc abc", New("abc")); got != "abc abc" {
		t.Errorf("a three-letter secret was withheld: %q", got)
	}
	if got := Withhold("nothing here", s); got != "nothing here" {
		t.Errorf("%q", got)
	}
}
