package cmdutil

import (
	"fmt"
	"io"
	"sync"
)

// Notices carries what the program must tell the person (an audit log it
// could not write) while the full-screen wizard owns the terminal: written
// to stderr then, it would land under the screen, garbled or wiped. It goes
// to the screen's status line instead, and is said again on stderr once
// the screen is gone.
type Notices struct {
	mu   sync.Mutex
	send func(string) // to the screen, while it is up
	held []string
}

// Begin routes notices to the screen through send.
func (n *Notices) Begin(send func(msg string)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.send, n.held = send, nil
}

// End stops routing and repeats on w what the screen was told.
func (n *Notices) End(w io.Writer) {
	if n == nil {
		return
	}
	n.mu.Lock()
	held := n.held
	n.send, n.held = nil, nil
	n.mu.Unlock()
	for _, msg := range held {
		fmt.Fprintln(w, "procore-sa: "+msg)
	}
}

// Show sends msg to the screen when it is up, and reports whether it did.
func (n *Notices) Show(msg string) bool {
	if n == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.send == nil {
		return false
	}
	n.held = append(n.held, msg)
	// The screen's Send waits for the program's loop; never hold it up
	// from here, which may be a command the loop is waiting on.
	go n.send(msg)
	return true
}
