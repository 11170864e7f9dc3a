#!/usr/bin/env bash
# Makes the pull-request scenario of fixtures/diff/scenario as a Git repository in DIR:
# `main` is fixtures/charts/fraud-detector plus the scenario's base templates and values,
# `feature` applies head.patch. Used by the demo and the action benchmark (the Rust tests
# build the same repository in action/tests/support/scenario.rs).
#
#   scripts/demo/make-scenario-repo.sh DIR
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
scenario="$root/fixtures/diff/scenario"
work="${1:?usage: make-scenario-repo.sh DIR}"

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
