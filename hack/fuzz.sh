#!/usr/bin/env bash
# Runs every fuzz target for a fixed time (default 10s each), as CI does.
# Each target also runs as a normal test on its seed corpus in `go test`.
set -euo pipefail
FUZZTIME="${1:-10s}"
targets=(
  "./webhookserver FuzzParseAndRoute"
  "./internal/graph FuzzMetaErrorNeverLeaks"
  "./internal/graph FuzzScrubberCatchesEscapes"
  "./internal/conditions FuzzURLOrigin"
  "./internal/dialguard FuzzDialGuard"
  "./webhookserver FuzzReopeningRanges"
  "./relay FuzzPlanMessage"
  "./relay FuzzReadUpload"
  "./relay FuzzIsGraphVersion"
)
for t in "${targets[@]}"; do
  read -r pkg name <<<"$t"
  echo "fuzz: $pkg $name for $FUZZTIME"
  go test "$pkg" -run '^$' -fuzz "^${name}\$" -fuzztime "$FUZZTIME"
done
