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
scenario="$root/fixtures/diff/scenario"
work="$(mktemp -d "${TMPDIR:-/tmp}/helmpilot-demo.XXXXXX")"
trap 'rm -rf "$work"' EXIT

mkdir -p "$work/charts"
cp -R "$root/fixtures/charts/fraud-detector" "$work/charts/"
cp "$scenario"/base-templates/*.yaml "$work/charts/fraud-detector/templates/"
cat "$scenario/base-values.yaml" >> "$work/charts/fraud-detector/values.yaml"

git_quiet() { git -C "$work" -c user.email=demo@example.com -c user.name=demo "$@" >/dev/null; }
git_quiet init -q -b main
git_quiet add .
git_quiet commit -q -m "base: fraud-detector as deployed"
git_quiet checkout -q -b feature
git_quiet apply "$scenario/head.patch"
git_quiet add -A
git_quiet commit -q -m "feature: the pull request"

cargo build -q --manifest-path "$root/Cargo.toml" -p helmpilot
cd "$work"
"$root/target/debug/helmpilot" diff charts/fraud-detector --base main --head feature "$@"
