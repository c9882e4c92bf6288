package main

import (
	"fmt"
)

// warn tells the person of a failure: on the full screen while it is up,
// else on stderr.
func (a *cli) warn(msg string) {
	if !a.notices.Show(msg) {
		fmt.Fprintln(a.stderr, "procore-sa: "+msg)
	}
}
