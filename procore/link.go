package procore

import "strings"

// ParseLink reads an RFC 8288 Link header, as Procore sends for pagination,
// into a map from rel to URL. It never panics. A link-value is taken only
// when it is well formed: "<" a target with no "<", ">" or white space
// ">", then parameters each after a ";". What it cannot read it skips to
// the next comma outside quotes, so a malformed value never lends its
// parameters to a neighbour.
func ParseLink(header string) map[string]string {
	links := map[string]string{}
	for header != "" {
		var value string
		value, header = cutValue(header)
		target, rels, ok := parseLinkValue(value)
		if !ok {
			continue
		}
		for _, rel := range rels {
			if _, seen := links[rel]; !seen {
				links[rel] = target
			}
		}
	}
	return links
}

// cutValue splits off the first link-value: up to the first comma that is
// neither inside <...> nor inside quotes.
func cutValue(h string) (value, rest string) {
	inQuote, inTarget := false, false
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case inQuote:
			if c == '\\' {
				i++
			} else if c == '"' {
				inQuote = false
			}
		case inTarget:
			if c == '>' {
				inTarget = false
			}
		case c == '"':
			inQuote = true
		case c == '<':
			inTarget = true
		case c == ',':
			return h[:i], h[i+1:]
		}
	}
	return h, ""
}

// parseLinkValue reads one link-value: its target and its rel types.
func parseLinkValue(v string) (target string, rels []string, ok bool) {
	v = strings.Trim(v, " \t")
	if !strings.HasPrefix(v, "<") {
		return "", nil, false
	}
	end := strings.IndexByte(v, '>')
	if end < 0 {
		return "", nil, false
	}
	target = v[1:end]
	if target == "" || strings.ContainsAny(target, "< \t\r\n\"") {
		return "", nil, false
	}
	params := strings.TrimLeft(v[end+1:], " \t")
	if params != "" && params[0] != ';' {
		return "", nil, false // text after the target that is not a parameter
	}
	for _, p := range splitParams(params) {
		k, val, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || !strings.EqualFold(strings.TrimSpace(k), "rel") {
			continue
		}
		// A rel after the first is ignored (RFC 8288, 3.3).
		val = strings.TrimSpace(val)
		if len(val) >= 2 && val[0] == '"' && val[len(val)-1] == '"' {
			val = val[1 : len(val)-1]
		}
		for _, rel := range strings.Fields(val) {
			if isToken(rel) {
				rels = append(rels, strings.ToLower(rel))
			}
		}
		break
	}
	return target, rels, true
}

// splitParams splits ";a=1;b="x;y"" at the semicolons outside quotes.
func splitParams(s string) []string {
	var out []string
	inQuote, start := false, 0
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] == '"':
			inQuote = !inQuote
		case s[i] == ';' && !inQuote:
			if i > start {
				out = append(out, s[start:i])
			}
			start = i + 1
		}
	}
	if start < len(s) {
		out = append(out, s[start:])
	}
	return out
}

// isToken reports whether a rel type is a plain name (letters, digits and
// . - _ : /, as registered relation types and URLs are), never quotes or
// brackets.
func isToken(s string) bool {
	for _, r := range s {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && !strings.ContainsRune(".-_:/", r) {
			return false
		}
	}
	return s != ""
}
