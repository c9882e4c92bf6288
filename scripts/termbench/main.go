// Command termbench measures, in a real tmux pane, how long a program takes
// to draw its first frame and to answer a key, against yardsticks: a bare
// Bubble Tea v2 program for the first frame, and the terminal's own echo
// (cat) for a key. scripts/bench-terminal builds the programs and runs it.
//
// It watches the pane's output through tmux's pipe-pane, so what it times
// is what reaches the terminal, not what a screen scrape sees later. Each
// program is started behind a `read` that waits for a first Enter: the
// pipe is in place before the program starts, and the clock starts when
// that Enter is sent.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

func main() {
	procore := flag.String("procore-sa", "", "the procore-sa binary")
	bare := flag.String("bare", "", "the bare Bubble Tea program")
	runs := flag.Int("runs", 15, "first-frame runs per program")
	keys := flag.Int("keys", 40, "keys per program")
	strict := flag.Bool("strict", false, "exit 1 when a goal is missed")
	flag.Parse()
	if *procore == "" || *bare == "" {
		fmt.Fprintln(os.Stderr, "usage: termbench -procore-sa BIN -bare BIN [-runs N] [-keys N] [-strict]")
		os.Exit(2)
	}
	dir, err := os.MkdirTemp("", "termbench")
	check(err)
	defer os.RemoveAll(dir)
	b := &bench{sock: fmt.Sprintf("termbench-%d", os.Getpid()), dir: dir}
	defer b.tmux("kill-server")

	// procore-sa with empty state and config: it opens on the guide picker.
	env := fmt.Sprintf("env XDG_STATE_HOME=%s XDG_CONFIG_HOME=%s NO_COLOR=1 ", filepath.Join(dir, "state"), filepath.Join(dir, "config"))
	psa := env + *procore
	bareCmd := env + *bare

	ffPSA := b.firstFrames(psa, "Choose a guide", *runs)
	ffBare := b.firstFrames(bareCmd, "Choose a guide", *runs)
	ffBare120 := b.firstFrames(bareCmd+" -fps 120", "Choose a guide", *runs)
	keyPSA := b.keyLatency(psa, "Choose a guide", []string{"Down", "Up"}, *keys)
	keyEcho := b.keyLatency("cat", "", []string{"a"}, *keys)
	keyBare := b.keyLatency(bareCmd+" -fps 120", "Choose a guide", []string{"a"}, *keys)

	fmt.Printf("%-34s %10s %10s %10s\n", "", "median", "p90", "runs")
	row := func(name string, d []time.Duration) {
		fmt.Printf("%-34s %10s %10s %10d\n", name, ms(pct(d, 50)), ms(pct(d, 90)), len(d))
	}
	row("first frame: procore-sa", ffPSA)
	row("first frame: bare Bubble Tea v2", ffBare)
	row("first frame: bare, 120 frames/s", ffBare120)
	row("key to frame: procore-sa (↓/↑)", keyPSA)
	row("key to frame: bare, 120 frames/s", keyBare)
	row("key to echo: cat", keyEcho)
	first := ratio(pct(ffPSA, 50), pct(ffBare, 50))
	key := ratio(pct(keyPSA, 50), pct(keyEcho, 50))
	fmt.Printf("\nfirst frame: %.2f× the bare program (goal ≤ 1.30×); %.2f× it at 120 frames/s\n", first, ratio(pct(ffPSA, 50), pct(ffBare120, 50)))
	fmt.Printf("key to frame: %.2f× the echo (goal ≤ 1.30×); the bare program at 120 frames/s: %.2f×\n", key, ratio(pct(keyBare, 50), pct(keyEcho, 50)))
	if *strict && (first > 1.3 || key > 1.3) {
		os.Exit(1)
	}
}

type bench struct {
	sock, dir string
	n         int
}

func (b *bench) tmux(args ...string) string {
	out, _ := exec.Command("tmux", append([]string{"-L", b.sock, "-f", "/dev/null"}, args...)...).CombinedOutput()
	return string(out)
}

// start opens a pane running cmd behind a `read`, with its output piped to
// a file, and returns the session name and the file.
func (b *bench) start(cmd string) (string, string) {
	b.n++
	name := fmt.Sprintf("s%d", b.n)
	out := filepath.Join(b.dir, name+".out")
	check(os.WriteFile(out, nil, 0o600))
	shell := "stty -echo; read _; stty echo; exec " + cmd
	b.tmux("new-session", "-d", "-x", "120", "-y", "40", "-s", name, "sh", "-c", shell)
	b.tmux("pipe-pane", "-t", name, "-o", "cat >> "+out)
	time.Sleep(150 * time.Millisecond) // the pipe's cat has started
	return name, out
}

// firstFrames times, n times, from the Enter that starts cmd until marker
// reaches the terminal.
func (b *bench) firstFrames(cmd, marker string, n int) []time.Duration {
	var ds []time.Duration
	for range n {
		name, out := b.start(cmd)
		t0 := time.Now()
		b.tmux("send-keys", "-t", name, "Enter")
		d, ok := waitFor(out, 0, marker, t0, 10*time.Second)
		b.tmux("kill-session", "-t", name)
		if ok {
			ds = append(ds, d)
		}
	}
	return ds
}

// keyLatency starts cmd, waits for ready (when given), then sends n keys,
// taking turns through keys (each must change the screen: down then up),
// and times each until the terminal gets its first byte of answer.
func (b *bench) keyLatency(cmd, ready string, keys []string, n int) []time.Duration {
	name, out := b.start(cmd)
	defer b.tmux("kill-session", "-t", name)
	b.tmux("send-keys", "-t", name, "Enter")
	if ready != "" {
		if _, ok := waitFor(out, 0, ready, time.Now(), 10*time.Second); !ok {
			return nil
		}
	}
	time.Sleep(300 * time.Millisecond)
	var ds []time.Duration
	for i := range n {
		size := fileSize(out)
		t0 := time.Now()
		b.tmux("send-keys", "-t", name, keys[i%len(keys)])
		if d, ok := waitGrowth(out, size, t0, 2*time.Second); ok {
			ds = append(ds, d)
		}
		// Let the frame settle, for a random while: a fixed gap falls in
		// step with the renderer's frame clock and times the same phase of
		// it every key.
		time.Sleep(time.Duration(40+rand.IntN(40)) * time.Millisecond)
	}
	return ds
}

// waitFor waits until marker is in path after offset from, and says how
// long after t0 it came.
func waitFor(path string, from int64, marker string, t0 time.Time, limit time.Duration) (time.Duration, bool) {
	for time.Since(t0) < limit {
		b, _ := os.ReadFile(path)
		if int64(len(b)) > from && bytes.Contains(b[from:], []byte(marker)) {
			return time.Since(t0), true
		}
		time.Sleep(100 * time.Microsecond)
	}
	return 0, false
}

// waitGrowth waits until path is larger than size, and says how long
// after t0 it grew.
func waitGrowth(path string, size int64, t0 time.Time, limit time.Duration) (time.Duration, bool) {
	for time.Since(t0) < limit {
		if fileSize(path) > size {
			return time.Since(t0), true
		}
		time.Sleep(100 * time.Microsecond)
	}
	return 0, false
}

func fileSize(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

func pct(ds []time.Duration, p int) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

func ratio(a, b time.Duration) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string {
	return strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.1f", float64(d)/float64(time.Millisecond)), "0"), ".") + " ms"
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "termbench:", err)
		os.Exit(1)
	}
}
