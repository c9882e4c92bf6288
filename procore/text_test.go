package procore

import (
	"testing"
)

func TestPrintable(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain text is kept", "Riverside Clinic — Phase 2 (Zürich) 🏗", "Riverside Clinic — Phase 2 (Zürich) 🏗"},
		{"OSC 52 clipboard write", "A\x1b]52;c;cHduZWQ=\x07B", "A ]52;c;cHduZWQ= B"},
		{"CSI clear screen", "\x1b[2JX", " [2JX"},
		{"C1 CSI", "A\u009b2JB", "A 2JB"},
		{"DEL", "A\x7fB", "A B"},
		{"bidi override and isolate dropped", "invoice\u202efdp.exe\u2066x\u2069", "invoicefdp.exex"},
		{"line breaks and tabs become spaces", "a\r\nb\tc", "a  b c"},
		{"invalid UTF-8", "a\xffb", "a\uFFFDb"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Printable(tt.in); got != tt.want {
				t.Errorf("Printable(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestPrintableAll(t *testing.T) {
	type inner struct {
		Name string
		tag  string // unexported: left alone
	}
	v := struct {
		Name  string
		Ptr   *inner
		List  []inner
		Map   map[string][]string
		Bytes []byte
		N     int
	}{
		Name:  "a\x1bb",
		Ptr:   &inner{Name: "\u009b", tag: "\x1b"},
		List:  []inner{{Name: "x\u202ey"}},
		Map:   map[string][]string{"k": {"\x07bell"}},
		Bytes: []byte("\x1b"),
		N:     3,
	}
	printableAll(&v)
	if v.Name != "a b" || v.Ptr.Name != " " || v.Ptr.tag != "\x1b" || v.List[0].Name != "xy" ||
		v.Map["k"][0] != " bell" || string(v.Bytes) != "\x1b" || v.N != 3 {
		t.Errorf("printableAll left %+v (ptr %+v)", v, *v.Ptr)
	}
}

func FuzzPrintable(f *testing.F) {
	for _, s := range []string{"", "plain", "\x1b]52;c;x\x07", "\u009b", "\u202e", "a\xffb"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p := Printable(s)
		for _, r := range p {
			if !printableRune(r) && r != '\uFFFD' {
				t.Fatalf("Printable(%q) = %q keeps %U", s, p, r)
			}
		}
		if Printable(p) != p {
			t.Fatalf("Printable is not idempotent on %q", s)
		}
	})
}
