package controllers

import "math"

// tierLimits is the number of unique users a number may start
// conversations with per rolling 24 hours, by Meta's messaging_limit_tier.
var tierLimits = map[string]float64{
	"TIER_50":        50,
	"TIER_250":       250,
	"TIER_1K":        1000,
	"TIER_2K":        2000,
	"TIER_10K":       10000,
	"TIER_100K":      100000,
	"TIER_UNLIMITED": math.Inf(1),
}

// tierLimit returns a tier's daily limit, or 0 for a tier not known here.
func tierLimit(tier string) float64 { return tierLimits[tier] }
