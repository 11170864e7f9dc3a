#!/usr/bin/env bash
# Runs the cargo-fuzz target parse_exec (fuzz/) for SECONDS (default 300): installs
# cargo-fuzz if missing, recreates the seed corpus from the conformance goldens, builds
# and fuzzes. Crashing inputs land in fuzz/artifacts/parse_exec/.
#
#   scripts/fuzz/run_cargo_fuzz.sh            # 5 minutes
#   scripts/fuzz/run_cargo_fuzz.sh 60 -- -max_len=2048   # extra libFuzzer flags after --
#
# Environment:
#   SANITIZER=none    build without AddressSanitizer (faster; default: address)
#   JOBS=2            parallel fuzzing jobs (default: 1)
#   FRESH=1           recreate the corpus from the seeds only (default: keep what
#                     earlier runs found)
#
# Only a stable toolchain is needed: RUSTC_BOOTSTRAP=1 unlocks the nightly-only flags
# cargo-fuzz passes to rustc (-Zsanitizer, coverage instrumentation).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"
seconds="${1:-300}"
shift || true
if [[ "${1:-}" == "--" ]]; then shift; fi

if ! command -v cargo-fuzz >/dev/null 2>&1 && ! [[ -x "$HOME/.cargo/bin/cargo-fuzz" ]]; then
    echo "cargo-fuzz: installing from crates.io"
    cargo install cargo-fuzz --locked
fi

# FRESH=1 starts over from the seeds; by default the corpus grown by earlier runs is kept.
if [[ "${FRESH:-0}" == 1 ]]; then
    python3 "$here/seed_corpus.py"
else
    python3 "$here/seed_corpus.py" --keep
fi

export RUSTC_BOOTSTRAP=1
# The fuzz crate is a workspace of its own; keep its build out of the main target dir.
export CARGO_TARGET_DIR="$repo/fuzz/target"
cd "$repo/fuzz"

mkdir -p artifacts/parse_exec
jobs=()
if [[ "${JOBS:-1}" != 1 ]]; then jobs=(--jobs "$JOBS"); fi
exec cargo fuzz run parse_exec \
    --sanitizer "${SANITIZER:-address}" \
    "${jobs[@]}" \
    corpus/parse_exec \
    -- -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1 \
    -dict=parse_exec.dict "$@"
