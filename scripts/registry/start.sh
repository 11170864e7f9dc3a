#!/usr/bin/env bash
# Run a throw-away registry on 127.0.0.1 in the foreground until interrupted:
#   scripts/registry/start.sh [none|htpasswd|token]
# It stops (and deletes its storage) on Ctrl-C. Tests use registry.py's Registry class.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
"$here/setup.sh" >/dev/null
exec python3 "$here/registry.py" "${1:-none}"
