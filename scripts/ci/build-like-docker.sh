#!/usr/bin/env bash
# Builds the image's binary the way the Dockerfile does, without Docker (CI has no Docker
# engine): the build context from .dockerignore, then the Dockerfile's build stages
# (manifests only -> dependencies -> sources, each through scripts/ci/cargo-build-release.sh,
# the single definition of the release cargo command) in a temporary directory, then
# checks that what the final stage copies exists and that `helmpilot version` runs.
#
# A clean release build of the workspace: several minutes on 2 cores. For CI, not for
# every edit. Options: --keep (keep the work directory), --dir DIR (work there).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
exec python3 scripts/ci/dockerfile_stages.py "$@"
