#!/usr/bin/env bash
# Wall time of `helmpilot action` on the fixture scenario (fraud-detector: 3 environments,
# rendered at base and head, diffed, job summary, outputs and JSON report written) with
# the comment off, so no network is involved. Release build; prints the median of RUNS.
#
#   scripts/bench/action_bench.sh [RUNS]
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
runs="${1:-15}"
work="$(mktemp -d "${TMPDIR:-/tmp}/helmpilot-action-bench.XXXXXX")"
trap 'rm -rf "$work"' EXIT

cargo build -q --release --manifest-path "$root/Cargo.toml" -p helmpilot
bin="$root/target/release/helmpilot"
"$root/scripts/demo/make-scenario-repo.sh" "$work/repo"
base="$(git -C "$work/repo" rev-parse main)"
head="$(git -C "$work/repo" rev-parse feature)"
mkdir -p "$work/runner"
cat > "$work/event.json" <<JSON
{"action":"synchronize","number":1,"pull_request":{"number":1,"base":{"ref":"main","sha":"$base","repo":{"full_name":"bench/repo"}},"head":{"ref":"feature","sha":"$head","repo":{"full_name":"bench/repo"}}},"repository":{"full_name":"bench/repo"}}
JSON

times=()
for _ in $(seq "$runs"); do
    : > "$work/runner/summary.md"; : > "$work/runner/output.txt"
    start=$(date +%s%N)
    env -i PATH="$PATH" HOME="$HOME" GITHUB_ACTIONS=true GITHUB_EVENT_NAME=pull_request \
        GITHUB_EVENT_PATH="$work/event.json" GITHUB_REPOSITORY=bench/repo \
        GITHUB_WORKSPACE="$work/repo" GITHUB_STEP_SUMMARY="$work/runner/summary.md" \
        GITHUB_OUTPUT="$work/runner/output.txt" RUNNER_TEMP="$work/runner" INPUT_COMMENT=off \
        "$bin" action > /dev/null
    end=$(date +%s%N)
    times+=($(( (end - start) / 1000000 )))
done
sorted=($(printf '%s\n' "${times[@]}" | sort -n))
median=${sorted[$(( runs / 2 ))]}
echo "helmpilot action on the fixture scenario (3 environments, base and head, comment off): median ${median} ms over ${runs} runs (min ${sorted[0]} ms, max ${sorted[$(( runs - 1 ))]} ms)"
