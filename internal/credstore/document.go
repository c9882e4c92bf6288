package credstore

// ParseDocument reads a credential's stored document (the JSON the keychain
// holds and a passphrase export encrypts), for an import. Its errors never
// quote the document: it holds secrets.
func ParseDocument(doc string) (Credential, error) { return decodeCredential(doc) }
