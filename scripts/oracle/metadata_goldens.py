#!/usr/bin/env python3
"""Load the Chart.yaml cases of fixtures/metadata/cases.yaml with real Helm and record
what it makes of them in fixtures/metadata/goldens.json.

Each case is a throw-away chart directory holding the case's files (Chart.yaml, and
optionally requirements.yaml or Chart.lock) and an empty templates/. The golden is
``{"name", "files", "metadata"}`` with the metadata as Helm marshals chart.Metadata to
JSON after loading (so sanitized, with requirements.yaml applied), or
``{"name", "files", "error"}`` with the exact text of the load error.

    python3 scripts/oracle/metadata_goldens.py            # (re)write the goldens
    python3 scripts/oracle/metadata_goldens.py --check    # fail if they drifted
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_goldens  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
CASES = REPO / "fixtures" / "metadata" / "cases.yaml"
GOLDENS = REPO / "fixtures" / "metadata" / "goldens.json"
FILE_KEYS = ("Chart.yaml", "requirements.yaml", "Chart.lock")


def load_case(helm: Any, workdir: Path, index: int, case: dict[str, Any]) -> dict[str, Any]:
    chart = workdir / f"case{index}" / "c"
    (chart / "templates").mkdir(parents=True)
    files = {k: case[k] for k in FILE_KEYS if k in case}
    for name, text in files.items():
        (chart / name).write_bytes(text.encode("utf-8"))
    result: dict[str, Any] = {"name": case["name"], "files": files}
    try:
        loaded = helm.Chart.load(str(chart))
    except helm.HelmError as exc:
        result["error"] = str(exc)
        return result
    with loaded:
        result["metadata"] = loaded.metadata
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)

    import yaml

    helm = render_goldens.import_helm()
    sdk, helm_version = helm.__version__, helm.helm_sdk_version()
    if (sdk, helm_version) != (render_goldens.EXPECTED_SDK, render_goldens.EXPECTED_HELM):
        sys.exit(f"oracle is helm-python {sdk} / Helm {helm_version}, expected "
                 f"{render_goldens.EXPECTED_SDK} / {render_goldens.EXPECTED_HELM}")
    cases = yaml.safe_load(CASES.read_text(encoding="utf-8"))["cases"]
    with tempfile.TemporaryDirectory() as workdir:
        results = [load_case(helm, Path(workdir), i, c) for i, c in enumerate(cases)]
    text = json.dumps(results, indent=1, ensure_ascii=False) + "\n"
    if args.check:
        old = GOLDENS.read_text(encoding="utf-8") if GOLDENS.exists() else ""
        if old != text:
            print(f"{GOLDENS.relative_to(REPO)} is out of date; rerun without --check")
            return 1
        print(f"{len(results)} metadata goldens up to date")
        return 0
    GOLDENS.write_text(text, encoding="utf-8")
    print(f"wrote {len(results)} cases to {GOLDENS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
