package main

import (
	"io"
	"strings"

	"github.com/charmbracelet/colorprofile"
)

// colorProfile is the full-screen wizard's colour profile. Detect reads
// the output and TERM, COLORTERM and the colour switches when they are 1 or
// true; the rules below add the switches' other values: NO_COLOR set to
// anything but empty means no colour, even over CLICOLOR_FORCE; a
// CLICOLOR_FORCE of anything but empty or 0 means colour; CLICOLOR=0 means
// none. No colour keeps bold and the like (ASCII), as NO_COLOR asks.
func colorProfile(w io.Writer, environ []string) colorprofile.Profile {
	p := colorprofile.Detect(w, environ)
	get := func(name string) string {
		v := ""
		for _, kv := range environ { // the last one wins, as in a process's environment
			if k, val, ok := strings.Cut(kv, "="); ok && k == name {
				v = val
			}
		}
		return v
	}
	force := get("CLICOLOR_FORCE")
	switch {
	case get("NO_COLOR") != "":
		p = min(p, colorprofile.ASCII)
	case force != "" && force != "0":
		p = max(p, colorprofile.ANSI)
	case get("CLICOLOR") == "0":
		p = min(p, colorprofile.ASCII)
	}
	return p
}
