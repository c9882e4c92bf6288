package steps

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/goccy/go-yaml/ast"
)

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
