package procore

import "strings"

// ParseLink reads an RFC 8288 Link header, as Procore sends for pagination,
// into a map from rel to URL. It never panics; what it cannot read it skips.
func ParseLink(header string) map[string]string {
	links := map[string]string{}
	for header != "" {
		header = strings.TrimLeft(header, " \t,")
		if !strings.HasPrefix(header, "<") {
			// Not a link-value: skip to the next comma outside <...>.
			i := strings.IndexByte(header, ',')
			if i < 0 {
				break
			}
			header = header[i+1:]
			continue
		}
		end := strings.IndexByte(header, '>')
		if end < 0 {
			break
		}
		target := header[1:end]
		header = header[end+1:]
		// Parameters run to the next comma that is not inside quotes.
		var params string
		inQuote := false
		i := 0
		for ; i < len(header); i++ {
			c := header[i]
			if c == '"' {
				inQuote = !inQuote
			}
			if c == ',' && !inQuote {
				break
			}
		}
		params, header = header[:i], header[min(i+1, len(header)):]
		for _, p := range strings.Split(params, ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(p), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			v = strings.Trim(strings.TrimSpace(v), `"`)
			for _, rel := range strings.Fields(v) {
				rel = strings.ToLower(rel)
				if _, seen := links[rel]; !seen {
					links[rel] = target
				}
			}
		}
	}
	return links
}
