package handover

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"

	"github.com/procore-sa/procore-sa/state"
)

// seenFile is where the recipients each profile was handed to are kept,
// by fingerprint only: a public key's fingerprint is not a secret.
const seenFile = "handover/recipients.json"

// Seen remembers, per profile, the fingerprints of the recipients its
// credential was handed to, so that a new recipient of a production
// credential can be asked about.
type Seen struct{ State *state.Store }

func (s Seen) read() (map[string][]string, error) {
	f, err := s.State.OpenRead(seenFile)
	if errors.Is(err, fs.ErrNotExist) {
		return map[string][]string{}, nil
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", s.State.Path(seenFile), err)
	}
	m := map[string][]string{}
	if err := json.Unmarshal(data, &m); err != nil {
		return nil, fmt.Errorf("read %s: it is damaged (%v); remove it, and each recipient is asked about once more", s.State.Path(seenFile), err)
	}
	return m, nil
}

// New are those of fps that profile was never handed to.
func (s Seen) New(profile string, fps []string) ([]string, error) {
	m, err := s.read()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, fp := range fps {
		if !slices.Contains(m[profile], fp) {
			out = append(out, fp)
		}
	}
	return out, nil
}

// Add records that profile was handed to fps.
func (s Seen) Add(profile string, fps []string) error {
	m, err := s.read()
	if err != nil {
		return err
	}
	for _, fp := range fps {
		if !slices.Contains(m[profile], fp) {
			m[profile] = append(m[profile], fp)
		}
	}
	data, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return s.State.WriteFile(seenFile, append(data, '\n'))
}
