package procore

import (
	"strings"
	"testing"

	"github.com/procore-sa/procore-sa/internal/secret"
)

func TestParseError(t *testing.T) {
	tests := []struct {
		name   string
		status int
		body   string
		want   []string // in Error()
	}{
		{"string errors", 401, `{"errors":"Unauthorized"}`, []string{"401 Unauthorized", `"Unauthorized"`, "Sign in again"}},
		{"field errors", 422, `{"errors":{"email_address":["has already been taken"],"last_name":["can't be blank"]}}`,
			[]string{"422", "email_address has already been taken", "last_name can't be blank", "correct them"}},
		{"message and error", 403, `{"message":"App is not connected to this company","error":"forbidden"}`,
			[]string{"403 Forbidden", "App is not connected to this company", "install it"}},
		{"oauth", 401, `{"error":"invalid_client","error_description":"Client authentication failed"}`,
			[]string{"Client authentication failed", "check both"}},
		{"invalid grant", 400, `{"error":"invalid_grant","error_description":"The provided authorization grant is invalid"}`,
			[]string{"used up or expired", "procore-sa login"}},
		{"plain text 429", 429, "You have surpassed the max number of requests for an hour. Please wait until your limit resets.",
			[]string{"429 Too Many Requests", "surpassed", "wait for it to reset"}},
		{"html 503", 503, "<html><body>down</body></html>", []string{"503 Service Unavailable", "try again"}},
		{"not found", 404, `{"errors":"Not Found"}`, []string{"404", "check the ID"}},
		{"conflict", 409, `{"errors":"Conflict"}`, []string{"409", "already exists"}},
		{"forbidden plain", 403, `{"errors":"Forbidden"}`, []string{"permission"}},
		{"list of errors", 422, `{"errors":["a","b"]}`, []string{`"a; b"`}},
		{"empty", 500, ``, []string{"500 Internal Server Error"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := ParseError(tt.status, []byte(tt.body))
			e.Method, e.Path = "GET", "/rest/v1.0/me"
			got := e.Error()
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("%q lacks %q", got, w)
				}
			}
			if strings.Contains(got, "\n") {
				t.Errorf("error spans lines: %q", got)
			}
		})
	}
}

func TestErrorClipsWhatProcoreSaid(t *testing.T) {
	e := ParseError(500, []byte(`{"errors":"`+strings.Repeat("x", 5000)+"\x1b[31m\"}"))
	if len(e.Message) > maxErrorText+len("…") || strings.ContainsRune(e.Message, 0x1b) {
		t.Fatalf("message not clipped or not cleaned: %d bytes", len(e.Message))
	}
}

func FuzzParseError(f *testing.F) {
	for _, s := range []string{`{"errors":"x"}`, `{"errors":{"a":["b"]}}`, `{"errors":{"a":"b"}}`,
		`{"message":"m","error":"e"}`, `{"error":"invalid_grant","error_description":"d"}`, `[]`, `null`, "\xff", ""} {
		f.Add(401, []byte(s))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := ParseError(status, body)
		msg := e.Error()
		if strings.ContainsAny(msg, "\n\r\x1b") {
			t.Fatalf("error holds a control character: %q", msg)
		}
	})
}

func TestParseLink(t *testing.T) {
	h := `<https://api.procore.com/rest/v1.1/projects?page=1&per_page=100>; rel="first", ` +
		`<https://api.procore.com/rest/v1.1/projects?page=2&per_page=100>; rel="prev", ` +
		`<https://api.procore.com/rest/v1.1/projects?page=4&per_page=100>; rel="next", ` +
		`<https://api.procore.com/rest/v1.1/projects?page=9&per_page=100>; rel="last"`
	got := ParseLink(h)
	want := map[string]string{
		"first": "https://api.procore.com/rest/v1.1/projects?page=1&per_page=100",
		"prev":  "https://api.procore.com/rest/v1.1/projects?page=2&per_page=100",
		"next":  "https://api.procore.com/rest/v1.1/projects?page=4&per_page=100",
		"last":  "https://api.procore.com/rest/v1.1/projects?page=9&per_page=100",
	}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("rel %s = %q, want %q", k, got[k], v)
		}
	}
	for h, next := range map[string]string{
		``:                              "",
		`<a>; rel=next`:                 "a",
		`<a>; rel="prev next"`:          "a",
		`<a,b>; rel="next"`:             "a,b",
		`<a>; title="x, y"; rel="next"`: "a",
		`garbage, <b>; rel="next"`:      "b",
		`<a>; rel="last"`:               "",
		`<unterminated; rel="next"`:     "",
		`<a>; REL="NEXT"`:               "a",
		`<<>rel=next`:                   "", // a "<" in the target, and no ";"
		`<a> rel="next"`:                "", // a parameter without its ";"
		`<a b>; rel="next"`:             "",
		`<a>; rel="x"; rel="next"`:      "", // the first rel counts, as RFC 8288 says
		`<a>;rel=next`:                  "a",
	} {
		if got := ParseLink(h)["next"]; got != next {
			t.Errorf("ParseLink(%q)[next] = %q, want %q", h, got, next)
		}
	}
}

func FuzzParseLink(f *testing.F) {
	f.Add(`<https://x/?page=2>; rel="next", <https://x/?page=9>; rel="last"`)
	f.Add(`<a>; title="x, y"; rel="next"`)
	f.Add(`<`)
	f.Add(`<<>rel=0`)
	f.Fuzz(func(t *testing.T, h string) {
		for rel, u := range ParseLink(h) {
			if rel == "" || u == "" || strings.ContainsAny(u, "<> \t\"") || strings.ContainsAny(rel, "<>\" ;,=") {
				t.Fatalf("ParseLink(%q): rel %q -> %q", h, rel, u)
			}
			if !strings.Contains(h, "<"+u+">") {
				t.Fatalf("ParseLink(%q): %q is not a bracketed target of the header", h, u)
			}
		}
	})
}

// FuzzParseErrorWithholds: whatever surrounds a secret in an error
// answer, and however the words are clipped, no part of eight characters
// of it is left in the error.
func FuzzParseErrorWithholds(f *testing.F) {
	f.Add(401, `{"errors":"`, `"}`, 290)
	f.Add(400, `{"error":"x","error_description":"`, `"}`, 0)
	f.Add(500, `plain `, ``, 295)
	f.Fuzz(func(t *testing.T, status int, before, after string, pad int) {
		const s = "Zq8-SECRET-fuzz-Kw3"
		if pad < 0 || pad > 2000 || strings.Contains(before+after, "Zq8") || strings.Contains(before+after, "Kw3") {
			return
		}
		body := before + strings.Repeat("x", pad) + s + after
		msg := ParseError(status, []byte(body), secret.New(s)).Error()
		for i := 0; i+8 <= len(s); i++ {
			if strings.Contains(msg, s[i:i+8]) && !strings.Contains(before+after, s[i:i+8]) {
				t.Fatalf("%q is left in %q", s[i:i+8], msg)
			}
		}
	})
}
