package steps

import (
	"bytes"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
)

//go:generate go run ./internal/prepare

//go:embed guides/*.yaml
var builtinFS embed.FS

// preparedGuides is the built-in guides as PrepareBuiltins writes them:
// parsed and checked when the program is built, so that starting it
// decodes them rather than parsing YAML (most of the first frame).
//
//go:embed guides.json
var preparedGuides []byte

// builtinOrder is the built-in guides' ids, in the order they are offered.
var builtinOrder = []string{"spectrum", "syncezy", "laborchart", "hammertech", "admin-helper", "dmsa"}

// PrepareBuiltins parses the built-in guides' YAML and returns them as the
// JSON the program embeds; an error when any is refused.
func PrepareBuiltins() ([]byte, error) {
	guides, problems := parseBuiltins(builtinFS, builtinOrder)
	if len(problems) > 0 {
		return nil, errors.Join(problems...)
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetIndent("", " ")
	if err := enc.Encode(guides); err != nil {
		return nil, fmt.Errorf("encode the built-in guides: %w", err)
	}
	return b.Bytes(), nil
}

// decodePrepared is the built-in guides from the prepared form; on any
// trouble, parsed from the YAML, so a stale build still starts right.
func decodePrepared() ([]*Guide, []error) {
	var guides []*Guide
	if err := json.Unmarshal(preparedGuides, &guides); err != nil || len(guides) != len(builtinOrder) {
		return parseBuiltins(builtinFS, builtinOrder)
	}
	return guides, nil
}
