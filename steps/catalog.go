package steps

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"unicode"

	"github.com/goccy/go-yaml/ast"
)

// Catalog is the set of guides the wizard offers: the built-in ones and a
// person's own. Its guides are shared (the built-in ones by every catalog
// of the process): read them, never change them.
type Catalog struct {
	guides   []*Guide
	byID     map[string]*Guide
	builtins []*Guide
}

// LoadCatalog loads the built-in guides and every *.yaml and *.yml file in
// userDir. A missing userDir is no problem. A file that does not parse, or
// whose id another guide already has, or whose title a built-in guide has,
// is refused: it is reported in the returned errors and left out, and the
// rest still load. A built-in guide that does not parse is a bug, reported
// the same way. The built-in guides are parsed once per process.
func LoadCatalog(userDir string) (*Catalog, []error) {
	guides, problems := builtinGuides()
	return newCatalog(guides, slices.Clone(problems), userDir)
}

// builtinGuides is the built-in guides, decoded the first time they are
// asked for from the form prepared at build time: they are the same for
// the life of the process.
var builtinGuides = sync.OnceValues(decodePrepared)

func loadCatalog(builtins fs.FS, order []string, userDir string) (*Catalog, []error) {
	guides, problems := parseBuiltins(builtins, order)
	return newCatalog(guides, problems, userDir)
}

// parseBuiltins parses the embedded guide files, in order.
func parseBuiltins(builtins fs.FS, order []string) ([]*Guide, []error) {
	var guides []*Guide
	var problems []error
	for _, name := range builtinNames(builtins, order) {
		file := builtinPrefix + name
		data, err := fs.ReadFile(builtins, "guides/"+name)
		if err != nil {
			problems = append(problems, fmt.Errorf("%s: %w", file, err))
			continue
		}
		g, err := Parse(file, data)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		guides = append(guides, g)
	}
	return guides, problems
}

func newCatalog(builtins []*Guide, problems []error, userDir string) (*Catalog, []error) {
	c := &Catalog{byID: map[string]*Guide{}}
	for _, g := range builtins {
		if _, taken := c.byID[g.ID]; taken {
			problems = append(problems, fmt.Errorf("%s: guide id %s is already taken by another built-in guide", g.File, quote(g.ID)))
			continue
		}
		c.byID[g.ID] = g
		c.guides = append(c.guides, g)
	}
	c.builtins = slices.Clone(c.guides)
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
	slices.SortStableFunc(c.guides[len(c.builtins):], func(a, b *Guide) int { return strings.Compare(a.ID, b.ID) })
	return c, problems
}

// add adds a person's own guide g, unless another guide has its id or a
// built-in guide has its title.
func (c *Catalog) add(g *Guide, f *ast.File) error {
	if err := builtinClash(c.builtins, g, f); err != nil {
		return err
	}
	if prev, taken := c.byID[g.ID]; taken {
		line, col := position(f, "$.id")
		who := "the guide in " + clean(prev.File)
		if IsBuiltin(prev) {
			who = "a built-in guide" // a copy of its source
		}
		return &ParseError{File: g.File, Line: line, Column: col,
			Msg: fmt.Sprintf("guide id %s is already taken by %s; choose another id", quote(g.ID), who)}
	}
	c.byID[g.ID] = g
	c.guides = append(c.guides, g)
	return nil
}

// builtinClash refuses a guide that would pass for a built-in one: one that
// takes a built-in guide's id, or its title (compared without regard to
// case, spaces or invisible characters). A file that is a built-in guide's
// own source, read from anywhere, is that guide and no clash.
func builtinClash(builtins []*Guide, g *Guide, f *ast.File) error {
	title := titleKey(g.Title)
	for _, b := range builtins {
		sameID, sameTitle := b.ID == g.ID, titleKey(b.Title) == title
		if !sameID && !sameTitle {
			continue
		}
		if sameGuide(b, g) {
			return nil
		}
		if sameID {
			line, col := position(f, "$.id")
			return &ParseError{File: g.File, Line: line, Column: col,
				Msg: fmt.Sprintf("guide id %s is already taken by a built-in guide; choose another id", quote(g.ID))}
		}
		line, col := position(f, "$.title")
		return &ParseError{File: g.File, Line: line, Column: col,
			Msg: fmt.Sprintf("title %s is the title of the built-in guide %s: choose another title, so that your guide cannot be taken for it", quote(g.Title), b.ID)}
	}
	return nil
}

// sameGuide reports whether a and b are the same guide, wherever each was
// read from.
func sameGuide(a, b *Guide) bool {
	c := *b
	c.File = a.File
	// Compared as the program reads them: where a file declares things is
	// the loader's alone, and the built-ins are decoded without it.
	x, errA := json.Marshal(a)
	y, errB := json.Marshal(&c)
	return errA == nil && errB == nil && bytes.Equal(x, y)
}

// titleKey is a title as a person sees it on a screen: without case,
// white space or invisible formatting characters.
func titleKey(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) || unicode.Is(unicode.Cf, r) {
			return -1
		}
		return unicode.ToLower(r)
	}, s)
}

// ValidateFile is LoadFile, and it also refuses, as LoadCatalog would, a
// guide that takes a built-in guide's id or title, unless the file is that
// built-in guide itself (its source, read from anywhere).
func ValidateFile(path string) (*Guide, error) {
	g, f, err := loadFile(path)
	if err != nil {
		return nil, err
	}
	builtins, _ := builtinGuides()
	if err := builtinClash(builtins, g, f); err != nil {
		return nil, err
	}
	return g, nil
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

// IsYours reports whether g is a person's own guide, read from a file.
func IsYours(g *Guide) bool { return g.File != "" && !IsBuiltin(g) }

// Origin says where g comes from, in words for a screen or a table:
// "built-in", or "your guide, from PATH" (PATH made printable). Wherever a
// guide is listed or shown, a person's own says so, so that it cannot pass
// for a built-in guide.
func Origin(g *Guide) string {
	switch {
	case IsBuiltin(g):
		return "built-in"
	case IsYours(g):
		return "your guide, from " + clean(g.File)
	}
	return ""
}

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
