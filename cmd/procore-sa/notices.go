package main

import (
	"fmt"
	"io"
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/tui"
)

// screenNotices carries what the program must tell the person (an audit
// log it could not write) while the full-screen wizard owns the terminal:
// written to stderr then, it would land under the screen, garbled or
// wiped. It goes to the screen's status line instead, and is said again on
// stderr once the screen is gone.
type screenNotices struct {
	mu   sync.Mutex
	send func(tea.Msg) // the program's Send, while the screen is up
	held []string
}

// begin routes notices to the screen through send.
func (n *screenNotices) begin(send func(tea.Msg)) {
	n.mu.Lock()
	defer n.mu.Unlock()
	n.send, n.held = send, nil
}

// end stops routing and repeats on w what the screen was told.
func (n *screenNotices) end(w io.Writer) {
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

// show sends msg to the screen when it is up, and reports whether it did.
func (n *screenNotices) show(msg string) bool {
	if n == nil {
		return false
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.send == nil {
		return false
	}
	n.held = append(n.held, msg)
	// Send waits for the program's loop; never hold it up from here,
	// which may be a command the loop is waiting on.
	go n.send(tui.NoticeMsg{Text: msg})
	return true
}

// warn tells the person of a failure: on the full screen while it is up,
// else on stderr.
func (a *cli) warn(msg string) {
	if !a.notices.show(msg) {
		fmt.Fprintln(a.stderr, "procore-sa: "+msg)
	}
}
