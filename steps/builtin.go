package steps

import "embed"

//go:embed guides/*.yaml
var builtinFS embed.FS

// builtinOrder is the built-in guides' ids, in the order they are offered.
var builtinOrder = []string{"spectrum", "syncezy", "laborchart", "hammertech", "admin-helper", "dmsa"}
