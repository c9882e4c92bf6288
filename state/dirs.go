package state

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
)

// appDir is the directory named for the program inside each base directory.
const appDir = "procore-sa"

// Dir is the state directory: $XDG_STATE_HOME/procore-sa when that is an
// absolute path (the XDG spec says to ignore a relative one), else where the
// platform keeps a program's own data: ~/.local/state/procore-sa on Linux
// and the other Unix systems, ~/Library/Application Support/procore-sa on
// macOS, %LOCALAPPDATA%\procore-sa on Windows (machine-local: sessions and
// journals belong to this machine, not to a roaming profile).
func Dir() (string, error) {
	return userDir(runtime.GOOS, stateKind, os.Getenv, os.UserHomeDir)
}

// ConfigDir is where the person's own files (their guides) are kept:
// $XDG_CONFIG_HOME/procore-sa when that is an absolute path, else
// ~/.config/procore-sa on Linux and the other Unix systems,
// ~/Library/Application Support/procore-sa on macOS, %APPDATA%\procore-sa on
// Windows (roaming: a person's guides follow them to another machine).
func ConfigDir() (string, error) {
	return userDir(runtime.GOOS, configKind, os.Getenv, os.UserHomeDir)
}

type dirKind int

const (
	stateKind dirKind = iota
	configKind
)

// userDir is Dir and ConfigDir for any goos, so that each platform's rule is
// tested on every platform. The XDG variable wins everywhere it is set: the
// person set it on purpose (and the tests use it to keep apart).
func userDir(goos string, kind dirKind, getenv func(string) string, home func() (string, error)) (string, error) {
	what, xdg, winVar, unix := "state", "XDG_STATE_HOME", "LOCALAPPDATA", []string{".local", "state"}
	if kind == configKind {
		what, xdg, winVar, unix = "config", "XDG_CONFIG_HOME", "APPDATA", []string{".config"}
	}
	if x := getenv(xdg); filepath.IsAbs(x) {
		return filepath.Join(x, appDir), nil
	}
	if goos == "windows" {
		base := getenv(winVar)
		if !filepath.IsAbs(base) {
			return "", fmt.Errorf("find the %s directory: %%%s%% is not set to an absolute path", what, winVar)
		}
		return filepath.Join(base, appDir), nil
	}
	h, err := home()
	if err != nil {
		return "", fmt.Errorf("find the %s directory: %w", what, err)
	}
	if goos == "darwin" || goos == "ios" {
		return filepath.Join(h, "Library", "Application Support", appDir), nil
	}
	return filepath.Join(append(append([]string{h}, unix...), appDir)...), nil
}
