#!/usr/bin/env python3
"""Render the built-in object cases of fixtures/objects/cases.yaml with real Helm.

All cases are templates of one chart (templates/case-<n>.yaml) with one subchart
(charts/sub); the outputs go to fixtures/objects/goldens.json as a list of
``{"template", "output"}`` in case order. Helm's default API versions (what
``{{ range .Capabilities.APIVersions }}`` lists) are also written, one a line, to
crates/chart/src/render/api_versions.txt, which the renderer embeds.

    python3 scripts/oracle/objects_goldens.py            # (re)write
    python3 scripts/oracle/objects_goldens.py --check    # fail if anything drifted
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
CASES = REPO / "fixtures" / "objects" / "cases.yaml"
GOLDENS = REPO / "fixtures" / "objects" / "goldens.json"
API_VERSIONS = REPO / "crates" / "chart" / "src" / "render" / "api_versions.txt"
API_TEMPLATE = "{{ range .Capabilities.APIVersions }}{{ . }}{{ \"\\n\" }}{{ end }}"


def render(helm: Any, doc: dict[str, Any], templates: list[str]) -> dict[str, str]:
    with tempfile.TemporaryDirectory() as workdir:
        chart = Path(workdir) / "c"
        (chart / "templates").mkdir(parents=True)
        (chart / "Chart.yaml").write_text(doc["chart"]["Chart.yaml"], encoding="utf-8")
        for i, text in enumerate(templates):
            (chart / "templates" / f"case-{i}.yaml").write_text(text, encoding="utf-8")
        sub = chart / "charts" / "sub"
        (sub / "templates").mkdir(parents=True)
        (sub / "Chart.yaml").write_text(doc["subchart"]["Chart.yaml"], encoding="utf-8")
        with helm.Chart.load(str(chart)) as loaded:
            return loaded.render({}, name="r", namespace="ns")


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
    doc = yaml.safe_load(CASES.read_text(encoding="utf-8"))
    templates = list(doc["cases"]) + [API_TEMPLATE]
    out = render(helm, doc, templates)
    results = [{"template": t, "output": out[f"c/templates/case-{i}.yaml"]}
               for i, t in enumerate(doc["cases"])]
    files = {
        GOLDENS: json.dumps(results, indent=1, ensure_ascii=False) + "\n",
        API_VERSIONS: out[f"c/templates/case-{len(templates) - 1}.yaml"],
    }
    stale = [p for p, text in files.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    if args.check:
        for p in stale:
            print(f"{p.relative_to(REPO)} is out of date; rerun without --check")
        if not stale:
            print(f"{len(results)} object goldens and the API version list up to date")
        return 1 if stale else 0
    for p, text in files.items():
        p.write_text(text, encoding="utf-8")
    print(f"wrote {len(results)} cases to {GOLDENS.relative_to(REPO)} and "
          f"{API_VERSIONS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
