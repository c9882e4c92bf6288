package steps

import "testing"

// TestVendorStepLoads reads the vendor page's own step number from a guide.
func TestVendorStepLoads(t *testing.T) {
	g, err := Parse("vendor.yaml", []byte(`id: vendor
title: Vendor numbering
vendor: Vendor Inc.
account_model: dmsa
summary: Numbers of the vendor's page.
steps:
  - id: first
    kind: instruction
    title: Create & Name Service Account
    vendor_step: "3"
    checklist:
      - Do it
`))
	if err != nil {
		t.Fatal(err)
	}
	if got := g.Steps[0].VendorStep; got != "3" {
		t.Fatalf("vendor_step read as %q", got)
	}
}
