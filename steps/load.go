package steps

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Limits on a guide file.
const (
	// MaxGuideSize is the largest guide file read, in bytes (1 MiB).
	MaxGuideSize = 1 << 20
	// MaxSteps is the most steps a guide may have.
	MaxSteps = 200
	// maxNesting bounds how deeply a guide's YAML may nest. A guide needs
	// about six levels; the bound keeps a hostile file from making the YAML
	// parser spend time and memory without limit.
	maxNesting = 32
	// maxProblems is how many problems one file reports before saying how
	// many more there are.
	maxProblems = 50
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

// Parse reads one guide from data. file names it in error messages and in
// Guide.File. The error is a *ParseError, or several joined with
// errors.Join (one line each), each naming file:line:col. Parse never panics.
func Parse(file string, data []byte) (*Guide, error) {
	g, _, err := parse(file, data)
	return g, err
}

// LoadFile reads and parses the guide file at path.
func LoadFile(path string) (*Guide, error) {
	g, _, err := loadFile(path)
	return g, err
}

// ValidateFile is LoadFile, and it also refuses, as LoadCatalog would, a
// guide whose id a built-in guide has, unless the file is that built-in
// guide itself (its source, read from anywhere).
func ValidateFile(path string) (*Guide, error) {
	g, f, err := loadFile(path)
	if err != nil {
		return nil, err
	}
	src, ok := BuiltinSource(g.ID)
	if !ok {
		return g, nil
	}
	if b, err := Parse(path, src); err == nil && reflect.DeepEqual(b, g) {
		return g, nil
	}
	line, col := position(f, "$.id")
	return nil, &ParseError{File: path, Line: line, Column: col,
		Msg: fmt.Sprintf("guide id %q is already taken by a built-in guide; choose another id", g.ID)}
}

func loadFile(path string) (*Guide, *ast.File, error) {
	data, err := readLimited(path)
	if err != nil {
		return nil, nil, err
	}
	return parse(path, data)
}

// readLimited reads at most one byte more than MaxGuideSize, so Parse can
// refuse a file that is too large without reading all of it.
func readLimited(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if st, err := f.Stat(); err == nil && !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s: not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxGuideSize+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return data, nil
}

// parse is Parse, also returning the syntax tree for positions.
func parse(file string, data []byte) (g *Guide, f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			g, f = nil, nil
			err = &ParseError{File: file, Line: 1, Column: 1,
				Msg: clean(fmt.Sprintf("the YAML reader failed on this file (%v); please report this", r))}
		}
	}()
	if len(data) > MaxGuideSize {
		return nil, nil, &ParseError{File: file, Line: 1, Column: 1,
			Msg: fmt.Sprintf("the file is larger than %d bytes (1 MiB), the most a guide may be", MaxGuideSize)}
	}
	if i := invalidUTF8(data); i >= 0 {
		line, col := offsetPos(data, i)
		return nil, nil, &ParseError{File: file, Line: line, Column: col, Msg: "the file is not UTF-8 text"}
	}
	// A byte order mark and Windows line ends change no line or column.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))

	if err := prescan(file, data); err != nil {
		return nil, nil, err
	}
	f, err = parser.ParseBytes(data, 0)
	if err != nil {
		return nil, nil, yamlError(file, err)
	}
	var body ast.Node
	for _, doc := range f.Docs {
		if doc == nil || doc.Body == nil {
			continue
		}
		if body != nil {
			line, col := nodePos(doc.Body)
			if doc.Start != nil && doc.Start.Position != nil {
				line, col = doc.Start.Position.Line, doc.Start.Position.Column
			}
			return nil, nil, &ParseError{File: file, Line: line, Column: col,
				Msg: "a second YAML document: a guide file holds one guide"}
		}
		body = doc.Body
	}
	g = &Guide{}
	if body != nil {
		if n, ok := lookup(f, "$.steps").(*ast.SequenceNode); ok && len(n.Values) > MaxSteps {
			line, col := nodePos(n)
			return nil, nil, &ParseError{File: file, Line: line, Column: col,
				Msg: fmt.Sprintf("%d steps: a guide may have at most %d", len(n.Values), MaxSteps)}
		}
		if err := yaml.NodeToValue(body, g, yaml.Strict()); err != nil {
			return nil, nil, yamlError(file, err)
		}
	}
	c := &checker{ast: f}
	c.guide(g)
	if err := c.err(file, f); err != nil {
		return nil, nil, err
	}
	g.File = file
	return g, f, nil
}

// invalidUTF8 is the offset of the first byte that is not UTF-8, or -1.
func invalidUTF8(data []byte) int {
	for i := 0; i < len(data); {
		r, n := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && n <= 1 {
			return i
		}
		i += n
	}
	return -1
}

// offsetPos is the line and column (from 1, in characters) of byte offset i.
func offsetPos(data []byte, i int) (line, col int) {
	i = min(i, len(data))
	before := data[:i]
	line = bytes.Count(before, []byte("\n")) + 1
	start := bytes.LastIndexByte(before, '\n') + 1
	return line, utf8.RuneCount(before[start:]) + 1
}

// prescan walks the tokens once before the parser runs: it refuses aliases
// (a guide has no use for them, and expanding them is how a small file
// becomes a huge one) and nesting deeper than maxNesting, which would make
// the parser slow and hungry.
func prescan(file string, data []byte) error {
	fail := func(tk *token.Token, msg string) error {
		line, col := 1, 1
		if tk.Position != nil {
			line, col = tk.Position.Line, tk.Position.Column
		}
		return &ParseError{File: file, Line: line, Column: col, Msg: msg}
	}
	var (
		flow     int   // depth of [ ] and { }
		indents  []int // columns of the open block collections
		lastLine = -1
	)
	for _, tk := range lexer.Tokenize(string(data)) {
		if tk == nil {
			continue
		}
		switch tk.Type {
		case token.CommentType, token.SpaceType:
			continue
		case token.AliasType:
			return fail(tk, "aliases (*name) are not allowed in a guide: write the value out")
		case token.MergeKeyType:
			return fail(tk, "merge keys (<<) are not allowed in a guide: write the keys out")
		case token.DocumentHeaderType, token.DocumentEndType:
			indents, flow = indents[:0], 0
			continue
		case token.SequenceStartType, token.MappingStartType:
			flow++
			if flow > maxNesting {
				return fail(tk, fmt.Sprintf("nested more than %d levels deep", maxNesting))
			}
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
		}
		if tk.Position == nil {
			continue
		}
		first := tk.Position.Line != lastLine
		lastLine = tk.Position.Line
		if flow > 0 || !(first || tk.Type == token.SequenceEntryType) {
			continue
		}
		col := tk.Position.Column
		for len(indents) > 0 && indents[len(indents)-1] >= col {
			indents = indents[:len(indents)-1]
		}
		indents = append(indents, col)
		if len(indents) > maxNesting {
			return fail(tk, fmt.Sprintf("nested more than %d levels deep", maxNesting))
		}
	}
	return nil
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
		return &ParseError{File: file, Line: line, Column: col, Msg: clean(msg)}
	}
	tk := ye.GetToken()
	if tk != nil && tk.Position != nil {
		line, col = max(tk.Position.Line, 1), max(tk.Position.Column, 1)
	}
	return &ParseError{File: file, Line: line, Column: col, Msg: clean(describe(ye, tk))}
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
	return atPosRE.ReplaceAllString(ye.GetMessage(), "at line $1, column $2")
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
		return strconv.Quote(tk.Value)
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
			return strconv.Quote(tk.Value)
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
	}{{"the guide", Guide{}}, {"a step", Step{}}, {"a form field", Field{}}, {"a matrix", Matrix{}}, {"password_policy", PasswordPolicy{}}} {
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
	msg := fmt.Sprintf("unknown key %q", key)
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

// idRE is what a guide id may look like: it is typed on the command line.
var idRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)

// issue is one semantic problem, at a YAML path resolved to a line and
// column only when it is reported.
type issue struct{ path, msg string }

// checker validates a decoded guide: everything the YAML types cannot say.
type checker struct {
	ast    *ast.File
	issues []issue

	stepIDs  map[string]int    // step id -> index
	fieldAt  map[string]string // field id -> the step that defines it
	allField map[string]bool   // every field id in the guide
	defaults map[string]string // field id -> default, of the fields so far
}

func (c *checker) add(path, format string, args ...any) {
	c.issues = append(c.issues, issue{path: path, msg: fmt.Sprintf(format, args...)})
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
// the cursor, colour the terminal or disguise what it says.
func (c *checker) text(path, s string) {
	for _, r := range s {
		if r == '\n' || r == '\t' {
			continue
		}
		if r < 0x20 || (r >= 0x7f && r <= 0x9f) || (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069) {
			c.add(path, "%s holds the control character %U, which a guide may not contain (it could disguise what the screen shows)", pathName(path), r)
			return
		}
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

func (c *checker) guide(g *Guide) {
	c.stepIDs = map[string]int{}
	c.fieldAt = map[string]string{}
	c.allField = map[string]bool{}
	c.defaults = map[string]string{}

	switch {
	case blank(g.ID):
		c.add("$.id", `id is required: a short name in lowercase letters, digits and hyphens, such as "my-guide"`)
	case !idRE.MatchString(g.ID):
		c.add("$.id", "id %q: use lowercase letters, digits and hyphens (at most 64), starting with a letter or digit", g.ID)
	}
	if blank(g.Title) {
		c.add("$.title", "title is required")
	}
	c.text("$.title", g.Title)
	c.text("$.vendor", g.Vendor)
	c.text("$.source", g.Source)
	c.text("$.summary", g.Summary)
	switch {
	case g.AccountModel == "":
		c.add("$.account_model", "account_model is required: use %s", quoteList(AccountModels))
	case !slices.Contains(AccountModels, g.AccountModel):
		c.add("$.account_model", "account_model %q is not known: use %s", g.AccountModel, quoteList(AccountModels))
	}
	if g.Password != nil {
		c.policy("$.password_policy", *g.Password)
	}
	switch {
	case len(g.Steps) == 0:
		c.add("$.steps", "a guide needs at least one step")
	case len(g.Steps) > MaxSteps:
		c.add("$.steps", "%d steps: a guide may have at most %d", len(g.Steps), MaxSteps)
		return
	}
	for _, st := range g.Steps {
		for _, f := range st.Fields {
			c.allField[f.ID] = true
		}
	}
	for i := range g.Steps {
		c.step(i, &g.Steps[i])
	}
}

func (c *checker) step(i int, st *Step) {
	p := fmt.Sprintf("$.steps[%d]", i)
	name := fmt.Sprintf("step %d", i+1)
	switch j, dup := c.stepIDs[st.ID]; {
	case blank(st.ID):
		c.add(p+".id", "%s: id is required", name)
	case dup:
		c.add(p+".id", "step id %q is already used by step %d", st.ID, j+1)
	default:
		c.stepIDs[st.ID] = i
		name = fmt.Sprintf("step %q", st.ID)
	}
	c.text(p+".id", st.ID)
	if blank(st.Title) {
		c.add(p+".title", "%s: title is required", name)
	}
	c.text(p+".title", st.Title)
	c.text(p+".body", st.Body)
	c.text(p+".for", st.For)

	switch {
	case st.Kind == "":
		c.add(p+".kind", "%s: kind is required: use %s", name, quoteList(Kinds))
	case !slices.Contains(Kinds, st.Kind):
		c.add(p+".kind", "%s: kind %q is not known: use %s", name, st.Kind, quoteList(Kinds))
	}
	if st.Level != "" {
		switch {
		case st.Kind != KindNotice:
			c.add(p+".level", "%s: level is only for notice steps", name)
		case st.Level != "info" && st.Level != "warning":
			c.add(p+".level", "%s: level %q: use info or warning", name, st.Level)
		}
	}
	for j, item := range st.Checklist {
		ip := fmt.Sprintf("%s.checklist[%d]", p, j)
		if blank(item) {
			c.add(ip, "%s: checklist item %d is empty", name, j+1)
		}
		c.text(ip, item)
	}
	switch {
	case st.Kind == KindNotice && blank(st.Body):
		c.add(p+".body", "%s: a notice needs a body", name)
	case (st.Kind == KindInstruction || st.Kind.Automated()) && blank(st.Body) && len(st.Checklist) == 0:
		c.add(p+".body", "%s: a step of kind %s needs a body or a checklist", name, st.Kind)
	}

	switch {
	case st.Kind == KindForm && len(st.Fields) == 0:
		c.add(p+".fields", "%s: a form needs at least one field", name)
	case st.Kind != KindForm && len(st.Fields) > 0 && st.Kind != "" && slices.Contains(Kinds, st.Kind):
		c.add(p+".fields", "%s: fields are only for form steps, not %s", name, st.Kind)
	}
	for j := range st.Fields {
		c.field(fmt.Sprintf("%s.fields[%d]", p, j), name, j, &st.Fields[j])
	}

	switch {
	case st.Kind == KindMatrix && st.Matrix == nil:
		c.add(p+".matrix", "%s: a matrix step needs a matrix with rows and columns", name)
	case st.Kind == KindMatrix:
		c.matrix(p+".matrix", name, st.Matrix)
	case st.Matrix != nil && st.Kind != "" && slices.Contains(Kinds, st.Kind):
		c.add(p+".matrix", "%s: a matrix is only for matrix steps, not %s", name, st.Kind)
	}
	if st.For != "" && st.Kind != KindPassword && st.Kind != "" && slices.Contains(Kinds, st.Kind) {
		c.add(p+".for", "%s: for is only for password steps", name)
	}
}

func (c *checker) field(p, stepName string, j int, f *Field) {
	name := fmt.Sprintf("field %d of %s", j+1, stepName)
	switch where, dup := c.fieldAt[f.ID]; {
	case blank(f.ID):
		c.add(p+".id", "%s: id is required", name)
	case dup:
		c.add(p+".id", "field id %q is already used in %s: field ids are unique in a guide", f.ID, where)
	default:
		name = fmt.Sprintf("field %q", f.ID)
	}
	c.text(p+".id", f.ID)
	if blank(f.Label) {
		c.add(p+".label", "%s: label is required", name)
	}
	for _, k := range []struct{ key, s string }{
		{"label", f.Label}, {"help", f.Help}, {"default", f.Default},
		{"placeholder", f.Placeholder}, {"domain", f.Domain}, {"domain_from", f.DomainFrom},
	} {
		c.text(p+"."+k.key, k.s)
	}
	switch {
	case f.Type == "":
		c.add(p+".type", "%s: type is required: use %s", name, quoteList(FieldTypes))
	case !slices.Contains(FieldTypes, f.Type):
		c.add(p+".type", "%s: type %q is not known: use %s", name, f.Type, quoteList(FieldTypes))
	}
	known := slices.Contains(FieldTypes, f.Type)
	c.secretField(p, name, f)

	// Options.
	switch {
	case f.Type == FieldChoice && len(f.Options) < 2:
		c.add(p+".options", "%s: a choice needs at least two options", name)
	case f.Type != FieldChoice && len(f.Options) > 0 && known:
		c.add(p+".options", "%s: options are only for choice fields", name)
	}
	seen := map[string]int{}
	for k, o := range f.Options {
		op := fmt.Sprintf("%s.options[%d]", p, k)
		if blank(o) {
			c.add(op, "%s: option %d is empty", name, k+1)
		} else if prev, ok := seen[o]; ok {
			c.add(op, "%s: option %q is listed twice (options %d and %d)", name, o, prev+1, k+1)
		} else {
			seen[o] = k
		}
		c.text(op, o)
	}

	// Email domains.
	if f.Type != FieldEmail && known {
		if f.Domain != "" {
			c.add(p+".domain", "%s: domain is only for email fields", name)
		}
		if f.DomainFrom != "" {
			c.add(p+".domain_from", "%s: domain_from is only for email fields", name)
		}
	}
	if f.Domain != "" && f.DomainFrom != "" {
		c.add(p+".domain_from", "%s: give domain or domain_from, not both", name)
	}
	if f.Domain != "" {
		d := strings.TrimPrefix(strings.TrimSpace(f.Domain), "@")
		if ValidateDomain(d) != nil {
			c.add(p+".domain", "%s: domain %q is not a domain such as example.com", name, f.Domain)
		}
	}
	if f.DomainFrom != "" {
		_, before := c.fieldAt[f.DomainFrom]
		switch {
		case f.DomainFrom == f.ID:
			c.add(p+".domain_from", "%s: domain_from names this field itself: name an earlier field that asks for the domain", name)
		case before:
		case c.allField[f.DomainFrom]:
			c.add(p+".domain_from", "%s: domain_from %q names a field that comes later: ask for the domain first", name, f.DomainFrom)
		default:
			c.add(p+".domain_from", "%s: domain_from %q names no field in this guide", name, f.DomainFrom)
		}
	}

	// Number bounds.
	if f.Type != FieldNumber && known {
		if f.Min != nil {
			c.add(p+".min", "%s: min is only for number fields", name)
		}
		if f.Max != nil {
			c.add(p+".max", "%s: max is only for number fields", name)
		}
	}
	for _, b := range []struct {
		key string
		set bool
	}{{"min", f.Min != nil}, {"max", f.Max != nil}} {
		// The decoder truncates 1.5 to 1; say so instead.
		if n, ok := lookup(c.ast, p+"."+b.key).(*ast.FloatNode); b.set && ok && n != nil && n.Token != nil {
			c.add(p+"."+b.key, "%s: %s %s: use a whole number", name, b.key, n.Token.Value)
		}
	}
	if f.Min != nil && f.Max != nil && *f.Min > *f.Max {
		c.add(p+".min", "%s: min %d is greater than max %d", name, *f.Min, *f.Max)
	}

	if f.Default != "" && known {
		if err := f.Validate(f.Default, c.defaults); err != nil {
			c.add(p+".default", "%s: default %q: %v", name, f.Default, err)
		}
	}
	if !blank(f.ID) {
		if _, dup := c.fieldAt[f.ID]; !dup {
			c.fieldAt[f.ID] = stepName
			c.defaults[f.ID] = f.Default
		}
	}
}

// secretWords are the words that mark a field as asking for a secret.
var secretWords = []string{"password", "secret", "token", "passphrase"}

// secretField refuses a field that is typed in the clear (text, email,
// number) but whose id or label says it asks for a secret: a form draws its
// value as typed and saves it in the session file, unmasked.
func (c *checker) secretField(p, name string, f *Field) {
	if f.Type == FieldChoice {
		return
	}
	for _, k := range []struct{ key, s string }{{"id", f.ID}, {"label", f.Label}} {
		lower := strings.ToLower(k.s)
		for _, w := range secretWords {
			if strings.Contains(lower, w) {
				c.add(p+"."+k.key, "%s: its %s says %q, but a form field is shown as typed and saved unmasked in the session file: "+
					"ask for a password with a step of kind password, or for a client ID and secret with a step of kind credential_capture",
					name, k.key, w)
				return
			}
		}
	}
}

func (c *checker) matrix(p, stepName string, m *Matrix) {
	for _, part := range []struct {
		key, what string
		labels    []string
	}{{"rows", "row", m.Rows}, {"columns", "column", m.Columns}} {
		if len(part.labels) == 0 {
			c.add(p+"."+part.key, "%s: a matrix needs at least one %s", stepName, part.what)
		}
		seen := map[string]int{}
		for k, l := range part.labels {
			lp := fmt.Sprintf("%s.%s[%d]", p, part.key, k)
			if blank(l) {
				c.add(lp, "%s: matrix %s %d is empty", stepName, part.what, k+1)
			} else if prev, ok := seen[l]; ok {
				c.add(lp, "%s: matrix %s %q is listed twice (%ss %d and %d)", stepName, part.what, l, part.what, prev+1, k+1)
			} else {
				seen[l] = k
			}
			c.text(lp, l)
		}
	}
}

func (c *checker) policy(p string, pol PasswordPolicy) {
	switch {
	case pol.MinLength == 0:
		c.add(p+".min_length", "password_policy: min_length is required: %d to %d", MinPolicyLength, MaxPasswordLength)
	case pol.MinLength < MinPolicyLength || pol.MinLength > MaxPasswordLength:
		c.add(p+".min_length", "password_policy: min_length %d: use %d to %d", pol.MinLength, MinPolicyLength, MaxPasswordLength)
	}
	seen := map[string]bool{}
	for k, r := range pol.Require {
		rp := fmt.Sprintf("%s.require[%d]", p, k)
		switch {
		case !slices.Contains(PasswordClasses, r):
			c.add(rp, "password_policy: require %q: use %s", r, quoteList(PasswordClasses))
		case seen[r]:
			c.add(rp, "password_policy: require lists %q twice", r)
		}
		seen[r] = true
	}
	if seen[RuleSpecial] && pol.Specials == "" {
		c.add(p+".specials", "password_policy: special characters are required, so list the allowed ones in specials, such as %q", ProcoreSpecials)
	}
	dup := map[rune]bool{}
	for _, r := range pol.Specials {
		switch {
		case r == ' ':
			c.add(p+".specials", "password_policy: specials: a space is not allowed")
		case (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9'):
			c.add(p+".specials", "password_policy: specials: %q is a letter or digit, not a special character", r)
		case r < 0x21 || r > 0x7e:
			c.add(p+".specials", "password_policy: specials: %q is not printable ASCII", r)
		case dup[r]:
			c.add(p+".specials", "password_policy: specials: %q is listed twice", r)
		}
		dup[r] = true
	}
}

// Catalog is the set of guides the wizard offers: the built-in ones and a
// person's own.
type Catalog struct {
	guides []*Guide
	byID   map[string]*Guide
}

// LoadCatalog loads the built-in guides and every *.yaml and *.yml file in
// userDir. A missing userDir is no problem. A file that does not parse, or
// whose id another guide already has, is refused: it is reported in the
// returned errors and left out, and the rest still load. A built-in guide
// that does not parse is a bug, reported the same way.
func LoadCatalog(userDir string) (*Catalog, []error) {
	return loadCatalog(builtinFS, builtinOrder, userDir)
}

func loadCatalog(builtins fs.FS, order []string, userDir string) (*Catalog, []error) {
	c := &Catalog{byID: map[string]*Guide{}}
	var problems []error
	for _, name := range builtinNames(builtins, order) {
		file := builtinPrefix + name
		data, err := fs.ReadFile(builtins, "guides/"+name)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", file, err))
			continue
		}
		g, f, err := parse(file, data)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		if err := c.add(g, f); err != nil {
			problems = append(problems, err)
		}
	}
	nBuiltin := len(c.guides)
	if userDir != "" {
		entries, err := os.ReadDir(userDir)
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			problems = append(problems, fmt.Errorf("read your guides: %w", err))
		}
		for _, e := range entries {
			name := e.Name()
			ext := strings.ToLower(filepath.Ext(name))
			if strings.HasPrefix(name, ".") || (ext != ".yaml" && ext != ".yml") || e.IsDir() {
				continue
			}
			g, f, err := loadFile(filepath.Join(userDir, name))
			if err != nil {
				problems = append(problems, err)
				continue
			}
			if err := c.add(g, f); err != nil {
				problems = append(problems, err)
			}
		}
	}
	slices.SortStableFunc(c.guides[nBuiltin:], func(a, b *Guide) int { return strings.Compare(a.ID, b.ID) })
	return c, problems
}

// add adds g, unless another guide has its id.
func (c *Catalog) add(g *Guide, f *ast.File) error {
	if prev, taken := c.byID[g.ID]; taken {
		line, col := position(f, "$.id")
		who := "the guide in " + prev.File
		if IsBuiltin(prev) {
			who = "a built-in guide"
		}
		return &ParseError{File: g.File, Line: line, Column: col,
			Msg: fmt.Sprintf("guide id %q is already taken by %s; choose another id", g.ID, who)}
	}
	c.byID[g.ID] = g
	c.guides = append(c.guides, g)
	return nil
}

// builtinNames is the embedded guide files: those in order first, then
// any others by name.
func builtinNames(builtins fs.FS, order []string) []string {
	var names []string
	for _, id := range order {
		names = append(names, id+".yaml")
	}
	entries, _ := fs.ReadDir(builtins, "guides")
	for _, e := range entries {
		if n := e.Name(); strings.HasSuffix(n, ".yaml") && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	return names
}

// IsBuiltin reports whether g is one of the guides built into the program.
func IsBuiltin(g *Guide) bool { return strings.HasPrefix(g.File, builtinPrefix) }

const builtinPrefix = "builtin:"

// BuiltinSource is the YAML of the built-in guide with this id.
func BuiltinSource(id string) ([]byte, bool) {
	if !slices.Contains(builtinOrder, id) {
		return nil, false
	}
	data, err := fs.ReadFile(builtinFS, "guides/"+id+".yaml")
	return data, err == nil
}

// Get finds a guide by id.
func (c *Catalog) Get(id string) (*Guide, bool) {
	g, ok := c.byID[id]
	return g, ok
}

// List returns every guide: the built-in ones first in their fixed order,
// then a person's own by id.
func (c *Catalog) List() []*Guide { return slices.Clone(c.guides) }
