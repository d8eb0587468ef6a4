// Package metricinventory lists every metric the project's three programs
// export — the operator, the webhook server and the relay — read from
// their real registries, so that what is written about them (the metrics
// documentation, the alerting rules, the dashboard) can be checked
// against what the code serves and cannot drift.
//
// Vectors get one child each and the scrape-time collectors read sample
// objects, so that every metric appears in a gather with its type and
// label names; the values mean nothing. Tests import it; no program does.
package metricinventory
