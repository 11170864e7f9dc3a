#!/usr/bin/env python3
"""Write the exact set of function names Helm exposes to templates:
fixtures/functions/helm-function-names.txt, one name per line, sorted.

Candidate names come from a list given on stdin or from --candidates FILE: every quoted
map key in Sprig's functions.go and Helm's pkg/engine/funcs.go and engine.go (grep -o,
not line by line: several keys share a line, as in `"append": push, "push": push`),
minus Go's builtins (`lt`, `gt`, ... are builtins, not library functions, although they
pass the check below); each is then checked against
the pinned oracle: a name is a function exactly when Helm parses `{{ if false }}{{ NAME }}
{{ end }}` without "function ... not defined" (the branch is never executed, so no
arguments are needed). Names Helm removes (env, expandenv) fail that check.

    python3 scripts/oracle/function_names.py --candidates names.txt
    python3 scripts/oracle/function_names.py --check     # re-verify the committed list
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
OUTPUT = REPO / "fixtures" / "functions" / "helm-function-names.txt"
CHART_YAML = "apiVersion: v2\nname: t\nversion: 0.1.0\n"


def is_helm_function(helm, workdir: Path, name: str) -> bool:
    """Whether Helm's template parser knows `name` as a function."""
    chart = workdir / "probe"
    (chart / "templates").mkdir(parents=True, exist_ok=True)
    (chart / "Chart.yaml").write_text(CHART_YAML)
    (chart / "templates" / "t.yaml").write_text("{{ if false }}{{ %s }}{{ end }}" % name)
    try:
        with helm.Chart.load(str(chart)) as loaded:
            loaded.render(values={}, name="r", namespace="ns")
        return True
    except helm.HelmError as exc:
        if "not defined" in str(exc):
            return False
        raise
    finally:
        shutil.rmtree(chart, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--candidates", type=Path, help="file of candidate names (default: stdin)")
    parser.add_argument("--check", action="store_true", help="re-verify the committed list")
    args = parser.parse_args()

    import helm_python as helm

    if args.check:
        candidates = OUTPUT.read_text().split()
    elif args.candidates:
        candidates = args.candidates.read_text().split()
    else:
        candidates = sys.stdin.read().split()
    with tempfile.TemporaryDirectory() as tmp:
        known = sorted({n for n in candidates if is_helm_function(helm, Path(tmp), n)})
        rejected = sorted(set(candidates) - set(known))
    if args.check:
        if rejected:
            print(f"not functions in Helm {helm.helm_sdk_version()}: {rejected}", file=sys.stderr)
            return 1
        print(f"{len(known)} names verified against Helm {helm.helm_sdk_version()}")
        return 0
    OUTPUT.write_text("".join(f"{n}\n" for n in known))
    print(f"{len(known)} functions written to {OUTPUT.relative_to(REPO)}; not functions: {rejected}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
