package cmdtest

import (
	"fmt"
	"io"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/procore-sa/procore-sa/internal/walkthrough"
	"github.com/procore-sa/procore-sa/steps"
)

// Person answers the plain wizard's prompts one at a time, as each is
// asked, by what it asks and what the guide says, so that a walk follows
// the guide as it is: enter at a notice, y at each checklist item and
// matrix box, at each form field the value walkthrough.Value gives it, demo
// at the capture's client ID, the tool's own way at a step it can do (sign
// in, add, read the plan and make its changes; at a list of projects to
// choose, the first o.PickProjects), and enter at the checks and the audit. Give In to the wizard as its stdin and Out as its stdout.
//
// A prompt it does not know, or one asked again and again, ends the input
// (the wizard then leaves, saving its place); Err says why.
type Person struct {
	// Answer, when set, is asked first; ok=false leaves the prompt to the
	// rules above.
	Answer func(p Prompt) (answer string, ok bool)
	// Stall is how long it waits for a prompt before it ends the input.
	Stall time.Duration

	g      *steps.Guide
	o      walkthrough.Options
	values map[string]string // the form fields answered, by id
	picked map[int]bool      // the steps whose projects were ticked, by index

	inR *io.PipeReader
	inW *io.PipeWriter

	mu    sync.Mutex
	out   strings.Builder
	seen  int // how much output the last answer followed
	log   []Exchange
	asked []Asked
	err   error
	wake  chan struct{}
	done  chan struct{}
	ended chan struct{}
	once  sync.Once
}

// Prompt is a question the wizard asks: its last line, what it printed
// since the last answer, and the step it is on.
type Prompt struct {
	Line  string      // the prompt's own line, as printed (no newline)
	Since string      // the output since the previous answer, Line included
	Step  *steps.Step // nil before the first step
	Index int         // the step's index in the guide, -1 before the first
}

// Exchange is one prompt and what the person answered.
type Exchange struct {
	Step   string // the step's id, "" before the first
	Prompt string
	Answer string
}

// Asked is a choice the tool left to the person at a step it can do,
// in Procore's words; the person then did the step by hand.
type Asked struct {
	Step string
	Text string
}

// Asks is every choice the tool left to the person.
func (p *Person) Asks() []Asked {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Asked(nil), p.asked...)
}

// NewPerson starts a person walking g as o says (o.Answers for the
// fields with a role; walkthrough.Demo() under --demo). Close it when the
// walk is over.
func NewPerson(g *steps.Guide, o walkthrough.Options) *Person {
	p := &Person{g: g, o: o, values: map[string]string{}, picked: map[int]bool{}, Stall: 30 * time.Second,
		wake: make(chan struct{}, 1), done: make(chan struct{}), ended: make(chan struct{})}
	p.inR, p.inW = io.Pipe()
	go p.run()
	return p
}

// In is what the person types, to be read as stdin.
func (p *Person) In() io.Reader { return p.inR }

// Out is what the person reads, to be written as stdout.
func (p *Person) Out() io.Writer { return personOut{p} }

type personOut struct{ p *Person }

func (o personOut) Write(b []byte) (int, error) {
	o.p.mu.Lock()
	n, err := o.p.out.Write(b)
	o.p.mu.Unlock()
	select {
	case o.p.wake <- struct{}{}:
	default:
	}
	return n, err
}

// String is everything the wizard has written to Out.
func (p *Person) String() string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.out.String()
}

// Log is every prompt so far with its answer.
func (p *Person) Log() []Exchange {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Exchange(nil), p.log...)
}

// Err says why the person ended the input early, or nil.
func (p *Person) Err() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.err
}

// Close ends the input and the person's reading; it waits until the
// person has stopped.
func (p *Person) Close() {
	p.once.Do(func() { close(p.done) })
	p.inR.Close()
	<-p.ended
}

// Transcript is the log as lines, for a test's failure message.
func (p *Person) Transcript() string {
	var b strings.Builder
	for _, e := range p.Log() {
		fmt.Fprintf(&b, "[%s] %q -> %q\n", e.Step, strings.TrimSpace(e.Prompt), e.Answer)
	}
	if err := p.Err(); err != nil {
		fmt.Fprintf(&b, "ended: %v\n", err)
	}
	return b.String()
}

// stepLine is the line that starts each step.
var stepLine = regexp.MustCompile(`(?m)^Step (\d+) of (\d+): `)

// maxAgain is how often the very same prompt may be asked in a row, its
// answer refused, before the person gives up.
const maxAgain = 3

func (p *Person) run() {
	defer close(p.ended)
	defer p.inW.Close()
	last, again := "", 0
	for {
		prompt, ok := p.next()
		if !ok {
			return
		}
		key := prompt.Line + "\n" + prompt.Since
		if prompt.Index >= 0 {
			key = strconv.Itoa(prompt.Index) + "\n" + key
		}
		if key == last {
			if again++; again >= maxAgain {
				p.stop(fmt.Errorf("asked %q %d times in a row", strings.TrimSpace(prompt.Line), again+1))
				return
			}
		} else {
			last, again = key, 0
		}
		answer, err := p.answer(prompt)
		if err != nil {
			p.stop(err)
			return
		}
		id := ""
		if prompt.Step != nil {
			id = prompt.Step.ID
		}
		p.mu.Lock()
		p.log = append(p.log, Exchange{Step: id, Prompt: prompt.Line, Answer: answer})
		p.mu.Unlock()
		if _, err := io.WriteString(p.inW, answer+"\n"); err != nil {
			return // the wizard has stopped reading
		}
	}
}

// stop ends the input, saying why.
func (p *Person) stop(err error) {
	p.mu.Lock()
	p.err = err
	p.mu.Unlock()
}

// next waits for a prompt: output after the last answer that ends in a
// line not yet ended, which the wizard writes whole and then waits at.
func (p *Person) next() (Prompt, bool) {
	stall := time.NewTimer(p.Stall)
	defer stall.Stop()
	for {
		p.mu.Lock()
		text := p.out.String()
		if len(text) > p.seen && !strings.HasSuffix(text, "\n") {
			since := text[p.seen:]
			p.seen = len(text)
			p.mu.Unlock()
			pr := Prompt{Line: since[strings.LastIndexByte(since, '\n')+1:], Since: since, Index: -1}
			if m := stepLine.FindAllStringSubmatch(text, -1); m != nil {
				n, _ := strconv.Atoi(m[len(m)-1][1])
				if of, _ := strconv.Atoi(m[len(m)-1][2]); of == len(p.g.Steps) && n >= 1 && n <= of {
					pr.Index, pr.Step = n-1, &p.g.Steps[n-1]
				}
			}
			return pr, true
		}
		p.mu.Unlock()
		select {
		case <-p.wake:
		case <-p.done:
			return Prompt{}, false
		case <-stall.C:
			p.stop(fmt.Errorf("no prompt for %s", p.Stall))
			return Prompt{}, false
		}
	}
}

// numbered is an option of a numbered question: "  2. Do it by (h)and".
var numbered = regexp.MustCompile(`(?m)^\s+(\d+)\. (.*)$`)

// answer is what the person types at the prompt.
func (p *Person) answer(pr Prompt) (string, error) {
	if p.Answer != nil {
		if a, ok := p.Answer(pr); ok {
			return a, nil
		}
	}
	line := strings.TrimSpace(pr.Line)
	lower := strings.ToLower(line)
	has := func(s ...string) bool {
		for _, x := range s {
			if strings.Contains(lower, strings.ToLower(x)) {
				return true
			}
		}
		return false
	}
	st := pr.Step
	switch {
	case has("Number or id"):
		return p.g.ID, nil
	case has("Resume there?"):
		return "n", nil // start over: the walk is the whole guide
	case has("Done? [y/n]", "ticked? [y/n]", "Have you done this?", "Type y once"):
		return "y", nil
	case has("Add the account to every project now?"):
		return "y", nil
	case has("Check them with Procore before saving?"):
		return "y", nil
	case strings.HasPrefix(line, "Client ID"):
		if p.o.Capture == nil {
			return "", fmt.Errorf("asked for a client ID with nothing to capture: %q", line)
		}
		return "demo", nil
	case has("client secret", "paste the code", "The app's client ID"):
		// The demo fills in the secret and signs in at once: nothing is
		// typed that the simulator does not hand over by itself.
		return "", fmt.Errorf("asked for what the demo fills in: %q", line)
	case strings.HasPrefix(line, "Password:"), strings.HasPrefix(line, "Confirm:"):
		return walkthrough.Password, nil
	case has("Type a number from"):
		return p.choose(pr)
	case has("Type numbers to tick"):
		// The list of projects to choose: the first few ticked at once
		// (o.PickProjects, at least one), then enter.
		if p.picked[pr.Index] {
			return "", nil
		}
		p.picked[pr.Index] = true
		return fmt.Sprintf("1-%d", max(1, p.o.PickProjects)), nil
	case has("Try again (t)", "Type t to try again"):
		return "t", nil // the guard against asking again ends a failure that stays
	case has("Hand it over to the vendor"):
		return "", nil
	case has("Type discard"):
		return "", nil // keep it
	case has("press enter"):
		return "", nil // a notice, a sign-in, a reading of checks, the audit
	}
	if st != nil {
		// The field whose label the prompt starts with (the longest, should
		// one label start another).
		var field *steps.Field
		// Plain mode asks "Type the <label> ...".
		asked := strings.TrimPrefix(strings.TrimPrefix(strings.TrimPrefix(line, "Type the "), "Type "), "Choose the ")
		for i, f := range st.Fields {
			if (strings.HasPrefix(line, f.Label) || strings.HasPrefix(asked, f.Label)) && (field == nil || len(f.Label) > len(field.Label)) {
				field = &st.Fields[i]
			}
		}
		if field != nil {
			return p.field(pr, *field), nil
		}
	}
	return "", fmt.Errorf("a prompt the person does not know: %q", line)
}

// field is a valid value for f, as the full-screen walk types it.
func (p *Person) field(pr Prompt, f steps.Field) string {
	v := walkthrough.Value(p.g, p.o, f, p.values)
	if f.Type == steps.FieldChoice {
		// A numbered choice is answered with the option's number.
		for _, m := range numbered.FindAllStringSubmatch(pr.Since, -1) {
			if strings.TrimSpace(m[2]) == v {
				return m[1]
			}
		}
	}
	return v
}

// choose answers a numbered question about a step the tool can do: read
// the plan, make its changes (or record that there are none); else the
// default.
func (p *Person) choose(pr Prompt) (string, error) {
	options := numbered.FindAllStringSubmatch(pr.Since, -1)
	if _, ask, ok := strings.Cut(pr.Since, "A choice only you can make: "); ok {
		// Procore lacks what only the person can choose (a template by
		// name, say): they do the step by hand, as the guide says.
		ask, _, _ = strings.Cut(ask, "\n")
		p.mu.Lock()
		p.asked = append(p.asked, Asked{Step: pr.Step.ID, Text: ask})
		p.mu.Unlock()
		for _, m := range options {
			if strings.HasPrefix(strings.ToLower(m[2]), "do it by (h)and") {
				return m[1], nil
			}
		}
	}
	for _, m := range options {
		o := strings.ToLower(m[2])
		if strings.HasPrefix(o, "read procore and see what would change") || strings.HasPrefix(o, "(y)es") ||
			strings.HasPrefix(o, "record it as done") {
			return m[1], nil
		}
	}
	return "", nil
}

// Steps is the plain wizard's output step by step: by the step's index in
// the guide, what it printed from the step's first line to the next
// step's (the last time, for a step shown more than once).
func Steps(stdout string) map[int]string {
	out := map[int]string{}
	at := stepLine.FindAllStringSubmatchIndex(stdout, -1)
	for i, m := range at {
		end := len(stdout)
		if i+1 < len(at) {
			end = at[i+1][0]
		}
		n, _ := strconv.Atoi(stdout[m[2]:m[3]])
		out[n-1] = stdout[m[0]:end]
	}
	return out
}

// Requirement is a row of a reading of checks as the plain wizard says
// it: "Holds", "Needs fixing" or "Could not be read", and its text.
type Requirement struct {
	Verdict, Text string
}

// requirementLine is a row of a reading: "  2. Needs fixing: The ....".
var requirementLine = regexp.MustCompile(`(?m)^\s+\d+\. (Holds|Needs fixing|Could not be read): (.*)$`)

// Requirements are the rows of the last reading of checks in s (the
// output of a step).
func Requirements(s string) []Requirement {
	if i := strings.LastIndex(s, "\nReading "); i >= 0 {
		s = s[i:]
	}
	var out []Requirement
	for _, m := range requirementLine.FindAllStringSubmatch(s, -1) {
		out = append(out, Requirement{Verdict: m[1], Text: strings.TrimSpace(m[2])})
	}
	return out
}
