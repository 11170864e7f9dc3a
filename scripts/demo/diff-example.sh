#!/usr/bin/env bash
# Shows `helmpilot diff` on the bundled example: the fraud-detection chart in a throw-away
# Git repository whose `main` is fixtures/charts/fraud-detector (plus the scenario's base
# templates and values) and whose `feature` branch applies fixtures/diff/scenario/head.patch
# (staging image bump, selector change, API key change, PVC removed, ConfigMap renamed).
# Extra arguments go to `helmpilot diff` (e.g. `-o markdown`, `--env staging`).
#
#   scripts/demo/diff-example.sh [-o text|markdown|json] [--env NAME]...
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
work="$(mktemp -d "${TMPDIR:-/tmp}/helmpilot-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT

"$root/scripts/demo/make-scenario-repo.sh" "$work"
cargo build -q --manifest-path "$root/Cargo.toml" -p helmpilot
cd "$work"
"$root/target/debug/helmpilot" diff charts/fraud-detector --base main --head feature "$@"
