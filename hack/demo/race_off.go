//go:build !race

package main

// raceEnabled: the demo was built without -race, so are its children.
const raceEnabled = false
