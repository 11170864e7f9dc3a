#!/usr/bin/env python3
"""Goldens of the App's Helm chart (deploy/chart): what real Helm v4.2.3 prints for
`helm template ARGS` for each case of fixtures/app-chart/cases.json, into
fixtures/app-chart/goldens/<name>.out (or .err for Helm's error text). The command is
rebuilt exactly as for the chart conformance corpus (scripts/oracle/render_charts.py).
action/tests/app_chart.rs compares `helmpilot template ARGS` with these.

    scripts/oracle/setup.sh && python3 scripts/oracle/app_chart_goldens.py [--check]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import render_charts  # noqa: E402

REPO = render_charts.REPO
CORPUS = REPO / "fixtures" / "app-chart"
GOLDENS = CORPUS / "goldens"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--check", action="store_true", help="fail if a golden is stale")
    args = ap.parse_args()
    render_charts.helm = render_charts.import_helm()
    cases = json.loads((CORPUS / "cases.json").read_text(encoding="utf-8"))
    expected: dict[str, str] = {}
    for case in cases:
        kind, text = render_charts.run_oracle(case)
        expected[f"{case['name']}.{kind}"] = render_charts.golden_text(kind, text)
    if args.check:
        drift = 0
        for name, text in expected.items():
            path = GOLDENS / name
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                print(f"{path.relative_to(REPO)} differs from Helm's output")
                drift += 1
        present = {p.name for p in GOLDENS.iterdir()} if GOLDENS.exists() else set()
        for name in sorted(present - set(expected)):
            print(f"stale golden {name}")
            drift += 1
        print(f"{len(cases)} cases, {drift} drifted")
        return 1 if drift else 0
    GOLDENS.mkdir(parents=True, exist_ok=True)
    for path in GOLDENS.iterdir():
        if path.name not in expected:
            path.unlink()
    for name, text in expected.items():
        with (GOLDENS / name).open("w", encoding="utf-8", newline="") as f:
            f.write(text)
    print(f"wrote {len(expected)} goldens to {GOLDENS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
