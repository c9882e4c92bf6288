package steps

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

// idRE is what a guide id may look like: it is typed on the command line.
var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// issue is one semantic problem, at a YAML path resolved to a line and
// column only when it is reported.
// pos, when set, is where to point if nothing is found at path.
type issue struct {
	path, msg string
	pos       Pos
}

// checker validates a decoded guide: everything the YAML types cannot say.
type checker struct {
	ast    *ast.File
	issues []issue

	stepIDs  map[string]int      // step id -> index
	fieldAt  map[string]string   // field id -> the step that defines it
	allField map[string]bool     // every field id in the guide
	defaults map[string]string   // field id -> default, of the fields so far
	roleAt   map[Role]string     // role -> the field that has it
	choices  map[string][]string // choice field id -> its options, of the fields so far
	auto     automation
}

func (c *checker) add(path, format string, args ...any) {
	c.issues = append(c.issues, issue{path: path, msg: fmt.Sprintf(format, args...)})
}

// addAt is add for a path that may not resolve to a node (a key of an
// action's with, an action written as a name): pos is the fallback.
func (c *checker) addAt(path string, pos Pos, format string, args ...any) {
	c.issues = append(c.issues, issue{path: path, msg: fmt.Sprintf(format, args...), pos: pos})
}

// err is the problems found, positioned and in file order, or nil.
func (c *checker) err(file string, f *ast.File) error {
	if len(c.issues) == 0 {
		return nil
	}
	n := min(len(c.issues), maxProblems)
	list := make([]*ParseError, 0, n+1)
	for _, is := range c.issues[:n] {
		line, col := position(f, is.path)
		if n := lookup(f, is.path); (n == nil || isNil(n)) && is.pos.Line > 0 {
			line, col = is.pos.Line, is.pos.Column
		}
		list = append(list, &ParseError{File: file, Line: line, Column: col, Msg: clean(is.msg)})
	}
	slices.SortStableFunc(list, func(a, b *ParseError) int {
		return cmp.Or(cmp.Compare(a.Line, b.Line), cmp.Compare(a.Column, b.Column))
	})
	if more := len(c.issues) - n; more > 0 {
		last := list[len(list)-1]
		list = append(list, &ParseError{File: file, Line: last.Line, Column: last.Column,
			Msg: fmt.Sprintf("and %d more problems", more)})
	}
	if len(list) == 1 {
		return list[0]
	}
	errs := make([]error, len(list))
	for i, e := range list {
		errs[i] = e
	}
	return errors.Join(errs...)
}

func blank(s string) bool { return strings.TrimSpace(s) == "" }

// text refuses control characters (other than new line and tab) and the
// invisible characters that reorder text: a guide must not be able to move
// the cursor, colour the terminal or disguise what it says. It also refuses
// a text longer than MaxText characters.
func (c *checker) text(path, s string) {
	n := 0
	for _, r := range s {
		n++
		if r == '\n' || r == '\t' {
			continue
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			c.add(path, "%s holds the control character %U, which a guide may not contain (it could disguise what the screen shows)", pathName(path), r)
			return
		}
	}
	if n > MaxText {
		c.add(path, "%s is %d characters long: a text may have at most %d", pathName(path), n, MaxText)
	}
}

// pathName names the value at a YAML path in a message: "body",
// "checklist item 2", "option 1".
func pathName(path string) string {
	name := path[strings.LastIndexByte(path, '.')+1:]
	key, index, ok := strings.Cut(name, "[")
	if !ok {
		return name
	}
	n, err := strconv.Atoi(strings.TrimSuffix(index, "]"))
	if err != nil {
		return key
	}
	switch key {
	case "checklist":
		key = "checklist item"
	case "options":
		key = "option"
	case "rows":
		key = "matrix row"
	case "columns":
		key = "matrix column"
	}
	return fmt.Sprintf("%s %d", key, n+1)
}

// limit refuses a list longer than most, pointing at its first item too
// many: "step "a": 41 checklist items: a step may have at most 40".
func (c *checker) limit(path, name, what, holder string, n, most int) {
	if n > most {
		c.add(fmt.Sprintf("%s[%d]", path, most), "%s: %d %s: %s may have at most %d", name, n, what, holder, most)
	}
}

func quoteList[T ~string](vs []T) string {
	s := make([]string, len(vs))
	for i, v := range vs {
		s[i] = string(v)
	}
	if len(s) < 2 {
		return strings.Join(s, "")
	}
	return strings.Join(s[:len(s)-1], ", ") + " or " + s[len(s)-1]
}
