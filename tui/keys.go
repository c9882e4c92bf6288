package tui

import "charm.land/bubbles/v2/key"

// KeyMap holds every key binding of the wizard, in one place. Screens pick
// the ones they use for the help bar.
type KeyMap struct {
	Next     key.Binding
	Back     key.Binding
	Up       key.Binding
	Down     key.Binding
	Left     key.Binding
	Right    key.Binding
	Toggle   key.Binding
	NextItem key.Binding
	PrevItem key.Binding
	Generate key.Binding
	Copy     key.Binding
	Help     key.Binding
	Quit     key.Binding
	Yes      key.Binding
	No       key.Binding
	Resume   key.Binding
	Restart  key.Binding
	// Demo fills a capture step with the simulator's own app (--demo only).
	// Not ctrl+d: text fields delete forward with it.
	Demo key.Binding
	// Retry tries again what failed (the keychain, an add-all's failures).
	Retry key.Binding
	// Export writes an age file when the keychain will not keep a secret.
	Export key.Binding
	// Replace starts a finished step over (a new capture), by choice.
	Replace key.Binding
	// ByHand leaves a step the tool can do to the person, as a checklist.
	ByHand key.Binding
	// Choose opens the list of projects again, to change the ones chosen.
	Choose key.Binding
	// Skip goes on without a step the tool can do; it is recorded as
	// skipped, not done.
	Skip key.Binding
	// HelpAnywhere opens the help while keys go into a text field, where
	// ? is a character like any other.
	HelpAnywhere key.Binding
	// Filter narrows the guide list to what is typed.
	Filter key.Binding
	// Details shows the whole text of a failure beside its sentence.
	Details key.Binding
	// Leave quits from a screen with nothing typed into (the picker, the
	// resume offer, the end).
	Leave key.Binding
}

// DefaultKeyMap is the wizard's key map.
func DefaultKeyMap() KeyMap {
	return KeyMap{
		Next:     key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "continue")),
		Back:     key.NewBinding(key.WithKeys("esc"), key.WithHelp("esc", "back")),
		Up:       key.NewBinding(key.WithKeys("up", "k"), key.WithHelp("↑/k", "up")),
		Down:     key.NewBinding(key.WithKeys("down", "j"), key.WithHelp("↓/j", "down")),
		Left:     key.NewBinding(key.WithKeys("left", "h"), key.WithHelp("←/h", "left")),
		Right:    key.NewBinding(key.WithKeys("right", "l"), key.WithHelp("→/l", "right")),
		Toggle:   key.NewBinding(key.WithKeys("space", "x"), key.WithHelp("space", "tick")),
		NextItem: key.NewBinding(key.WithKeys("tab", "down"), key.WithHelp("tab/↓", "next field")),
		PrevItem: key.NewBinding(key.WithKeys("shift+tab", "up"), key.WithHelp("shift+tab/↑", "previous field")),
		Generate: key.NewBinding(key.WithKeys("ctrl+g"), key.WithHelp("ctrl+g", "generate")),
		Copy:     key.NewBinding(key.WithKeys("ctrl+y"), key.WithHelp("ctrl+y", "send to clipboard")),
		Help:     key.NewBinding(key.WithKeys("?"), key.WithHelp("?", "more keys")),
		Quit:     key.NewBinding(key.WithKeys("ctrl+c"), key.WithHelp("ctrl+c", "quit")),
		Yes:      key.NewBinding(key.WithKeys("y"), key.WithHelp("y", "yes")),
		No:       key.NewBinding(key.WithKeys("n", "esc"), key.WithHelp("n/esc", "no")),
		Resume:   key.NewBinding(key.WithKeys("r", "enter"), key.WithHelp("r/enter", "resume")),
		Restart:  key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "start over")),
		Demo:     key.NewBinding(key.WithKeys("ctrl+o"), key.WithHelp("ctrl+o", "fill in demo")),
		Retry:    key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "try again")),
		Export:   key.NewBinding(key.WithKeys("a"), key.WithHelp("a", "write an age file")),
		Replace:  key.NewBinding(key.WithKeys("r"), key.WithHelp("r", "do it again")),
		ByHand:   key.NewBinding(key.WithKeys("h"), key.WithHelp("h", "do it by hand")),
		Skip:     key.NewBinding(key.WithKeys("s"), key.WithHelp("s", "skip")),
		Choose:   key.NewBinding(key.WithKeys("c"), key.WithHelp("c", "change the projects")),
		// F1 is help in most programs; ctrl+/ arrives as ctrl+_ in a
		// terminal without the newer keyboard protocols.
		HelpAnywhere: key.NewBinding(key.WithKeys("f1", "ctrl+/", "ctrl+_"), key.WithHelp("f1", "more keys")),
		Filter:       key.NewBinding(key.WithKeys("/"), key.WithHelp("/", "filter")),
		Details:      key.NewBinding(key.WithKeys("ctrl+t"), key.WithHelp("ctrl+t", "details")),
		Leave:        key.NewBinding(key.WithKeys("q"), key.WithHelp("q", "quit")),
	}
}
