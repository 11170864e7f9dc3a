#!/usr/bin/env python3
"""Validate chart values against values.schema.json with real Helm and write the goldens.

Each case in ``fixtures/schema/cases.json`` names a chart under
``fixtures/schema/charts/`` and the user values to install it with. For every case
Helm (helm-python-sdk, which embeds Helm's Go SDK) is asked for:

* ``coalesced``: the values Helm validates (the chart's defaults coalesced with the
  user values, subchart sections nested under their names or aliases), from
  ``Chart.merge_values``;
* ``error``: the text of the error ``helm template`` prints after ``Error: `` when the
  values fail the schemas (the exact ``str()`` of the exception from ``Chart.render``),
  or null when rendering succeeds.

Cases marked ``"sandbox": true`` make Helm read a file or the network; their golden
records Helm's text only up to the URL (``failing loading "<url>": ``, the rest is the
host's I/O error), and the Rust test expects helmpilot's refusal after it.

The result goes to ``fixtures/schema/goldens.json``.

    scripts/oracle/setup.sh && python3 scripts/oracle/schema_goldens.py
    python3 scripts/oracle/schema_goldens.py --check          # detect drift
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "fixtures" / "schema"

EXPECTED_SDK = "0.2.2"
EXPECTED_HELM = "v4.2.3"

CASE_KEYS = {"name", "chart", "values", "sandbox"}


def import_helm() -> Any:
    try:
        import helm_python
    except ImportError as exc:  # pragma: no cover - environment problem
        sys.exit(f"cannot import helm_python ({exc}); run scripts/oracle/setup.sh")
    return helm_python


def check_oracle(helm: Any) -> None:
    sdk, helm_version = helm.__version__, helm.helm_sdk_version()
    if (sdk, helm_version) != (EXPECTED_SDK, EXPECTED_HELM):
        sys.exit(f"error: oracle is helm-python-sdk {sdk} / Helm {helm_version}, expected "
                 f"{EXPECTED_SDK} / {EXPECTED_HELM}; run scripts/oracle/setup.sh")


def load_cases() -> list[dict[str, Any]]:
    cases = json.loads((CORPUS / "cases.json").read_text())
    seen = set()
    for case in cases:
        extra = set(case) - CASE_KEYS
        if extra:
            sys.exit(f"case {case.get('name')}: unknown keys {sorted(extra)}")
        if case["name"] in seen:
            sys.exit(f"duplicate case name {case['name']}")
        seen.add(case["name"])
        if not (CORPUS / "charts" / case["chart"] / "Chart.yaml").is_file():
            sys.exit(f"case {case['name']}: no chart {case['chart']}")
    return cases


def run_case(helm: Any, case: dict[str, Any]) -> dict[str, Any]:
    chart = helm.Chart.load(str(CORPUS / "charts" / case["chart"]))
    values = case["values"]
    out: dict[str, Any] = {"name": case["name"], "chart": case["chart"], "values": values}
    if case.get("sandbox"):
        out["sandbox"] = True
    out["coalesced"] = chart.merge_values(values)
    try:
        chart.render(values=values, name="r", namespace="ns")
        out["error"] = None
    except Exception as exc:  # the oracle raises one class per error kind
        text = str(exc)
        if case.get("sandbox"):
            # What follows the URL is this host's I/O error (resolver address, missing
            # file): keep only the part that does not depend on the machine.
            text = text[: text.index('": ') + 3]
        out["error"] = text
        out["error_class"] = type(exc).__name__
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if the goldens are stale")
    args = parser.parse_args()

    helm = import_helm()
    check_oracle(helm)
    results = [run_case(helm, case) for case in load_cases()]
    text = json.dumps(results, indent=2, ensure_ascii=False, sort_keys=False) + "\n"
    golden = CORPUS / "goldens.json"
    if args.check:
        if not golden.is_file() or golden.read_text() != text:
            print(f"{golden.relative_to(REPO)} is stale; rerun without --check", file=sys.stderr)
            return 1
        print(f"{len(results)} cases match")
        return 0
    golden.write_text(text)
    print(f"wrote {len(results)} cases to {golden.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
