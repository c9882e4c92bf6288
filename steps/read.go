package steps

import (
	"bytes"
	"fmt"
	"io"
	"io/fs"
	"os"
	"unicode/utf8"

	"github.com/goccy/go-yaml"
	"github.com/goccy/go-yaml/ast"
	"github.com/goccy/go-yaml/lexer"
	"github.com/goccy/go-yaml/parser"
	"github.com/goccy/go-yaml/token"
)

// Limits on a guide file. A guide is read on every start, so together they
// keep the largest file accepted far inside the start-up budget (see
// BenchmarkLoadCatalogLargest); each is many times what the largest
// built-in guide needs (16 steps, 7 items, 5 fields, 3 options, 1,010
// characters, 353 tokens).
const (
	// MaxGuideSize is the largest guide file read, in bytes (64 KiB).
	MaxGuideSize = 64 << 10
	// MaxSteps is the most steps a guide may have.
	MaxSteps = 100
	// MaxItems is the most checklist items a step may have.
	MaxItems = 40
	// MaxFields is the most fields a form step may have.
	MaxFields = 20
	// MaxOptions is the most options a choice field may have.
	MaxOptions = 40
	// MaxMatrix is the most rows, and the most columns, a matrix may have.
	MaxMatrix = 30
	// MaxText is the most characters one text may have: a summary, a
	// body, a title, a checklist item.
	MaxText = 4000

	// maxTokens bounds the YAML tokens (keys, values, list items and
	// punctuation) before the parser runs: what the parser costs is per
	// token, and a list of one-letter items is one token a byte.
	maxTokens = 10000
	// maxKeys bounds the keys of one mapping before the parser runs: the
	// YAML parser's work grows with the square of a mapping's keys, and no
	// mapping of a guide has more than 14.
	maxKeys = 32
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
	data, err := readGuide(path)
	if err != nil {
		return nil, nil, err
	}
	return parse(path, data)
}

// readGuide reads a guide file without ever blocking or quoting what is
// not a guide: it refuses anything but a regular file, checked before the
// open and again on the open descriptor (a FIFO, a device, a socket); a
// file of the kernel's pseudo file systems, whose size says nothing of
// what it holds; and a file larger than MaxGuideSize, by its size, before
// reading it.
func readGuide(path string) ([]byte, error) {
	if st, err := os.Stat(path); err != nil {
		return nil, err
	} else if !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	f, err := openNonBlocking(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	if pseudoFile(f) {
		return nil, fmt.Errorf("%s: not a regular file: it is on one of the system's own file systems (such as /proc), not a guide; it was not read", path)
	}
	return readSized(path, f, st.Size())
}

func notRegular(path string, m fs.FileMode) error {
	what := "not a file"
	switch {
	case m&fs.ModeNamedPipe != 0:
		what = "a named pipe"
	case m&fs.ModeSocket != 0:
		what = "a socket"
	case m&fs.ModeDevice != 0:
		what = "a device"
	case m.IsDir():
		what = "a folder"
	}
	return fmt.Errorf("%s: not a regular file (%s): a guide is an ordinary YAML file", path, what)
}

// readSized reads a file of this size, refusing, unread, one larger than
// MaxGuideSize, and one that holds more than its size says: such a file
// (procfs reports 0 bytes) is not a guide and its contents are not ours
// to quote.
func readSized(path string, r io.Reader, size int64) ([]byte, error) {
	if size > MaxGuideSize {
		return nil, tooLarge(path)
	}
	data, err := io.ReadAll(io.LimitReader(r, size+1))
	if err != nil {
		return nil, fmt.Errorf("%s: read: %w", path, err)
	}
	if int64(len(data)) > size {
		return nil, fmt.Errorf("%s: not a regular file: it holds more than the %d bytes its size says "+
			"(a file of /proc or the like, or one still being written); it was not read", path, size)
	}
	return data, nil
}

func tooLarge(file string) error {
	return &ParseError{File: file, Line: 1, Column: 1,
		Msg: fmt.Sprintf("the file is larger than %d bytes (%d KiB), the most a guide may be", MaxGuideSize, MaxGuideSize>>10)}
}

// parse is Parse, also returning the syntax tree for positions. The file is
// tokenized once; the checks that must come before the parser (size,
// aliases, nesting, keys per mapping) run on those tokens, which the
// parser then takes.
func parse(file string, data []byte) (g *Guide, f *ast.File, err error) {
	defer func() {
		if r := recover(); r != nil {
			g, f = nil, nil
			err = &ParseError{File: file, Line: 1, Column: 1,
				Msg: clip(clean(fmt.Sprintf("the YAML reader failed on this file (%v); please report this", r)), 200)}
		}
	}()
	if len(data) > MaxGuideSize {
		return nil, nil, tooLarge(file)
	}
	if i := invalidUTF8(data); i >= 0 {
		line, col := offsetPos(data, i)
		return nil, nil, &ParseError{File: file, Line: line, Column: col, Msg: "the file is not UTF-8 text"}
	}
	// A byte order mark and Windows line ends change no line or column.
	data = bytes.TrimPrefix(data, []byte("\ufeff"))
	data = bytes.ReplaceAll(data, []byte("\r\n"), []byte("\n"))

	tokens := lexer.Tokenize(string(data))
	if err := prescan(file, tokens); err != nil {
		return nil, nil, err
	}
	f, err = parser.Parse(tokens, 0)
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
			line, col := nodePos(n.Values[MaxSteps])
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

// prescan walks the tokens once before the parser runs. It refuses what
// would make the parser slow or hungry: more than maxTokens tokens, more
// than maxKeys keys in one mapping, nesting deeper than maxNesting; and
// aliases and merge keys (a guide has no use for them, and expanding them
// is how a small file becomes a huge one).
func prescan(file string, tokens token.Tokens) error {
	fail := func(tk *token.Token, msg string) error {
		line, col := 1, 1
		if tk != nil && tk.Position != nil {
			line, col = max(tk.Position.Line, 1), max(tk.Position.Column, 1)
		}
		return &ParseError{File: file, Line: line, Column: col, Msg: msg}
	}
	if len(tokens) > maxTokens {
		return fail(tokens[maxTokens], fmt.Sprintf("more than %d keys, values and list items: a guide may have at most that many", maxTokens))
	}
	type mapping struct{ col, keys int }
	var (
		flow     int       // depth of [ ] and { }
		indents  []int     // columns of the open block collections
		blockMap []mapping // the open block mappings, by the column of their keys
		flowKeys []int     // keys in each open flow collection
		prev     *token.Token
		lastLine = -1
	)
	tooMany := func(tk *token.Token) error {
		return fail(tk, fmt.Sprintf("more than %d keys in one mapping: no mapping of a guide needs that many", maxKeys))
	}
	for _, tk := range tokens {
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
			indents, blockMap, flowKeys, flow, prev = indents[:0], blockMap[:0], flowKeys[:0], 0, nil
			continue
		case token.SequenceStartType, token.MappingStartType:
			flow++
			flowKeys = append(flowKeys, 0)
			if flow > maxNesting {
				return fail(tk, fmt.Sprintf("nested more than %d levels deep", maxNesting))
			}
		case token.SequenceEndType, token.MappingEndType:
			flow = max(flow-1, 0)
			flowKeys = flowKeys[:min(flow, len(flowKeys))]
		case token.MappingValueType:
			// The token before the colon is the key.
			switch {
			case flow > 0 && len(flowKeys) > 0:
				if flowKeys[len(flowKeys)-1]++; flowKeys[len(flowKeys)-1] > maxKeys {
					return tooMany(prev)
				}
			case flow == 0 && prev != nil && prev.Position != nil:
				col := prev.Position.Column
				for len(blockMap) > 0 && blockMap[len(blockMap)-1].col > col {
					blockMap = blockMap[:len(blockMap)-1]
				}
				if len(blockMap) == 0 || blockMap[len(blockMap)-1].col != col {
					blockMap = append(blockMap, mapping{col: col})
				}
				if blockMap[len(blockMap)-1].keys++; blockMap[len(blockMap)-1].keys > maxKeys {
					return tooMany(prev)
				}
			}
		case token.SequenceEntryType:
			// A list item ends the mappings nested deeper than it.
			if flow == 0 && tk.Position != nil {
				for len(blockMap) > 0 && blockMap[len(blockMap)-1].col > tk.Position.Column {
					blockMap = blockMap[:len(blockMap)-1]
				}
			}
		}
		prev = tk
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
