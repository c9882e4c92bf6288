package main

import "context"

// TEMPORARY: the wizard lands with the tui package.
func (a *app) runWizard(ctx context.Context, id string) error { return nil }
