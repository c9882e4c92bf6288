// Package procore is the Procore API client: environments, OAuth 2.0 through
// golang.org/x/oauth2, pagination, pacing from the rate-limit headers,
// retries and errors that say what to do. It talks only to the hosts it is
// given, and only over https unless the host is loopback.
package procore

import (
	"context"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"
)

// Environment is a Procore environment: where people log in and where the
// API is.
type Environment struct {
	Name     string
	LoginURL string
	APIURL   string
}

// The environments Procore documents.
var (
	Production     = Environment{"production", "https://login.procore.com", "https://api.procore.com"}
	Sandbox        = Environment{"sandbox", "https://login-sandbox.procore.com", "https://sandbox.procore.com"}
	MonthlySandbox = Environment{"monthly", "https://login-sandbox-monthly.procore.com", "https://api-monthly.procore.com"}
)

// EnvironmentNamed finds an environment by the name --env takes.
func EnvironmentNamed(name string) (Environment, error) {
	switch name {
	case "production", "":
		return Production, nil
	case "sandbox":
		return Sandbox, nil
	case "monthly", "monthly-sandbox":
		return MonthlySandbox, nil
	}
	return Environment{}, fmt.Errorf("environment %q: use production, sandbox or monthly", name)
}

// Override replaces the environment's URLs with those given (empty keeps
// the environment's own), checking each.
func (e Environment) Override(apiURL, loginURL string) (Environment, error) {
	if apiURL != "" {
		e.APIURL = strings.TrimRight(apiURL, "/")
		e.Name = "custom"
	}
	if loginURL != "" {
		e.LoginURL = strings.TrimRight(loginURL, "/")
		e.Name = "custom"
	}
	if err := CheckBaseURL(e.APIURL); err != nil {
		return e, fmt.Errorf("API URL: %w", err)
	}
	if err := CheckBaseURL(e.LoginURL); err != nil {
		return e, fmt.Errorf("login URL: %w", err)
	}
	return e, nil
}

// CheckBaseURL accepts an absolute https URL, or http for a loopback host
// only: a token must never cross a network in the clear.
func CheckBaseURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return fmt.Errorf("%q: give an absolute https:// URL", raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return fmt.Errorf("%q: give a base URL without credentials, query or fragment", raw)
	}
	if u.Scheme == "http" && !IsLoopback(u.Hostname()) {
		return fmt.Errorf("%q: only a loopback host may use http; use https", raw)
	}
	return nil
}

// IsLoopback reports whether host is a loopback address, or localhost
// resolving to loopback addresses only: a hosts file may say otherwise, and
// then plain http would leave the machine.
func IsLoopback(host string) bool {
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	if !strings.EqualFold(host, "localhost") {
		return false
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	addrs, err := net.DefaultResolver.LookupIPAddr(ctx, host)
	if err != nil || len(addrs) == 0 {
		return false
	}
	for _, a := range addrs {
		if !a.IP.IsLoopback() {
			return false
		}
	}
	return true
}
