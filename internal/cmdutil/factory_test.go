package cmdutil

import "testing"

func TestTargetArgs(t *testing.T) {
	tests := []struct {
		f    GlobalFlags
		want string
	}{
		{GlobalFlags{Demo: true, Company: 5}, " --demo"},
		{GlobalFlags{Env: "production", Profile: "default"}, ""},
		{GlobalFlags{Env: "sandbox", Company: 42, Profile: "ci"}, " --env sandbox --company 42 --profile ci"},
		{GlobalFlags{APIURL: "http://127.0.0.1:8080", LoginURL: "http://127.0.0.1:8080"}, " --api-url http://127.0.0.1:8080 --login-url http://127.0.0.1:8080"},
		{GlobalFlags{Profile: "it's mine"}, ` --profile 'it'\''s mine'`},
	}
	for _, tt := range tests {
		if got := (&Factory{Flags: tt.f}).TargetArgs(); got != tt.want {
			t.Errorf("TargetArgs(%+v) = %q, want %q", tt.f, got, tt.want)
		}
	}
}
