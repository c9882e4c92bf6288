package sim

import "sync"

// secretBook holds the client secrets reset since New, by client ID.
type secretBook struct {
	mu    sync.Mutex
	reset map[string]string
}

// ClientSecret is the secret an app's client ID signs in with now: the one
// issued last (Fixtures holds those first issued). "" for an unknown app.
func (s *Server) ClientSecret(clientID string) string {
	s.secrets.mu.Lock()
	sec, ok := s.secrets.reset[clientID]
	s.secrets.mu.Unlock()
	if ok {
		return sec
	}
	switch s.clientByID(clientID) {
	case dmsaClient:
		return s.fx.DMSAClientSecret
	case adminClient:
		return s.fx.AdminClientSecret
	}
	return ""
}

// ResetClientSecret is the Developer Portal's Reset Client Secret for an
// app: a new secret, shown once (returned here). As in Procore, the
// previous secret is revoked at once, with every access token and refresh
// token issued through it; the client ID stays the same. Nothing keeps the
// old secret working until the new one is in place: whoever uses the app
// must be given the new one.
func (s *Server) ResetClientSecret(clientID string) (string, error) {
	if s.clientByID(clientID) == noClient {
		return "", errorf("no app has client ID %q", clientID)
	}
	fresh := s.randHex(32)
	s.secrets.mu.Lock()
	if s.secrets.reset == nil {
		s.secrets.reset = map[string]string{}
	}
	s.secrets.reset[clientID] = fresh
	s.secrets.mu.Unlock()
	s.auth.mu.Lock()
	for _, t := range s.auth.access {
		if t.clientID == clientID {
			t.revoked = true
		}
	}
	for _, t := range s.auth.refresh {
		if t.clientID == clientID {
			t.revoked = true
		}
	}
	s.auth.mu.Unlock()
	return fresh, nil
}
