package tui

import (
	"context"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/internal/app"
	"github.com/procore-sa/procore-sa/steps"
)

// The handover dialog's answers, and its work's result, which the capture
// screen acts on (it owns the offer; the dialog only draws it).
type (
	handoverPastedMsg struct{ key string }
	handoverWriteMsg  struct{}
	handoverBackMsg   struct{}
	handoverDoneMsg   struct{ res app.OfferResult }
)

// handoverer is where the capture screen's kept credential can be handed
// over to the vendor: a keychain profile kept by a keeper that can.
func (s *captureScreen) handoverer() (app.Handoverer, bool) {
	if s.step.Kind != steps.KindCredential || s.c.Phase != app.CaptureSaved || s.c.Exported != "" || s.c.Preset() || s.c.Saved.Profile == "" {
		return nil, false
	}
	h, ok := s.keeper.(app.HandsOver)
	if !ok {
		return nil, false
	}
	return h.Handover(), true
}

// openHandover starts the offer over the screen.
func (s *captureScreen) openHandover() tea.Cmd {
	s.offer = app.NewHandoverOffer(s.c.Saved.Profile)
	return openDialog(newHandoverDialog(s.sh, s.offer, s.width))
}

// updateHandover takes the dialog's answers and the offer's results; ok
// is false for any other message.
func (s *captureScreen) updateHandover(msg tea.Msg) (tea.Cmd, bool) {
	if s.offer == nil {
		return nil, false
	}
	switch msg := msg.(type) {
	case handoverPastedMsg:
		job, err := s.offer.Paste(msg.key)
		if err != nil {
			return dialogError(sentence(err.Error())), true
		}
		return s.runOffer(job), true
	case handoverWriteMsg:
		if job, ok := s.offer.Write(); ok {
			return s.runOffer(job), true
		}
		return nil, true
	case handoverBackMsg:
		s.offer.Back()
		return nil, true
	case handoverDoneMsg:
		s.offer.Done(msg.res)
		if s.offer.Err != nil {
			return dialogError(sentence(s.offer.Err.Error())), true
		}
		if s.offer.Phase == app.OfferWritten {
			s.handedOver = s.offer.Result.Path
		}
		return nil, true
	}
	return nil, false
}

// runOffer runs an offer's job as a command.
func (s *captureScreen) runOffer(job app.OfferJob) tea.Cmd {
	h, _ := s.handoverer()
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), app.SaveTimeout)
		defer cancel()
		return handoverDoneMsg{res: job(ctx, h)}
	}
}

// handoverDialog draws the offer: a field for the vendor's public key,
// then its fingerprint (with the production warning when one is due),
// then where the file is and what to send.
type handoverDialog struct {
	sh    *shared
	offer *app.HandoverOffer
	input textinput.Model
	err   string
}

func newHandoverDialog(sh *shared, o *app.HandoverOffer, width int) *handoverDialog {
	d := &handoverDialog{sh: sh, offer: o, input: newInput("Public key: ")}
	d.input.SetWidth(max(10, min(width-16, 70)))
	d.input.Placeholder = "age1... or ssh-ed25519 AAAA... or ssh-rsa AAAA..."
	d.input.Focus()
	return d
}

func (d *handoverDialog) Typing() bool { return d.offer.Phase == app.OfferAsking }

func (d *handoverDialog) Bindings() []key.Binding {
	k := d.sh.keys
	switch d.offer.Phase {
	case app.OfferAsking:
		return []key.Binding{withHelp(k.Next, "read the key"), withHelp(k.Back, "cancel")}
	case app.OfferConfirming:
		return []key.Binding{withHelp(k.Yes, "write the file"), withHelp(k.No, "another key")}
	case app.OfferWritten:
		return []key.Binding{withHelp(k.Next, "done")}
	}
	return nil
}

func (d *handoverDialog) Update(msg tea.Msg) (dialog, tea.Cmd) {
	switch msg := msg.(type) {
	case dialogErrorMsg:
		d.err = msg.text
		return d, nil
	case tea.KeyPressMsg:
		k := d.sh.keys
		switch d.offer.Phase {
		case app.OfferAsking:
			switch {
			case key.Matches(msg, k.Back), key.Matches(msg, k.Quit):
				return d, closeDialog
			case key.Matches(msg, k.Next):
				d.err = ""
				return d, answer(handoverPastedMsg{key: d.input.Value()})
			}
		case app.OfferConfirming:
			switch {
			case key.Matches(msg, k.Yes):
				d.err = ""
				return d, answer(handoverWriteMsg{})
			case key.Matches(msg, k.No), key.Matches(msg, k.Quit):
				d.err = ""
				d.input.SetValue("")
				return d, answer(handoverBackMsg{})
			}
			return d, nil
		case app.OfferWritten:
			if key.Matches(msg, k.Next) || key.Matches(msg, k.Back) || key.Matches(msg, k.Quit) {
				return d, closeDialog
			}
			return d, nil
		default:
			return d, nil
		}
	}
	if d.offer.Phase != app.OfferAsking {
		return d, nil
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return d, cmd
}

func (d *handoverDialog) View(width int) string {
	st := d.sh.styles
	o := d.offer
	var b strings.Builder
	b.WriteString(st.Label.Render("Hand it over to the vendor") + "\n")
	switch o.Phase {
	case app.OfferAsking, app.OfferWorking:
		b.WriteString(wrap("Paste the vendor's public key: an age key (age1...) or an SSH public key line. The file is encrypted to it, so only the vendor can read it; nothing secret goes through a web form, a chat or an email.", width, 0) + "\n\n")
		b.WriteString(d.input.View() + "\n")
		if o.Phase == app.OfferWorking {
			b.WriteString("\nReading the key…\n")
		}
	case app.OfferConfirming, app.OfferWriting:
		b.WriteString(wrap("Key: "+o.Recipient.Describe(), width, 5) + "\n")
		b.WriteString(wrap("Ask the vendor to read you its fingerprint, and compare.", width, 0) + "\n\n")
		if o.Plan.NeedsConfirm() {
			b.WriteString(st.Warning.Render(wrap("⚠ "+sentence(o.Plan.Warning()), width, 2)) + "\n\n")
		}
		b.WriteString(wrap("File: "+o.Plan.Out, width, 6) + "\n")
		if o.Phase == app.OfferWriting {
			b.WriteString("\nEncrypting…\n")
		} else {
			b.WriteString("\nPress y to write it, n to give another key.\n")
		}
	case app.OfferWritten:
		b.WriteString(st.Success.Render(wrap("✓ Written to "+o.Result.Path+" (0600)", width, 2)) + "\n\n")
		for _, line := range o.Result.Send() {
			b.WriteString(wrap(line, width, 0) + "\n")
		}
	}
	if d.err != "" {
		b.WriteString("\n" + st.Error.Render(wrap("✗ "+d.err, width, 2)) + "\n")
	}
	return b.String()
}
