#!/usr/bin/env bash
# Builds the released `helmpilot` binary (target/release/helmpilot). This is the one place
# the release cargo invocation is written down: the Dockerfile runs this script, and so
# does scripts/ci/build-like-docker.sh, so the image and the CI check cannot drift apart.
#
#   scripts/ci/cargo-build-release.sh              build from the sources (repository root)
#   scripts/ci/cargo-build-release.sh --deps-only  in a tree holding only the manifests and
#       Cargo.lock (the Dockerfile's dependency layer): compile every dependency against
#       empty stand-ins for the workspace's crates, then remove the stand-ins and their
#       outputs, so only the dependencies' artifacts stay in target/.
#
# Why stand-ins rather than `cargo fetch`: fetching only downloads; compiling the
# dependencies (TLS, crypto, tokio, regex, ...) is most of the build time, and a layer that
# holds them compiled is reused until a manifest or the lock file changes. The same
# `cargo build` command runs in both modes, so feature resolution is identical and the
# second build reuses every dependency artifact.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/../.."

build() {
    cargo build --release --locked -p helmpilot
}

if [[ $# -eq 0 ]]; then
    build
    exit 0
fi
if [[ $# -ne 1 || $1 != --deps-only ]]; then
    echo "usage: $0 [--deps-only]" >&2
    exit 2
fi

# The directories named by the root manifest's `members = [...]` (one or several lines;
# globs expanded as cargo does for the simple `dir/*` form).
members() {
    local pattern dir
    for pattern in $(awk '/^members[[:space:]]*=/ { on = 1 } on { print } on && /\]/ { exit }' Cargo.toml |
        grep -o '"[^"]*"' | tr -d '"'); do
        for dir in $pattern; do
            if [[ -f $dir/Cargo.toml ]]; then
                echo "$dir"
            fi
        done
    done
}

# `name = "..."` of a manifest's [package] table.
package_name() {
    awk '/^\[package\]/ { p = 1; next } /^\[/ { p = 0 }
         p && /^name[[:space:]]*=/ { sub(/^[^"]*"/, ""); sub(/".*$/, ""); print; exit }' "$1"
}

# The `path` of a manifest's first [[bin]] table (src/main.rs when it names none).
bin_path() {
    awk 'BEGIN { path = "src/main.rs" }
         /^\[\[bin\]\]/ { b = 1; next } /^\[/ { if (b) exit }
         b && /^path[[:space:]]*=/ { sub(/^[^"]*"/, ""); sub(/".*$/, ""); path = $0; exit }
         END { print path }' "$1"
}

mapfile -t dirs < <(members)
if [[ ${#dirs[@]} -eq 0 ]]; then
    echo "$0: no workspace members found in Cargo.toml" >&2
    exit 1
fi

stubs=()
packages=()
for dir in "${dirs[@]}"; do
    manifest="$dir/Cargo.toml"
    packages+=(-p "$(package_name "$manifest")")
    targets=()
    if grep -q '^\[\[bin\]\]' "$manifest"; then
        targets+=("$dir/$(bin_path "$manifest")")
    fi
    if ! grep -q '^\[\[bin\]\]' "$manifest" || grep -q '^\[lib\]' "$manifest"; then
        targets+=("$dir/src/lib.rs")
    fi
    stubs+=("${targets[@]}")
done

# Never overwrite a real source: this mode is for a manifests-only tree.
for stub in "${stubs[@]}"; do
    if [[ -e $stub ]]; then
        echo "$0: --deps-only expects a tree of manifests only, but $stub exists" >&2
        exit 1
    fi
done
for stub in "${stubs[@]}"; do
    mkdir -p "$(dirname "$stub")"
    if [[ $stub == */lib.rs ]]; then
        : >"$stub"
    else
        echo 'fn main() {}' >"$stub"
    fi
done

build
# The stand-ins' outputs must go: the real sources may be older than them (COPY keeps the
# files' times), and cargo would then take the stand-ins' artifacts as up to date. Cleaning
# needs the manifests to still have their targets, so it comes before removing the files.
cargo clean --release --quiet "${packages[@]}"
rm -f "${stubs[@]}"
