#!/usr/bin/env bash
# Install GitHub's own API description and example payloads for the tests of crates/github
# and crates/github-fake: @octokit/openapi (the REST API's OpenAPI documents),
# @octokit/webhooks-examples (real webhook payloads) and @octokit/webhooks-methods (the
# reference webhook signature code, for the App's tests). Into <repo>/target/npm, pinned,
# quietly, and only when missing or at another version; safe to run from CI every time.
#
#   scripts/github/setup.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
prefix="$root/target/npm"
packages=(
    "@octokit/openapi@23.0.2"
    "@octokit/webhooks-examples@7.6.1"
    "@octokit/webhooks-methods@6.0.0"
)

installed() {
    local spec="$1" name version file
    name="${spec%@*}"
    version="${spec##*@}"
    file="$prefix/node_modules/$name/package.json"
    [ -f "$file" ] && grep -q "\"version\": *\"$version\"" "$file"
}

all_installed() {
    local p
    for p in "${packages[@]}"; do
        installed "$p" || return 1
    done
}

if all_installed; then
    exit 0
fi

if ! command -v npm >/dev/null 2>&1; then
    sudo=""
    if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
    echo "github: installing npm" >&2
    export DEBIAN_FRONTEND=noninteractive
    $sudo apt-get update -qq >/dev/null
    $sudo apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

mkdir -p "$prefix"
# Test processes may call this at the same time; one installs, the others wait.
exec 9>"$prefix/.setup.lock"
if command -v flock >/dev/null 2>&1; then
    flock 9
fi
if all_installed; then
    exit 0
fi
echo "github: installing ${packages[*]} into target/npm" >&2
(cd "$prefix" && npm install --no-audit --no-fund --silent --no-progress --loglevel=error \
    --prefix "$prefix" "${packages[@]}" >/dev/null)
all_installed
