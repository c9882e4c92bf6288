package procore

import (
	"reflect"
	"strings"
	"unicode/utf8"
)

// Printable is s as text a terminal cannot be steered by: control
// characters (C0, DEL and C1, which start escape sequences) become spaces,
// the invisible characters that reorder text (bidi embeddings, overrides
// and isolates) are dropped, and invalid UTF-8 becomes U+FFFD. Every string
// in Procore's answers passes through it as it is read, so a project name
// or an error message can go to the screen, a progress line or a CSV cell
// as it is.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if r == utf8.RuneError || !printableRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	s = strings.ToValidUTF8(s, "\uFFFD")
	return strings.Map(func(r rune) rune {
		switch {
		case r < 0x20 || (r >= 0x7f && r <= 0x9f):
			return ' '
		case isBidiControl(r):
			return -1
		}
		return r
	}, s)
}

func printableRune(r rune) bool {
	return r >= 0x20 && !(r >= 0x7f && r <= 0x9f) && !isBidiControl(r)
}

// isBidiControl reports the characters that make text display in another
// order than it is stored: U+202A–U+202E and U+2066–U+2069.
func isBidiControl(r rune) bool {
	return (r >= 0x202a && r <= 0x202e) || (r >= 0x2066 && r <= 0x2069)
}

// printableAll makes every string reachable from v (a pointer to a decoded
// answer: structs, pointers, slices, arrays, maps) Printable, in place.
func printableAll(v any) {
	printableValue(reflect.ValueOf(v))
}

func printableValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Pointer:
		if !v.IsNil() {
			printableValue(v.Elem())
		}
	case reflect.String:
		if p := Printable(v.String()); p != v.String() && v.CanSet() {
			v.SetString(p)
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				printableValue(v.Field(i))
			}
		}
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			return // bytes, not text
		}
		for i := range v.Len() {
			printableValue(v.Index(i))
		}
	case reflect.Map:
		// Values only: a map's values cannot be set in place, so each is
		// copied, cleaned and put back. Keys are looked up, not shown.
		iter := v.MapRange()
		for iter.Next() {
			nv := reflect.New(iter.Value().Type()).Elem()
			nv.Set(iter.Value())
			printableValue(nv)
			v.SetMapIndex(iter.Key(), nv)
		}
	}
}
