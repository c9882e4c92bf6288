package steps

import "embed"

// TEMPORARY until steps/guides/*.yaml exist: then //go:embed guides/*.yaml.
var builtinFS embed.FS

// builtinOrder is the built-in guides' ids, in the order they are offered.
var builtinOrder = []string{}
