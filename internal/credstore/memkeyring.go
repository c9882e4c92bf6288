package credstore

import (
	"sync"

	"github.com/zalando/go-keyring"
)

// MemoryKeyring keeps entries in this process only. It exists for --demo on
// a machine with no keychain (and the screen says so) and for tests of code
// above the store; a real run never uses it.
type MemoryKeyring struct {
	mu sync.Mutex
	m  map[string]string
}

func (k *MemoryKeyring) key(service, account string) string { return service + "\x00" + account }

func (k *MemoryKeyring) Get(service, account string) (string, error) {
	k.mu.Lock()
	defer k.mu.Unlock()
	v, ok := k.m[k.key(service, account)]
	if !ok {
		return "", keyring.ErrNotFound
	}
	return v, nil
}

func (k *MemoryKeyring) Set(service, account, value string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.m == nil {
		k.m = map[string]string{}
	}
	k.m[k.key(service, account)] = value
	return nil
}

func (k *MemoryKeyring) Delete(service, account string) error {
	k.mu.Lock()
	defer k.mu.Unlock()
	if _, ok := k.m[k.key(service, account)]; !ok {
		return keyring.ErrNotFound
	}
	delete(k.m, k.key(service, account))
	return nil
}
