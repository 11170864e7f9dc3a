#!/usr/bin/env bash
# Install the test peer for OCI registry work: Debian's docker-registry (CNCF distribution
# registry v2.8) and htpasswd (apache2-utils, for basic-auth users), plus openssl (the
# token-auth test signs its tokens with it). Idempotent and quiet; safe to run in CI.
#
#   scripts/registry/setup.sh
set -euo pipefail

missing=()
command -v docker-registry >/dev/null 2>&1 || [ -x /usr/bin/docker-registry ] || missing+=(docker-registry)
command -v htpasswd >/dev/null 2>&1 || missing+=(apache2-utils)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)

if [ "${#missing[@]}" -eq 0 ]; then
    echo "registry: docker-registry, htpasswd and openssl already installed"
    exit 0
fi

sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
echo "registry: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# The package list may be stale or absent on a fresh machine.
$sudo apt-get update -qq >/dev/null
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package may start a system-wide registry on :5000; the tests start their own.
if command -v systemctl >/dev/null 2>&1; then
    $sudo systemctl disable --now docker-registry >/dev/null 2>&1 || true
fi
echo "registry: installed ${missing[*]}"
