//go:build race

package main

// raceEnabled: the demo was built with -race, so are its children.
const raceEnabled = true
