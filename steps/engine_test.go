package steps

import (
	"testing"
	"time"
)

// formFirst is a guide whose first step is a form and whose second is a
// matrix, so work on the first step is only values and cells.
const formFirst = `id: form-first
title: Form first
account_model: user_login
steps:
  - id: company
    kind: form
    title: Company
    fields:
      - id: name
        label: Company name
        type: text
      - id: env
        label: Environment
        type: choice
        options: [production, sandbox]
        default: production
  - id: erp
    kind: matrix
    title: ERP
    matrix:
      rows: [Vendor, Job]
      columns: [Can Import, Can Export]
`

func TestWalkerDirty(t *testing.T) {
	g, err := Parse("form-first.yaml", []byte(formFirst))
	if err != nil {
		t.Fatal(err)
	}
	now := func() time.Time { return time.Unix(0, 0) }
	tests := []struct {
		name  string
		do    func(w *Walker)
		dirty bool
	}{
		{"untouched", func(*Walker) {}, false},
		{"a default kept", func(w *Walker) { w.SetValue("env", "production") }, false},
		{"an empty value set", func(w *Walker) { w.SetValue("name", "") }, false},
		{"a value typed", func(w *Walker) { w.SetValue("name", "Acme") }, true},
		{"a default changed", func(w *Walker) { w.SetValue("env", "sandbox") }, true},
		{"typed then cleared", func(w *Walker) { w.SetValue("name", "Acme"); w.SetValue("name", "") }, false},
		{"a cell ticked", func(w *Walker) { w.Session.Cells["erp"][1][0] = true }, true},
		{"moved on", func(w *Walker) { w.SetValue("name", "Acme"); _ = w.Next() }, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := NewWalker(g, nil, now)
			tt.do(w)
			if got := w.Dirty(); got != tt.dirty {
				t.Errorf("Dirty() = %v, want %v (session %+v)", got, tt.dirty, w.Session)
			}
		})
	}

	// A matrix ticked on the first step counts.
	g.Steps = g.Steps[1:]
	w := NewWalker(g, nil, now)
	if w.Dirty() {
		t.Fatal("a fresh matrix walk is dirty")
	}
	w.ToggleCell(0, 1)
	if !w.Dirty() {
		t.Error("a ticked matrix cell on the first step is not counted")
	}
}
