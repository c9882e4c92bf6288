package app

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// TestPortsDeclaredOnce: the ports the front-ends and the commands share
// are declared here only. No interface anywhere else in the module copies
// one of them (has only methods of a port, or all of a port's and more),
// and no two interfaces in the module have the same methods.
func TestPortsDeclaredOnce(t *testing.T) {
	type decl struct {
		where, name string
		methods     []string
	}
	byMethods := map[string][]decl{}
	var all []decl
	root := filepath.Join("..", "..")
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case ".git", "testdata", "e2e", "scripts":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, filepath.Dir(path))
		ast.Inspect(f, func(n ast.Node) bool {
			ts, ok := n.(*ast.TypeSpec)
			if !ok {
				return true
			}
			it, ok := ts.Type.(*ast.InterfaceType)
			if !ok || it.Methods == nil {
				return true
			}
			var methods []string
			for _, m := range it.Methods.List {
				for _, name := range m.Names {
					methods = append(methods, name.Name)
				}
			}
			if len(methods) < 2 {
				return true // one method (Error, String) is a shape, not a port
			}
			slices.Sort(methods)
			key := strings.Join(methods, ",")
			byMethods[key] = append(byMethods[key], decl{rel, ts.Name.Name, methods})
			all = append(all, decl{rel, ts.Name.Name, methods})
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	here := filepath.Join("internal", "app")
	subset := func(a, b []string) bool {
		for _, m := range a {
			if !slices.Contains(b, m) {
				return false
			}
		}
		return true
	}
	ports := 0
	for _, p := range all {
		if p.where != here {
			continue
		}
		ports++
		for _, o := range all {
			if o.where != here && (subset(o.methods, p.methods) || subset(p.methods, o.methods)) {
				t.Errorf("%s.%s %v copies the port app.%s %v: use the port", o.where, o.name, o.methods, p.name, p.methods)
			}
		}
	}
	for methods, decls := range byMethods {
		if len(decls) > 1 {
			t.Errorf("the interface with methods %s is declared %d times: %v; declare it once, in internal/app, and use that", methods, len(decls), decls)
		}
	}
	if ports < 3 {
		t.Fatalf("found only %d ports in internal/app; is the walk reading the module?", ports)
	}
}
