package tui

import (
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// dialog is a question asked over the step's screen (leave the guide?,
// type discard, write an age file). The root model keeps dialogs on a
// stack: the top one takes every key and is drawn in place of the step's
// body. A dialog answers with typed messages (leaveConfirmedMsg,
// discardTypedMsg, ...) that the screen which opened it acts on; it closes
// itself with closeDialog, or is closed by that screen.
type dialog interface {
	Update(msg tea.Msg) (dialog, tea.Cmd)
	View(width int) string
	Bindings() []key.Binding
	// Typing reports whether keys go into a text field.
	Typing() bool
}

type (
	openDialogMsg  struct{ d dialog }
	closeDialogMsg struct{}
	// dialogErrorMsg is shown by the top dialog: what was wrong with its
	// answer (a word that is not discard, a short passphrase).
	dialogErrorMsg struct{ text string }

	// The answers.
	leaveConfirmedMsg  struct{}
	discardTypedMsg    struct{ text string }
	keepHoldingMsg     struct{}
	exportSubmittedMsg struct{ pass, again, path string }
	exportCancelledMsg struct{}
)

func openDialog(d dialog) tea.Cmd { return func() tea.Msg { return openDialogMsg{d} } }

func closeDialog() tea.Msg { return closeDialogMsg{} }

func dialogError(text string) tea.Cmd { return func() tea.Msg { return dialogErrorMsg{text} } }

func answer(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// leaveDialog asks before leaving a guide that holds work.
type leaveDialog struct {
	sh   *shared
	text string
}

func (d *leaveDialog) Typing() bool { return false }

func (d *leaveDialog) Bindings() []key.Binding {
	k := d.sh.keys
	return []key.Binding{withHelp(k.Yes, "leave"), withHelp(k.No, "stay")}
}

func (d *leaveDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	k := d.sh.keys
	switch {
	case key.Matches(km, k.Yes):
		return d, tea.Batch(closeDialog, answer(leaveConfirmedMsg{}))
	case key.Matches(km, k.No), key.Matches(km, k.Quit):
		return d, closeDialog
	}
	return d, nil
}

func (d *leaveDialog) View(width int) string {
	return d.sh.styles.Dialog.Render(wrap(d.text, max(10, width-4), 0))
}

// stopRunDialog asks before an add-all run is stopped to leave: the run
// ends at its next safe point, and resuming the guide takes it up.
type stopRunDialog struct {
	sh   *shared
	text string
}

func (d *stopRunDialog) Typing() bool { return false }

func (d *stopRunDialog) Bindings() []key.Binding {
	k := d.sh.keys
	return []key.Binding{withHelp(k.Yes, "stop and leave"), withHelp(k.No, "keep running")}
}

func (d *stopRunDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	km, ok := msg.(tea.KeyPressMsg)
	if !ok {
		return d, nil
	}
	k := d.sh.keys
	switch {
	// ctrl+c again is the person insisting: stop.
	case key.Matches(km, k.Yes), key.Matches(km, k.Quit):
		return d, tea.Batch(closeDialog, answer(leaveConfirmedMsg{}))
	case key.Matches(km, k.No):
		return d, closeDialog
	}
	return d, nil
}

func (d *stopRunDialog) View(width int) string {
	return d.sh.styles.Dialog.Render(wrap(d.text, max(10, width-4), 0))
}

// discardDialog asks for the word discard before a secret that cannot be
// got back is dropped.
type discardDialog struct {
	sh    *shared
	warn  string
	input textinput.Model
	err   string
}

func newDiscardDialog(sh *shared, warn string) *discardDialog {
	d := &discardDialog{sh: sh, warn: warn, input: newInput("> ")}
	d.input.Focus()
	return d
}

func (d *discardDialog) Typing() bool { return true }

func (d *discardDialog) Bindings() []key.Binding {
	k := d.sh.keys
	return []key.Binding{withHelp(k.Next, "confirm"), withHelp(k.Back, "keep it")}
}

func (d *discardDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case dialogErrorMsg:
		d.err = msg.text
		return d, nil
	case tea.KeyPressMsg:
		k := d.sh.keys
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Quit):
			return d, tea.Batch(closeDialog, answer(keepHoldingMsg{}))
		case key.Matches(msg, k.Next):
			return d, answer(discardTypedMsg{text: d.input.Value()})
		}
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return d, cmd
}

func (d *discardDialog) View(width int) string {
	st := d.sh.styles
	var b strings.Builder
	b.WriteString(st.Warning.Render(wrap(d.warn, width, 0)) + "\n\n")
	b.WriteString("Type discard and press enter to leave without it, or esc to keep it:\n")
	b.WriteString(d.input.View() + "\n")
	if d.err != "" {
		b.WriteString("\n" + st.Error.Render(wrap(d.err, width, 0)) + "\n")
	}
	return b.String()
}

// Field indexes of the export dialog.
const (
	expPass = iota
	expConfirm
	expPath
)

// exportDialog asks for a passphrase, twice, and the file of an age
// export. The passphrase is never drawn, not even its length.
type exportDialog struct {
	sh     *shared
	inputs [3]textinput.Model
	focus  int
	err    string
	busy   bool // the file is being written
}

func newExportDialog(sh *shared, path string, width int) *exportDialog {
	d := &exportDialog{sh: sh}
	for i, p := range [3]string{"Passphrase: ", "Again:      ", "File:       "} {
		d.inputs[i] = newInput(p)
		d.inputs[i].SetWidth(max(10, min(width-15, 70)))
	}
	d.inputs[expPass].EchoMode = textinput.EchoNone
	d.inputs[expConfirm].EchoMode = textinput.EchoNone
	d.inputs[expPath].SetValue(path)
	d.setFocus(expPass)
	return d
}

func (d *exportDialog) Typing() bool { return true }

func (d *exportDialog) Bindings() []key.Binding {
	if d.busy {
		return nil
	}
	k := d.sh.keys
	return []key.Binding{withHelp(k.Next, "write"), k.NextItem, withHelp(k.Back, "cancel")}
}

func (d *exportDialog) setFocus(i int) {
	for j := range d.inputs {
		d.inputs[j].Blur()
	}
	d.focus = i
	d.inputs[i].Focus()
}

func (d *exportDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case dialogErrorMsg:
		// Whatever was wrong, the passphrase is typed again.
		d.err, d.busy = msg.text, false
		d.inputs[expPass].SetValue("")
		d.inputs[expConfirm].SetValue("")
		d.setFocus(expPass)
		return d, nil
	case tea.KeyPressMsg:
		if d.busy {
			return d, nil
		}
		k := d.sh.keys
		switch {
		case key.Matches(msg, k.Back), key.Matches(msg, k.Quit):
			return d, tea.Batch(closeDialog, answer(exportCancelledMsg{}))
		case key.Matches(msg, k.NextItem):
			d.setFocus((d.focus + 1) % len(d.inputs))
			return d, nil
		case key.Matches(msg, k.PrevItem):
			d.setFocus((d.focus + len(d.inputs) - 1) % len(d.inputs))
			return d, nil
		case key.Matches(msg, k.Next):
			if d.focus < expPath {
				d.setFocus(d.focus + 1)
				return d, nil
			}
			d.busy, d.err = true, ""
			return d, answer(exportSubmittedMsg{pass: d.inputs[expPass].Value(), again: d.inputs[expConfirm].Value(), path: d.inputs[expPath].Value()})
		}
	}
	var cmd tea.Cmd
	d.inputs[d.focus], cmd = d.inputs[d.focus].Update(msg)
	return d, cmd
}

func (d *exportDialog) View(width int) string {
	st := d.sh.styles
	var b strings.Builder
	b.WriteString(st.Label.Render("Write an encrypted file") + "\n")
	b.WriteString(wrap("The file is encrypted with your passphrase (age, readable with `age -d`); it is never written in plain text. Keep the file and the passphrase apart.", width, 0) + "\n\n")
	for i := range d.inputs {
		if i == expPath {
			b.WriteString(d.inputs[i].View())
		} else {
			b.WriteString(maskedView(d.inputs[i], st.Subtle.Render("  (entered, hidden)")))
		}
		b.WriteString("\n")
	}
	switch {
	case d.busy:
		b.WriteString("\nEncrypting…\n")
	case d.err != "":
		b.WriteString("\n" + st.Error.Render(wrap("✗ "+d.err, width, 2)) + "\n")
	}
	return b.String()
}
