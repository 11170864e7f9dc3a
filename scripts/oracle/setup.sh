#!/usr/bin/env bash
# Install the pinned Helm oracle (helm-python-sdk + PyYAML) if it is missing or
# at a different version. Idempotent; safe to run from CI on every job.
#
#   PYTHON=python3.11 scripts/oracle/setup.sh
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
req="$here/requirements.txt"
py="${PYTHON:-python3}"

want_helm="$(sed -n 's/^helm-python-sdk==\([^[:space:]]*\).*/\1/p' "$req")"
want_yaml="$(sed -n 's/^PyYAML==\([^[:space:]]*\).*/\1/p' "$req")"

# Run the probe from a neutral directory so no local module shadows the packages.
if (cd / && "$py" - "$want_helm" "$want_yaml" <<'PY'
import sys
try:
    import helm_python
    import yaml
except Exception:
    sys.exit(1)
ok = helm_python.__version__ == sys.argv[1] and yaml.__version__ == sys.argv[2]
sys.exit(0 if ok else 1)
PY
); then
    echo "oracle: helm-python-sdk $want_helm and PyYAML $want_yaml already installed"
    exit 0
fi

echo "oracle: installing $(grep -v '^#' "$req" | tr '\n' ' ')"
"$py" -m pip install --quiet --disable-pip-version-check -r "$req"
(cd / && "$py" -c 'import helm_python, yaml; print("oracle: helm-python-sdk", helm_python.__version__, "/ Helm", helm_python.helm_sdk_version(), "/ PyYAML", yaml.__version__)')
