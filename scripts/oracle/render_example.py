#!/usr/bin/env python3
"""Render the bundled example (examples/hello) with real Helm and write the golden the
CLI test compares with: examples/hello/expected-helm.json, {template file name: output}.

    scripts/oracle/setup.sh && python3 scripts/oracle/render_example.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "hello"
GOLDEN = EXAMPLE / "expected-helm.json"
# The release the README's command renders: `--name demo`, default namespace.
RELEASE, NAMESPACE = "demo", "default"


def render() -> str:
    import helm_python

    values = json.loads((EXAMPLE / "values.json").read_text(encoding="utf-8"))
    with helm_python.Chart.load(str(EXAMPLE)) as chart:
        manifests = chart.render(values=values, name=RELEASE, namespace=NAMESPACE)
    by_file = {Path(path).name: text for path, text in sorted(manifests.items())}
    return json.dumps(by_file, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the golden is stale")
    args = parser.parse_args()
    text = render()
    if args.check:
        if GOLDEN.read_text(encoding="utf-8") != text:
            print(f"{GOLDEN.relative_to(ROOT)} differs from Helm's rendering", file=sys.stderr)
            return 1
        print(f"{GOLDEN.relative_to(ROOT)} matches Helm")
        return 0
    GOLDEN.write_text(text, encoding="utf-8")
    print(f"wrote {GOLDEN.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
