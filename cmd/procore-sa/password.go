package main

// TEMPORARY: replaced by the password helper.

import "github.com/spf13/cobra"

func newPasswordCmd(a *app) *cobra.Command { return &cobra.Command{Use: "password"} }
