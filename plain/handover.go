package plain

import (
	"context"
	"errors"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/procore-sa/procore-sa/internal/app"
)

// offerHandover draws the handover offer (app.HandoverOffer) once a
// capture is kept: paste the vendor's public key, see its fingerprint
// (and, for a production credential going to a key it never went to, a
// warning to answer), write the file, and read where it is and what to
// send. With the input not a terminal (a script), it only says how to do
// it later, asking nothing.
func (r *Runner) offerHandover(ctx context.Context, profile string) error {
	hk, ok := r.Custody.(app.HandsOver)
	if !ok || profile == "" {
		return nil
	}
	if f, isFile := r.In.(*os.File); !isFile || !term.IsTerminal(int(f.Fd())) {
		r.printf("To hand it to the vendor encrypted to their public key: procore-sa secret handover %s --to KEY\n", profile)
		return nil
	}
	h := hk.Handover()
	o := app.NewHandoverOffer(profile)
	for {
		ans, err := r.ask("Hand it over to the vendor, encrypted to their public key? Paste their key (age1..., ssh-ed25519 ... or ssh-rsa ...), or press enter to go on: ")
		switch {
		case errors.Is(err, errBack):
			return nil
		case err != nil:
			return err
		case strings.TrimSpace(ans) == "":
			return nil
		}
		job, err := o.Paste(ans)
		if err != nil {
			r.printf("  %s\n", sentenceCase(err.Error()))
			continue
		}
		o.Done(job(ctx, h))
		if o.Err != nil {
			r.printf("  %s\n", sentenceCase(o.Err.Error()))
			continue
		}
		r.printf("The vendor's key: %s\n", o.Recipient.Describe())
		if o.Plan.NeedsConfirm() {
			r.printf("Warning: %s\n", sentenceCase(o.Plan.Warning()))
			ans, err := r.ask("Type yes to hand it over to this key, or press enter to give another: ")
			if err != nil && !errors.Is(err, errBack) {
				return err
			}
			if err != nil || strings.TrimSpace(strings.ToLower(ans)) != "yes" {
				o.Back()
				r.printf("Nothing was written.\n")
				continue
			}
		}
		ans, err = r.ask("File [" + o.Plan.Out + "] (or b to give another key): ")
		if errors.Is(err, errBack) {
			o.Back()
			r.printf("Nothing was written.\n")
			continue
		}
		if err != nil {
			return err
		}
		if path := strings.TrimSpace(ans); path != "" {
			o.Plan.Out = path
		}
		w, _ := o.Write()
		o.Done(w(ctx, h))
		if o.Err != nil {
			r.printf("The file could not be written: %v\n", o.Err)
			o.Back()
			continue
		}
		r.printf("Written: %s (0600, encrypted to %s).\n", o.Result.Path, o.Recipient.Fingerprint)
		for _, line := range o.Result.Send() {
			r.printf("  %s\n", line)
		}
		return nil
	}
}
