package tui

import (
	"sync"

	tea "charm.land/bubbletea/v2"

	"github.com/procore-sa/procore-sa/procore"
)

// news carries what a client says while a step's work runs (a rate-limit
// wait, a retry) from the work's goroutine to the screen: the work calls
// send, a command waits for the next word, and the screen shows the latest.
type news struct {
	mu     sync.Mutex
	ch     chan string
	closed bool
}

// newsMsg is one word of a step's work, for the run seq of step.
type newsMsg struct {
	step string
	seq  int
	text string
	from *news
}

func newNews() *news { return &news{ch: make(chan string, 8)} }

// send never blocks: a screen that has not read the last word yet gets
// this one later or not at all, and a word after the work ended is dropped.
func (n *news) send(e procore.Event) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.closed {
		return
	}
	select {
	case n.ch <- e.String():
	default:
	}
}

// close ends the feed once the work has returned.
func (n *news) close() {
	n.mu.Lock()
	defer n.mu.Unlock()
	if !n.closed {
		n.closed = true
		close(n.ch)
	}
}

// listen is the command that waits for the feed's next word.
func (n *news) listen(step string, seq int) tea.Cmd {
	return func() tea.Msg {
		text, ok := <-n.ch
		if !ok {
			return nil
		}
		return newsMsg{step: step, seq: seq, text: text, from: n}
	}
}
