package main

// TEMPORARY: replaced by the loader helper.

import "github.com/spf13/cobra"

func newGuidesCmd(a *app) *cobra.Command { return &cobra.Command{Use: "guides"} }
