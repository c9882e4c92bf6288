package handover

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/procore-sa/procore-sa/internal/credstore"
	"github.com/procore-sa/procore-sa/internal/secret"
	"github.com/procore-sa/procore-sa/procore"
)

// FormatName and FormatVersion name the plaintext inside a handover, so a
// reader knows what it holds.
const (
	FormatName    = "procore-sa-handover"
	FormatVersion = 1
)

// The keys of the plaintext. They are the names procore-sa itself reads
// from the environment where it has one (PROCORE_CLIENT_ID,
// PROCORE_CLIENT_SECRET), so a vendor can source the file as it is.
const (
	KeyFormat       = "PROCORE_HANDOVER_FORMAT"
	KeyKind         = "PROCORE_CREDENTIAL_KIND"
	KeyClientID     = "PROCORE_CLIENT_ID"
	KeyClientSecret = "PROCORE_CLIENT_SECRET"
	KeyLogin        = "PROCORE_LOGIN"
	KeyPassword     = "PROCORE_PASSWORD"
	KeyCompanyID    = "PROCORE_COMPANY_ID"
	KeyEnvironment  = "PROCORE_ENVIRONMENT"
	KeyAPIURL       = "PROCORE_API_URL"
	KeyLoginURL     = "PROCORE_LOGIN_URL"
	KeyCreatedAt    = "PROCORE_CREATED_AT"
)

// Payload is what a handover holds: a credential and where it is used.
type Payload struct {
	Cred credstore.Credential
	// APIURL and LoginURL are the environment's hosts.
	APIURL, LoginURL string
	// Profile is the name it has on the sender's machine, for the header.
	Profile string
	// HandedOverAt is when the file was written.
	HandedOverAt time.Time
}

// NewPayload is the payload of cred as used in env.
func NewPayload(profile string, cred credstore.Credential, env procore.Environment, now time.Time) Payload {
	return Payload{Cred: cred, APIURL: env.APIURL, LoginURL: env.LoginURL, Profile: profile, HandedOverAt: now.UTC()}
}

// Check says whether the payload can be written: a client-credentials
// credential (a DMSA's client ID and secret) or a user's login and
// password; never an admin's own sign-in. A value holding a new line or a
// single quote cannot be written as one KEY='value' line and is refused.
func (p Payload) Check() error {
	switch p.Cred.Kind {
	case credstore.KindClientCredentials, credstore.KindUserLogin:
	case credstore.KindAdminOAuth:
		return errors.New("an admin's own sign-in (admin_oauth) is never handed over: it acts as that person; hand over the integration's credential instead")
	default:
		return fmt.Errorf("a %s credential cannot be handed over", procore.Printable(string(p.Cred.Kind)))
	}
	for key, v := range p.values() {
		if strings.ContainsAny(v, "\r\n'\x00") {
			what := key
			if key == KeyClientSecret || key == KeyPassword {
				what += " (the secret itself is not shown)"
			}
			return fmt.Errorf("%s holds a new line or a single quote, which this format cannot carry", what)
		}
	}
	return nil
}

func (p Payload) values() map[string]string {
	m := map[string]string{
		KeyKind: string(p.Cred.Kind), KeyEnvironment: p.Cred.Environment,
		KeyAPIURL: p.APIURL, KeyLoginURL: p.LoginURL,
	}
	if p.Cred.CompanyID != 0 {
		m[KeyCompanyID] = strconv.FormatInt(p.Cred.CompanyID, 10)
	}
	if !p.Cred.CreatedAt.IsZero() {
		m[KeyCreatedAt] = p.Cred.CreatedAt.UTC().Format(time.RFC3339)
	}
	switch p.Cred.Kind {
	case credstore.KindClientCredentials:
		m[KeyClientID], m[KeyClientSecret] = p.Cred.ClientID, p.Cred.ClientSecret.Reveal()
	case credstore.KindUserLogin:
		m[KeyLogin], m[KeyPassword] = p.Cred.Login, p.Cred.Password.Reveal()
	}
	return m
}

// order is the order the keys are written in.
var order = []string{KeyFormat, KeyKind, KeyClientID, KeyClientSecret, KeyLogin, KeyPassword,
	KeyCompanyID, KeyEnvironment, KeyAPIURL, KeyLoginURL, KeyCreatedAt}

// Encode is the plaintext: a header of # comments saying what the file is
// and how to read it, then one KEY=value line a field, the values
// single-quoted when they hold anything but letters, digits and . _ - : /
// @ +. It is a .env file: a shell can source it, and a dotenv reader
// reads it.
func (p Payload) Encode() ([]byte, error) {
	if err := p.Check(); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	fmt.Fprintf(&b, "# %s %d: a Procore integration credential, handed over by procore-sa.\n", FormatName, FormatVersion)
	b.WriteString("# It holds a secret: keep it only where the integration reads it, and delete this copy once it is there.\n")
	if p.Profile != "" {
		fmt.Fprintf(&b, "# Profile on the sender's machine: %s\n", p.Profile)
	}
	if !p.HandedOverAt.IsZero() {
		fmt.Fprintf(&b, "# Handed over at: %s\n", p.HandedOverAt.UTC().Format(time.RFC3339))
	}
	b.WriteString("# One KEY=value line a field (a value in single quotes is taken literally):\n")
	switch p.Cred.Kind {
	case credstore.KindClientCredentials:
		fmt.Fprintf(&b, "#   %s, %s  the app's credentials (client credentials grant)\n", KeyClientID, KeyClientSecret)
	case credstore.KindUserLogin:
		fmt.Fprintf(&b, "#   %s, %s  the directory user's login and password\n", KeyLogin, KeyPassword)
	}
	fmt.Fprintf(&b, "#   %s  the company, sent as the Procore-Company-Id header\n", KeyCompanyID)
	fmt.Fprintf(&b, "#   %s  production, sandbox or monthly\n", KeyEnvironment)
	fmt.Fprintf(&b, "#   %s, %s  where the API and the sign-in (/oauth/token) are\n", KeyAPIURL, KeyLoginURL)
	fmt.Fprintf(&b, "#   %s  when the credential was made (RFC 3339, UTC)\n", KeyCreatedAt)
	vals := p.values()
	vals[KeyFormat] = strconv.Itoa(FormatVersion)
	for _, k := range order {
		v, ok := vals[k]
		if !ok || v == "" {
			continue
		}
		b.WriteString(k + "=" + quote(v) + "\n")
	}
	return b.Bytes(), nil
}

func quote(v string) string {
	for _, r := range v {
		plain := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || strings.ContainsRune("._-:/@+", r)
		if !plain {
			return "'" + v + "'"
		}
	}
	return v
}

// maxPayload bounds a plaintext read back.
const maxPayload = 16 << 10

// DecodePayload reads a handover's plaintext. Unknown keys are refused
// (they may be a newer format's), as are a missing format line and a
// credential missing a field its kind needs. Its errors name keys and
// line numbers, never a value.
func DecodePayload(data []byte) (Payload, error) {
	if len(data) > maxPayload {
		return Payload{}, errors.New("the handover is larger than any procore-sa writes")
	}
	vals := map[string]string{}
	known := map[string]bool{}
	for _, k := range order {
		known[k] = true
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		k, v, ok := strings.Cut(line, "=")
		if !ok {
			return Payload{}, fmt.Errorf("line %d of the handover is not KEY=value", n)
		}
		k = strings.TrimSpace(k)
		if !known[k] {
			return Payload{}, fmt.Errorf("line %d of the handover has the key %q, which this procore-sa does not know (a newer format?)", n, procore.Printable(clip(k)))
		}
		if _, dup := vals[k]; dup {
			return Payload{}, fmt.Errorf("the handover gives %s twice", k)
		}
		if len(v) >= 2 && v[0] == '\'' && v[len(v)-1] == '\'' {
			v = v[1 : len(v)-1]
		} else if strings.ContainsAny(v, "'\" \t") {
			return Payload{}, fmt.Errorf("line %d of the handover (%s) has a value that is neither plain nor single-quoted", n, k)
		}
		vals[k] = v
	}
	if err := sc.Err(); err != nil {
		return Payload{}, errors.New("the handover's lines could not be read")
	}
	if vals[KeyFormat] != strconv.Itoa(FormatVersion) {
		return Payload{}, fmt.Errorf("it is not a %s %d file (no %s=%d line)", FormatName, FormatVersion, KeyFormat, FormatVersion)
	}
	p := Payload{APIURL: vals[KeyAPIURL], LoginURL: vals[KeyLoginURL]}
	c := credstore.Credential{Version: credstore.CredentialVersion, Kind: credstore.Kind(vals[KeyKind]), Environment: vals[KeyEnvironment]}
	if s := vals[KeyCompanyID]; s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return Payload{}, fmt.Errorf("%s is not a company ID (digits only)", KeyCompanyID)
		}
		c.CompanyID = id
	}
	if s := vals[KeyCreatedAt]; s != "" {
		t, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return Payload{}, fmt.Errorf("%s is not an RFC 3339 time", KeyCreatedAt)
		}
		c.CreatedAt = t
	}
	need := func(keys ...string) error {
		for _, k := range keys {
			if vals[k] == "" {
				return fmt.Errorf("a %s handover needs %s", c.Kind, k)
			}
		}
		return nil
	}
	refuse := func(keys ...string) error {
		for _, k := range keys {
			if vals[k] != "" {
				return fmt.Errorf("a %s handover has no %s", c.Kind, k)
			}
		}
		return nil
	}
	switch c.Kind {
	case credstore.KindClientCredentials:
		if err := errors.Join(need(KeyClientID, KeyClientSecret), refuse(KeyLogin, KeyPassword)); err != nil {
			return Payload{}, err
		}
		c.ClientID, c.ClientSecret = vals[KeyClientID], secret.New(vals[KeyClientSecret])
	case credstore.KindUserLogin:
		if err := errors.Join(need(KeyLogin, KeyPassword), refuse(KeyClientID, KeyClientSecret)); err != nil {
			return Payload{}, err
		}
		c.Login, c.Password = vals[KeyLogin], secret.New(vals[KeyPassword])
	default:
		return Payload{}, fmt.Errorf("%s must be client_credentials or user_login", KeyKind)
	}
	p.Cred = c
	return p, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "..."
	}
	return s
}
