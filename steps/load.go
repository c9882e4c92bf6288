package steps

// TEMPORARY: replaced by the loader helper.

// Catalog is the set of guides the wizard offers.
type Catalog struct{ guides []*Guide }

// LoadCatalog loads the built-in guides and the *.yaml files in userDir.
func LoadCatalog(userDir string) (*Catalog, []error) { return &Catalog{}, nil }

// Get finds a guide by id.
func (c *Catalog) Get(id string) (*Guide, bool) {
	for _, g := range c.guides {
		if g.ID == id {
			return g, true
		}
	}
	return nil, false
}

// List returns every guide, built-in ones first in their fixed order.
func (c *Catalog) List() []*Guide { return c.guides }
