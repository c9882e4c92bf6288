package main

// noCoreDumps: Windows writes no core on a crash of a console program
// unless Windows Error Reporting's LocalDumps is set up for it in the
// registry, which is the machine's policy, not the program's to change.
func noCoreDumps() error { return nil }
