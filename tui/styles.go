package tui

import (
	"image/color"

	"charm.land/lipgloss/v2"
)

// Styles holds every style of the wizard, in one place, built for a light or
// a dark background. Colour is dropped by Bubble Tea's output layer when the
// terminal has none or NO_COLOR is set, so styles never check for it.
type Styles struct {
	Header     lipgloss.Style
	Brand      lipgloss.Style
	Badge      lipgloss.Style
	StepBadge  lipgloss.Style // presenter mode's "STEP 5 of 12"
	Title      lipgloss.Style
	Subtle     lipgloss.Style
	Body       lipgloss.Style
	StepDone   lipgloss.Style
	StepNow    lipgloss.Style
	StepTodo   lipgloss.Style
	Selected   lipgloss.Style
	Checked    lipgloss.Style
	Unchecked  lipgloss.Style
	Label      lipgloss.Style
	Error      lipgloss.Style
	Success    lipgloss.Style
	Warning    lipgloss.Style
	WarningBox lipgloss.Style
	InfoBox    lipgloss.Style
	Dialog     lipgloss.Style
	Sidebar    lipgloss.Style
	Status     lipgloss.Style

	Accent color.Color
}

// NewStyles builds the styles for a dark or light background.
func NewStyles(dark bool) Styles {
	ld := lipgloss.LightDark(dark)
	accent := ld(lipgloss.Color("#5A3FC0"), lipgloss.Color("#9D8CFF"))
	subtle := ld(lipgloss.Color("#6B6B6B"), lipgloss.Color("#8A8A8A"))
	green := ld(lipgloss.Color("#1B7F3B"), lipgloss.Color("#5FD787"))
	red := ld(lipgloss.Color("#B3261E"), lipgloss.Color("#FF6B6B"))
	amber := ld(lipgloss.Color("#8A5A00"), lipgloss.Color("#FFC24B"))

	return Styles{
		Header: lipgloss.NewStyle().Bold(true),
		Brand:  lipgloss.NewStyle().Bold(true).Foreground(accent),
		Badge:  lipgloss.NewStyle().Bold(true).Foreground(amber),
		// A box, bold: it reads at a distance, and without colour too.
		StepBadge:  lipgloss.NewStyle().Bold(true).Foreground(accent).Border(lipgloss.ThickBorder()).BorderForeground(accent).Padding(0, 2),
		Title:      lipgloss.NewStyle().Bold(true).Foreground(accent),
		Subtle:     lipgloss.NewStyle().Foreground(subtle),
		Body:       lipgloss.NewStyle(),
		StepDone:   lipgloss.NewStyle().Foreground(green),
		StepNow:    lipgloss.NewStyle().Bold(true).Foreground(accent),
		StepTodo:   lipgloss.NewStyle().Foreground(subtle),
		Selected:   lipgloss.NewStyle().Bold(true).Foreground(accent),
		Checked:    lipgloss.NewStyle().Foreground(green),
		Unchecked:  lipgloss.NewStyle(),
		Label:      lipgloss.NewStyle().Bold(true),
		Error:      lipgloss.NewStyle().Foreground(red),
		Success:    lipgloss.NewStyle().Foreground(green),
		Warning:    lipgloss.NewStyle().Bold(true).Foreground(amber),
		WarningBox: lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(amber).PaddingLeft(1),
		InfoBox:    lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, false, false, true).BorderForeground(accent).PaddingLeft(1),
		Dialog:     lipgloss.NewStyle().Border(lipgloss.RoundedBorder()).BorderForeground(amber).Padding(0, 1),
		Sidebar:    lipgloss.NewStyle().Border(lipgloss.NormalBorder(), false, true, false, false).BorderForeground(subtle).PaddingRight(1).MarginRight(1),
		Status:     lipgloss.NewStyle().Foreground(subtle),
		Accent:     accent,
	}
}
