package steps

import (
	"bytes"
	"fmt"
	"io"
	"os"
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
