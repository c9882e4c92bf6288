package steps

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/token"
)

// ParseError is one problem in a guide file, at a line and column (both from
// 1). Its message is one line: "file:line:col: what is wrong".
type ParseError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("%s:%d:%d: %s", e.File, e.Line, e.Column, e.Msg)
}

// yamlError turns an error of the YAML library into a ParseError.
func yamlError(file string, err error) error {
	line, col := 1, 1
	var ye yaml.Error
	if !errors.As(err, &ye) {
		msg := err.Error()
		if errors.Is(err, yaml.ErrExceededMaxDepth) {
			msg = "nested too deeply"
		}
		return &ParseError{File: file, Line: line, Column: col, Msg: clip(clean(msg), maxMessage)}
	}
	tk := ye.GetToken()
	if tk != nil && tk.Position != nil {
		line, col = max(tk.Position.Line, 1), max(tk.Position.Column, 1)
	}
	return &ParseError{File: file, Line: line, Column: col, Msg: clip(clean(describe(ye, tk)), maxMessage)}
}

var (
	unknownFieldRE = regexp.MustCompile(`^unknown field "(.*)"$`)
	atPosRE        = regexp.MustCompile(`at \[(\d+):(\d+)\]`)
)

// describe says what a YAML library error means, in the guide's terms.
func describe(ye yaml.Error, tk *token.Token) string {
	value := ""
	if tk != nil {
		value = tk.Value
	}
	switch e := ye.(type) {
	case *yaml.UnknownFieldError:
		key := value
		if m := unknownFieldRE.FindStringSubmatch(e.Message); m != nil {
			key = m[1]
		}
		return unknownKey(key)
	case *yaml.TypeError:
		return fmt.Sprintf("expected %s here, found %s", typeWords(e.DstType.String()), foundWords(e.SrcType.String(), tk))
	case *yaml.UnexpectedNodeTypeError:
		return fmt.Sprintf("expected %s here, found %s", nodeWords(e.Expected), nodeFound(e.Actual, tk))
	case *yaml.OverflowError:
		return fmt.Sprintf("%s is too large for %s", e.SrcNum, typeWords(e.DstType.String()))
	}
	msg := atPosRE.ReplaceAllString(ye.GetMessage(), "at line $1, column $2")
	// The library quotes the token it stopped at: quote it as we do.
	if value != "" {
		msg = strings.ReplaceAll(msg, strconv.Quote(value), quote(value))
		if len(value) > maxQuote {
			msg = strings.ReplaceAll(msg, value, clip(firstLine(value), maxQuote))
		}
	}
	return msg
}

func typeWords(t string) string {
	switch {
	case t == "string" || strings.HasSuffix(t, "Kind") || strings.HasSuffix(t, "Type") || strings.HasSuffix(t, "AccountModel"):
		return "text"
	case t == "bool":
		return "true or false"
	case strings.Contains(t, "int"):
		return "a whole number"
	case strings.HasPrefix(t, "[]"):
		return "a list"
	case strings.HasPrefix(t, "*steps.") || strings.HasPrefix(t, "steps."):
		return "a mapping of keys"
	}
	return t
}

func foundWords(src string, tk *token.Token) string {
	switch {
	case strings.HasPrefix(src, "[]"):
		return "a list"
	case strings.HasPrefix(src, "map"):
		return "a mapping"
	}
	if tk != nil && tk.Value != "" {
		return quote(tk.Value)
	}
	return src
}

func nodeWords(t ast.NodeType) string {
	switch t {
	case ast.MappingType, ast.MappingValueType:
		return "a mapping of keys"
	case ast.SequenceType:
		return "a list"
	case ast.StringType, ast.LiteralType:
		return "text"
	case ast.IntegerType, ast.FloatType:
		return "a number"
	case ast.BoolType:
		return "true or false"
	case ast.NullType:
		return "nothing"
	}
	return t.YAMLName()
}

func nodeFound(t ast.NodeType, tk *token.Token) string {
	switch t {
	case ast.StringType, ast.IntegerType, ast.FloatType, ast.BoolType, ast.LiteralType:
		if tk != nil && tk.Value != "" {
			return quote(tk.Value)
		}
	}
	return nodeWords(t)
}

// keyOwners maps every key a guide file may use to what it is a key of,
// for saying where a misplaced key belongs.
var keyOwners = func() map[string][]string {
	owners := map[string][]string{}
	for _, o := range []struct {
		what string
		v    any
	}{{"the guide", Guide{}}, {"a step", Step{}}, {"a form field", Field{}}, {"a matrix", Matrix{}}, {"password_policy", PasswordPolicy{}},
		{"skip_if or required_if", Condition{}}, {"an action or a check", namedWith{}}} {
		rt := reflect.TypeOf(o.v)
		for i := range rt.NumField() {
			name, _, _ := strings.Cut(rt.Field(i).Tag.Get("yaml"), ",")
			if name != "" && name != "-" {
				owners[name] = append(owners[name], o.what)
			}
		}
	}
	return owners
}()

// guideKeys is every key a guide file may use, sorted.
var guideKeys = slices.Sorted(maps.Keys(keyOwners))

// unknownKey says what is wrong with a key the decoder did not expect.
func unknownKey(key string) string {
	if owners, ok := keyOwners[key]; ok {
		return fmt.Sprintf("key %q does not belong here: it is a key of %s", key, strings.Join(owners, " or "))
	}
	msg := fmt.Sprintf("unknown key %s", quote(key))
	if s := suggestKey(key); s != "" {
		msg += fmt.Sprintf(" (did you mean %q?)", s)
	}
	return msg
}

func suggestKey(key string) string {
	best, bestD := "", 3
	for _, k := range guideKeys {
		if d := editDistance(strings.ToLower(key), k); d < bestD {
			best, bestD = k, d
		}
	}
	return best
}

// editDistance counts the edits (insert, delete, change, or swap two
// neighbours) that turn a into b.
func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 64
	}
	d := make([][]int, len(a)+1)
	for i := range d {
		d[i] = make([]int, len(b)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(a)][len(b)]
}

// clean makes a message one line of printable text.
func clean(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case !strconv.IsPrint(r) && r != ' ':
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimSpace(b.String())
}

// lookup finds the node at a YAML path such as "$.steps[3].kind", or nil.
func lookup(f *ast.File, path string) ast.Node {
	p, err := yaml.PathString(path)
	if err != nil {
		return nil
	}
	n, err := p.FilterFile(f)
	if err != nil {
		return nil
	}
	return n
}

// position is where the node at path starts, or where its nearest parent
// that exists starts.
func position(f *ast.File, path string) (line, col int) {
	for {
		if n := lookup(f, path); n != nil && !isNil(n) {
			if _, null := n.(*ast.NullNode); !null {
				return nodePos(n)
			}
			// An empty value: point at its key.
			if l, c, ok := keyPos(f, path); ok {
				return l, c
			}
		}
		i := strings.LastIndexAny(path, ".[")
		if i <= 0 {
			if f != nil {
				for _, doc := range f.Docs {
					if doc != nil && doc.Body != nil {
						return nodePos(doc.Body)
					}
				}
			}
			return 1, 1
		}
		path = path[:i]
	}
}

// keyPos is the position of the key that path's last element names.
func keyPos(f *ast.File, path string) (line, col int, ok bool) {
	i := strings.LastIndexByte(path, '.')
	if i <= 0 || strings.ContainsAny(path[i:], "[]") {
		return 0, 0, false
	}
	parent, key := lookup(f, path[:i]), path[i+1:]
	var values []*ast.MappingValueNode
	switch n := parent.(type) {
	case *ast.MappingNode:
		values = n.Values
	case *ast.MappingValueNode:
		values = []*ast.MappingValueNode{n}
	}
	for _, mv := range values {
		if mv != nil && mv.Key != nil && !isNil(mv.Key) {
			if tk := mv.Key.GetToken(); tk != nil && tk.Value == key && tk.Position != nil {
				return tk.Position.Line, tk.Position.Column, true
			}
		}
	}
	return 0, 0, false
}

// nodePos is where a node starts: a block mapping at its first key, not at
// the first colon as the library reports it.
func nodePos(n ast.Node) (line, col int) {
	if n == nil || isNil(n) {
		return 1, 1
	}
	switch m := n.(type) {
	case *ast.MappingNode:
		if !m.IsFlowStyle && len(m.Values) > 0 && m.Values[0] != nil {
			return nodePos(m.Values[0])
		}
	case *ast.MappingValueNode:
		if m.Key != nil && !isNil(m.Key) {
			return nodePos(m.Key)
		}
	}
	tk := n.GetToken()
	if tk == nil || tk.Position == nil {
		return 1, 1
	}
	return max(tk.Position.Line, 1), max(tk.Position.Column, 1)
}

// isNil reports whether an interface holds a nil pointer.
func isNil(n any) bool {
	switch v := n.(type) {
	case nil:
		return true
	case *ast.MappingNode:
		return v == nil
	case *ast.MappingValueNode:
		return v == nil
	case *ast.SequenceNode:
		return v == nil
	case *ast.NullNode:
		return v == nil
	case *ast.StringNode:
		return v == nil
	}
	return false
}

// offsetPos is the line and column (from 1, in characters) of byte offset i.
func offsetPos(data []byte, i int) (line, col int) {
	i = min(i, len(data))
	before := data[:i]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

const (
	// maxQuote is the most characters of a guide's text an error quotes.
	maxQuote = 60
	// maxMessage is the most characters of one message from the YAML
	// library, which may quote the file in ways we do not know.
	maxMessage = 200
)

// quote is s as an error quotes text from a guide file: its first line
// only, at most maxQuote characters, in Go quotes. An error is shown on
// screens and pasted into tickets; it never carries more of a file than
// it needs to point at.
func quote(s string) string {
	first := firstLine(s)
	q := clip(first, maxQuote)
	if q != s && q == first {
		q += "…" // a line break was dropped
	}
	return strconv.Quote(q)
}

// firstLine is s up to its first line break.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\n\r"); i >= 0 {
		return s[:i]
	}
	return s
}

// clip is s cut to at most n characters, ending in "…" when it was cut.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}
