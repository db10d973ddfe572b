#!/usr/bin/env bash
# Writes the sample images' event logs (examples/<scenario>/Windows/System32/winevt/Logs/*.evtx)
# with the test-only EVTX writer (test/helpers/evtx-writer.ts, test/helpers/sample-event-logs.ts).
# Deterministic: a seeded PRNG and fixed times. examples/build.sh runs it last; it can run alone.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO"
npx tsc -p tsconfig.json
node dist/test/helpers/sample-event-logs.js examples
