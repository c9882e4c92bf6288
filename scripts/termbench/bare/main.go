// Command bare is the smallest Bubble Tea v2 program that draws a full
// screen and answers keys: the yardstick scripts/bench-terminal holds
// procore-sa's first frame against.
package main

import (
	"flag"
	"fmt"
	"os"

	tea "charm.land/bubbletea/v2"
)

type model struct{ n int }

func (m model) Init() tea.Cmd { return nil }

func (m model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if k, ok := msg.(tea.KeyPressMsg); ok {
		if k.String() == "ctrl+c" || k.String() == "q" {
			return m, tea.Quit
		}
		m.n++
	}
	return m, nil
}

func (m model) View() tea.View {
	v := tea.NewView(fmt.Sprintf("Choose a guide\n\nkeys pressed: %d\n", m.n))
	v.AltScreen = true
	return v
}

func main() {
	// -fps 120 runs it at procore-sa's frame rate, so that key rows compare
	// like with like; without it, it is Bubble Tea as it comes.
	fps := flag.Int("fps", 0, "frames a second (0: Bubble Tea's default)")
	flag.Parse()
	if _, err := tea.NewProgram(model{}, tea.WithFPS(*fps)).Run(); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}
