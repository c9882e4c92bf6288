package credstore

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

const backendName = "Secret Service (D-Bus)"

const (
	unavailableAdvice = "install and start gnome-keyring or KeePassXC's Secret Service (or log in to a desktop session)"
	lockedAdvice      = "unlock the login keyring (in Seahorse, \"Passwords and Keys\", creating it there if there is none, or with `gnome-keyring-daemon --unlock`) and try again"
)

// busError says why there is no session bus to reach the Secret Service.
type busError struct{ msg string }

func (e *busError) Error() string { return e.msg }

// runUserDir is where godbus looks for a bus when DBUS_SESSION_BUS_ADDRESS
// is unset (/run/user/UID; it ignores XDG_RUNTIME_DIR). A variable so
// tests can point it at an empty directory.
var runUserDir = func() string { return fmt.Sprintf("/run/user/%d", os.Getuid()) }

// checkSessionBus finds the session bus godbus would use without starting
// one. Left alone, godbus runs dbus-launch when it finds none, which leaves
// a bus daemon behind and, without X, fails only after a detour.
func checkSessionBus() error {
	if addr := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); addr != "" && addr != "autolaunch:" {
		return checkBusAddress(addr)
	}
	dir := runUserDir()
	for _, name := range []string{"bus", "dbus-session"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err == nil {
			return nil
		}
	}
	msg := fmt.Sprintf("there is no D-Bus session bus (DBUS_SESSION_BUS_ADDRESS is not set and %s does not exist)", filepath.Join(dir, "bus"))
	if x := os.Getenv("XDG_RUNTIME_DIR"); x != "" && filepath.Clean(x) != dir {
		if _, err := os.Stat(filepath.Join(x, "bus")); err == nil {
			msg += fmt.Sprintf(", though %s does: set DBUS_SESSION_BUS_ADDRESS=unix:path=%s", filepath.Join(x, "bus"), filepath.Join(x, "bus"))
		}
	}
	return &busError{msg}
}

// checkBusAddress accepts an address list when any entry may work: a
// unix:path whose socket exists, or anything it cannot check cheaply
// (abstract sockets, tcp).
func checkBusAddress(addr string) error {
	var missing []string
	for _, entry := range strings.Split(addr, ";") {
		if entry == "" {
			continue
		}
		transport, params, _ := strings.Cut(entry, ":")
		path := ""
		if transport == "unix" {
			for _, kv := range strings.Split(params, ",") {
				if k, v, ok := strings.Cut(kv, "="); ok && k == "path" {
					path = unescapeBusValue(v)
				}
			}
		}
		if path == "" {
			return nil
		}
		if _, err := os.Stat(path); err == nil {
			return nil
		}
		missing = append(missing, path)
	}
	if len(missing) == 0 {
		return &busError{fmt.Sprintf("DBUS_SESSION_BUS_ADDRESS (%q) names no bus", addr)}
	}
	return &busError{fmt.Sprintf("the D-Bus session bus in DBUS_SESSION_BUS_ADDRESS is gone (%s does not exist; the session that started it has probably ended)", strings.Join(missing, ", "))}
}

// unescapeBusValue undoes D-Bus address escaping (%XX); a malformed escape
// is kept as it is, since the stat that follows will fail anyway.
func unescapeBusValue(v string) string {
	var b strings.Builder
	for i := 0; i < len(v); i++ {
		if v[i] == '%' && i+2 < len(v) {
			var c byte
			if _, err := fmt.Sscanf(v[i+1:i+3], "%02x", &c); err == nil {
				b.WriteByte(c)
				i += 2
				continue
			}
		}
		b.WriteByte(v[i])
	}
	return b.String()
}
