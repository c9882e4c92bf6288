package state

import (
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// TestUserDir checks each platform's state and config directories on every
// platform: the XDG variables win everywhere when absolute, a relative one
// is ignored (the XDG spec), and Linux's paths are the ones procore-sa has
// always used.
func TestUserDir(t *testing.T) {
	home := filepath.Join(string(filepath.Separator), "home", "ann")
	abs := filepath.Join(string(filepath.Separator), "x")
	local := filepath.Join(string(filepath.Separator), "c", "Users", "ann", "AppData", "Local")
	roaming := filepath.Join(string(filepath.Separator), "c", "Users", "ann", "AppData", "Roaming")
	winEnv := map[string]string{"LOCALAPPDATA": local, "APPDATA": roaming}
	tests := []struct {
		goos  string
		kind  dirKind
		env   map[string]string
		want  string
		error string
	}{
		{goos: "linux", kind: stateKind, want: filepath.Join(home, ".local", "state", "procore-sa")},
		{goos: "linux", kind: configKind, want: filepath.Join(home, ".config", "procore-sa")},
		{goos: "linux", kind: stateKind, env: map[string]string{"XDG_STATE_HOME": abs}, want: filepath.Join(abs, "procore-sa")},
		{goos: "linux", kind: configKind, env: map[string]string{"XDG_CONFIG_HOME": abs}, want: filepath.Join(abs, "procore-sa")},
		{goos: "linux", kind: stateKind, env: map[string]string{"XDG_STATE_HOME": "relative/state"}, want: filepath.Join(home, ".local", "state", "procore-sa")},
		{goos: "linux", kind: configKind, env: map[string]string{"XDG_CONFIG_HOME": "."}, want: filepath.Join(home, ".config", "procore-sa")},
		{goos: "freebsd", kind: stateKind, want: filepath.Join(home, ".local", "state", "procore-sa")},
		{goos: "freebsd", kind: configKind, want: filepath.Join(home, ".config", "procore-sa")},

		{goos: "darwin", kind: stateKind, want: filepath.Join(home, "Library", "Application Support", "procore-sa")},
		{goos: "darwin", kind: configKind, want: filepath.Join(home, "Library", "Application Support", "procore-sa")},
		{goos: "darwin", kind: stateKind, env: map[string]string{"XDG_STATE_HOME": abs}, want: filepath.Join(abs, "procore-sa")},
		{goos: "darwin", kind: configKind, env: map[string]string{"XDG_CONFIG_HOME": "rel"}, want: filepath.Join(home, "Library", "Application Support", "procore-sa")},

		{goos: "windows", kind: stateKind, env: winEnv, want: filepath.Join(local, "procore-sa")},
		{goos: "windows", kind: configKind, env: winEnv, want: filepath.Join(roaming, "procore-sa")},
		{goos: "windows", kind: configKind, env: map[string]string{"XDG_CONFIG_HOME": abs, "APPDATA": roaming}, want: filepath.Join(abs, "procore-sa")},
		{goos: "windows", kind: stateKind, env: map[string]string{"APPDATA": roaming}, error: "%LOCALAPPDATA% is not set"},
		{goos: "windows", kind: configKind, env: map[string]string{"APPDATA": "AppData"}, error: "%APPDATA% is not set to an absolute path"},
	}
	for _, tt := range tests {
		getenv := func(k string) string { return tt.env[k] }
		got, err := userDir(tt.goos, tt.kind, getenv, func() (string, error) { return home, nil })
		if tt.error != "" {
			if err == nil || !strings.Contains(err.Error(), tt.error) {
				t.Errorf("%s %d %v: got %q, %v; want an error saying %q", tt.goos, tt.kind, tt.env, got, err, tt.error)
			}
			continue
		}
		if err != nil || got != tt.want {
			t.Errorf("%s %d %v: got %q, %v; want %q", tt.goos, tt.kind, tt.env, got, err, tt.want)
		}
	}
}

// TestUserDirNoHome: without a home directory the error says what was being
// looked for.
func TestUserDirNoHome(t *testing.T) {
	_, err := userDir("linux", configKind, func(string) string { return "" }, func() (string, error) { return "", errors.New("$HOME is not defined") })
	if err == nil || !strings.Contains(err.Error(), "find the config directory: $HOME is not defined") {
		t.Errorf("err = %v", err)
	}
}

// TestDirHere checks Dir and ConfigDir on the platform the test runs on,
// through the real environment.
func TestDirHere(t *testing.T) {
	abs := t.TempDir()
	t.Setenv("XDG_STATE_HOME", abs)
	t.Setenv("XDG_CONFIG_HOME", abs)
	for name, f := range map[string]func() (string, error){"Dir": Dir, "ConfigDir": ConfigDir} {
		if got, err := f(); err != nil || got != filepath.Join(abs, "procore-sa") {
			t.Errorf("%s() = %q, %v with the XDG variables set", name, got, err)
		}
	}
	t.Setenv("XDG_STATE_HOME", "")
	t.Setenv("XDG_CONFIG_HOME", "")
	home, local, roaming := t.TempDir(), t.TempDir(), t.TempDir()
	t.Setenv("HOME", home)
	t.Setenv("USERPROFILE", home)
	t.Setenv("LOCALAPPDATA", local)
	t.Setenv("APPDATA", roaming)
	wantState, wantConfig := filepath.Join(home, ".local", "state", "procore-sa"), filepath.Join(home, ".config", "procore-sa")
	switch runtime.GOOS {
	case "darwin", "ios":
		wantState = filepath.Join(home, "Library", "Application Support", "procore-sa")
		wantConfig = wantState
	case "windows":
		wantState, wantConfig = filepath.Join(local, "procore-sa"), filepath.Join(roaming, "procore-sa")
	}
	if got, err := Dir(); err != nil || got != wantState {
		t.Errorf("Dir() = %q, %v; want %q", got, err, wantState)
	}
	if got, err := ConfigDir(); err != nil || got != wantConfig {
		t.Errorf("ConfigDir() = %q, %v; want %q", got, err, wantConfig)
	}
	if _, err := os.Stat(wantState); err == nil {
		t.Errorf("Dir made %s; only Open makes it", wantState)
	}
}
