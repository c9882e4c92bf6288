//go:build !linux

package credstore

import "runtime"

// The keychain's name and the advice for its failures, by system. The BSDs
// reach a Secret Service over D-Bus as Linux does, without the bus check.
var backendName, unavailableAdvice, lockedAdvice = func() (string, string, string) {
	switch runtime.GOOS {
	case "darwin":
		return "macOS Keychain",
			"run procore-sa as a user logged in to this Mac, whose login keychain exists",
			"unlock the login keychain in Keychain Access and try again"
	case "windows":
		return "Windows Credential Manager",
			"run procore-sa as a user logged in to Windows, not as a service account",
			"sign in to Windows as that user and try again"
	}
	return "Secret Service (D-Bus)",
		"install and start gnome-keyring or KeePassXC's Secret Service (or log in to a desktop session)",
		"unlock the login keyring and try again"
}()

// busError is Linux's; it is never made here.
type busError struct{ msg string }

func (e *busError) Error() string { return e.msg }

// checkSessionBus has nothing to check: macOS and Windows keychains need no
// bus, and on the BSDs godbus finds no /run/user to fall back on.
func checkSessionBus() error { return nil }

// runUserDir is Linux's; the tests reach it on every system.
var runUserDir = func() string { return "" }

// checkBusAddress is Linux's; the tests reach it on every system.
func checkBusAddress(string) error { return nil }
