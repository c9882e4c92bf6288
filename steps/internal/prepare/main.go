// Command prepare writes the built-in guides, parsed and checked, as
// steps/guides.json: the program decodes that at start instead of parsing
// the YAML, which takes most of the first frame. Run by go generate in
// package steps; a test there fails when the file is out of date.
package main

import (
	"fmt"
	"os"

	"github.com/procore-sa/procore-sa/steps"
)

func main() {
	data, err := steps.PrepareBuiltins()
	if err != nil {
		fmt.Fprintln(os.Stderr, "prepare:", err)
		os.Exit(1)
	}
	if err := os.WriteFile("guides.json", data, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "prepare:", err)
		os.Exit(1)
	}
}
