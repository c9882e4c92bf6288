package main

// userAgent names the program and its version on every request.
func userAgent() string {
	return "procore-sa/" + version + " (+https://github.com/procore-sa/procore-sa)"
}
