package tui

import (
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/steps"
)

// BenchmarkFirstFrame is the cost from nothing to the first drawn frame:
// load the built-in guides, build the root model, size it, render.
func BenchmarkFirstFrame(b *testing.B) {
	for b.Loop() {
		cat, _ := steps.LoadCatalog("")
		m := New(Options{Guides: cat.List(), GuideID: "spectrum"})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		m.Update(sessionLoadedMsg{})
		_ = m.View()
	}
}

// BenchmarkViewLargest renders the screen with the most content of any
// built-in guide, at a large size with the sidebar.
func BenchmarkViewLargest(b *testing.B) {
	var largest *Model
	most := 0
	for _, m := range everyScreen(200, 60) {
		if n := len(m.View().Content); n > most {
			most, largest = n, m
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		_ = largest.View()
	}
}

// everyScreen builds a model on each step of every built-in guide.
func everyScreen(w, h int) []*Model {
	cat, _ := steps.LoadCatalog("")
	var models []*Model
	for _, g := range cat.List() {
		for i := range g.Steps {
			m := New(Options{Guides: cat.List(), GuideID: g.ID})
			m.Update(tea.WindowSizeMsg{Width: w, Height: h})
			m.Update(sessionLoadedMsg{})
			m.sh.walker.Session.Step = i
			m.screen = newScreen(m.sh, m.mainWidth())
			models = append(models, m)
		}
	}
	return models
}

// BenchmarkViewEveryScreen renders each step of every built-in guide.
func BenchmarkViewEveryScreen(b *testing.B) {
	models := everyScreen(120, 40)
	b.ReportAllocs()
	for b.Loop() {
		for _, m := range models {
			_ = m.View()
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(models)), "ns/view")
}

// BenchmarkPickerKey is what a key costs in the program's own loop on the
// first screen: update on ↓ or ↑, then render, at 120x40.
func BenchmarkPickerKey(b *testing.B) {
	cat, _ := steps.LoadCatalog("")
	m := New(Options{Guides: cat.List()})
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	m.Update(sessionLoadedMsg{})
	keys := []tea.KeyPressMsg{{Code: tea.KeyDown}, {Code: tea.KeyUp}}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Update(keys[i%2])
		_ = m.View()
	}
}
