#!/usr/bin/env python3
"""Render the template conformance corpus with real Helm and write the goldens.

Every case file ``fixtures/template-conformance/cases/<topic>.yaml`` holds a
list of cases; each case is rendered in-process by Helm (helm-python-sdk, which
embeds Helm's Go SDK) as ``templates/case.yaml`` of a throw-away chart, with
optional partials ``templates/_<name>.tpl``. The result is written to
``fixtures/template-conformance/goldens/<topic>.json``: a JSON list, in case
order, of ``{"name", "template", ["values"], ["partials"], "output" | "error"}``
(the exact ``str()`` of the Helm exception).

    scripts/oracle/setup.sh && python3 scripts/oracle/render_goldens.py
    python3 scripts/oracle/render_goldens.py --check          # detect drift
    python3 scripts/oracle/render_goldens.py range comments   # only these files
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "fixtures" / "template-conformance"

# The oracle the goldens were produced with. A different Helm may legitimately
# render differently, so refuse to (re)write goldens with it.
EXPECTED_SDK = "0.2.2"
EXPECTED_HELM = "v4.2.3"

CHART_YAML = "apiVersion: v2\nname: t\nversion: 0.1.0\n"
OUTPUT_KEY = "t/templates/case.yaml"
RELEASE_NAME = "r"
NAMESPACE = "ns"

NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
PARTIAL_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")
CASE_KEYS = {"name", "template", "values", "partials"}


class CaseFileError(Exception):
    pass


def import_helm() -> Any:
    try:
        import helm_python
    except ImportError as exc:  # pragma: no cover - environment problem
        sys.exit(f"cannot import helm_python ({exc}); run scripts/oracle/setup.sh")
    return helm_python


def load_cases(path: Path) -> list[dict[str, Any]]:
    """Parse and validate one case file."""
    import yaml

    with path.open(encoding="utf-8", newline="") as f:
        doc = yaml.safe_load(f)
    if not isinstance(doc, dict) or not isinstance(doc.get("cases"), list):
        raise CaseFileError(f"{path.name}: top level must be a mapping with a 'cases' list")
    extra = set(doc) - {"cases"}
    if extra:
        raise CaseFileError(f"{path.name}: unknown top-level keys {sorted(extra)}")
    seen: set[str] = set()
    cases = doc["cases"]
    for i, case in enumerate(cases):
        where = f"{path.name}: case #{i + 1}"
        if not isinstance(case, dict):
            raise CaseFileError(f"{where}: must be a mapping")
        unknown = set(case) - CASE_KEYS
        if unknown:
            raise CaseFileError(f"{where}: unknown keys {sorted(unknown)}")
        name = case.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name):
            raise CaseFileError(f"{where}: name {name!r} is not kebab-case")
        where = f"{path.name}: case {name!r}"
        if name in seen:
            raise CaseFileError(f"{where}: duplicate name")
        seen.add(name)
        if not isinstance(case.get("template"), str):
            raise CaseFileError(f"{where}: template must be a string")
        values = case.get("values", {})
        if not isinstance(values, dict):
            raise CaseFileError(f"{where}: values must be a mapping")
        problem = check_values(values)
        if problem:
            raise CaseFileError(f"{where}: values {problem}")
        partials = case.get("partials", {})
        if not isinstance(partials, dict) or not all(
            isinstance(k, str) and PARTIAL_RE.match(k) and isinstance(v, str)
            for k, v in partials.items()
        ):
            raise CaseFileError(f"{where}: partials must map simple names to strings")
    return cases


def check_values(value: Any, path: str = "") -> str | None:
    """Reject values that would not survive the trip through JSON unchanged.

    YAML 1.1 (PyYAML) turns unquoted keys such as ``on``/``yes`` into booleans and
    ``1e6`` (no dot) into a string; non-string keys are the symptom worth catching.
    """
    if isinstance(value, dict):
        for key, item in value.items():
            if not isinstance(key, str):
                return f"have a non-string key {key!r} at {path or '.'} (quote it)"
            problem = check_values(item, f"{path}.{key}")
            if problem:
                return problem
    elif isinstance(value, list):
        for i, item in enumerate(value):
            problem = check_values(item, f"{path}[{i}]")
            if problem:
                return problem
    elif isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return f"contain a non-finite number at {path}"
    elif value is not None and not isinstance(value, (str, int, bool)):
        return f"contain a {type(value).__name__} at {path}, which JSON cannot carry"
    return None


def write_text(path: Path, text: str) -> None:
    # newline="" keeps "\r\n" and lone "\r" exactly as written in the case.
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(text)


def render_case(helm: Any, workdir: Path, index: int, case: dict[str, Any]) -> dict[str, str]:
    chart = workdir / f"c{index}"
    templates = chart / "templates"
    templates.mkdir(parents=True)
    write_text(chart / "Chart.yaml", CHART_YAML)
    write_text(templates / "case.yaml", case["template"])
    for name, text in (case.get("partials") or {}).items():
        write_text(templates / f"_{name}.tpl", text)

    # The golden carries the inputs too, so the Rust suite reads JSON only.
    result: dict[str, Any] = {"name": case["name"], "template": case["template"]}
    if case.get("values"):
        result["values"] = case["values"]
    if case.get("partials"):
        result["partials"] = case["partials"]
    try:
        with helm.Chart.load(str(chart)) as loaded:
            manifests = loaded.render(
                values=case.get("values") or {}, name=RELEASE_NAME, namespace=NAMESPACE
            )
    except helm.HelmError as exc:
        result["error"] = str(exc)
    else:
        if OUTPUT_KEY not in manifests:
            raise RuntimeError(f"{case['name']}: Helm returned no {OUTPUT_KEY}: {sorted(manifests)}")
        result["output"] = manifests[OUTPUT_KEY]
    finally:
        shutil.rmtree(chart, ignore_errors=True)
    return result


def render_file(helm: Any, workdir: Path, cases: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [render_case(helm, workdir, i, case) for i, case in enumerate(cases)]


def dump_golden(results: list[dict[str, str]]) -> str:
    return json.dumps(results, indent=2, ensure_ascii=False) + "\n"


def describe_diff(old: dict[str, str] | None, new: dict[str, str]) -> str:
    if old is None:
        return "missing from golden"
    def show(r: dict[str, str]) -> str:
        kind = "error" if "error" in r else "output"
        return f"{kind} {r.get(kind)!r}"
    return f"golden has {show(old)}, Helm gives {show(new)}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="re-render and fail if any golden differs (writes nothing)")
    parser.add_argument("--corpus", type=Path, default=CORPUS,
                        help="corpus directory holding cases/ and goldens/ (default: %(default)s)")
    parser.add_argument("files", nargs="*",
                        help="restrict to these case files (topic names, with or without .yaml)")
    args = parser.parse_args(argv)

    helm = import_helm()
    sdk, helm_version = helm.__version__, helm.helm_sdk_version()
    if (sdk, helm_version) != (EXPECTED_SDK, EXPECTED_HELM):
        print(f"error: oracle is helm-python-sdk {sdk} / Helm {helm_version}, expected "
              f"{EXPECTED_SDK} / {EXPECTED_HELM}; run scripts/oracle/setup.sh", file=sys.stderr)
        return 2

    cases_dir = args.corpus / "cases"
    goldens_dir = args.corpus / "goldens"
    case_files = sorted(cases_dir.glob("*.yaml"))
    if args.files:
        wanted = {f[:-5] if f.endswith(".yaml") else f for f in args.files}
        unknown = wanted - {p.stem for p in case_files}
        if unknown:
            print(f"error: no case files named {sorted(unknown)}", file=sys.stderr)
            return 2
        case_files = [p for p in case_files if p.stem in wanted]
    if not case_files:
        print(f"error: no case files in {cases_dir}", file=sys.stderr)
        return 2

    goldens_dir.mkdir(parents=True, exist_ok=True)
    total = errors = 0
    drift: list[str] = []
    written: list[str] = []
    with tempfile.TemporaryDirectory(prefix="helmpilot-oracle-") as tmp:
        for path in case_files:
            try:
                cases = load_cases(path)
            except CaseFileError as exc:
                print(f"error: {exc}", file=sys.stderr)
                return 2
            results = render_file(helm, Path(tmp), cases)
            total += len(results)
            errors += sum("error" in r for r in results)
            golden_path = goldens_dir / f"{path.stem}.json"
            text = dump_golden(results)
            if args.check:
                if not golden_path.exists():
                    drift.append(f"{golden_path.name}: golden file missing")
                    continue
                old = json.loads(golden_path.read_text(encoding="utf-8"))
                old_by_name = {r.get("name"): r for r in old}
                for r in results:
                    if old_by_name.get(r["name"]) != r:
                        drift.append(f"{path.name}: {r['name']}: "
                                     f"{describe_diff(old_by_name.get(r['name']), r)}")
                stale = [r.get("name") for r in old if r.get("name") not in {c["name"] for c in cases}]
                drift += [f"{path.name}: {n}: in golden but not in case file" for n in stale]
                if not stale and old != results:
                    if [r.get("name") for r in old] != [r["name"] for r in results]:
                        drift.append(f"{path.name}: case order differs from golden")
            else:
                if not golden_path.exists() or golden_path.read_text(encoding="utf-8") != text:
                    with golden_path.open("w", encoding="utf-8", newline="\n") as f:
                        f.write(text)
                    written.append(golden_path.name)

    if not args.files:
        orphans = sorted(p.name for p in goldens_dir.glob("*.json")
                         if not (cases_dir / f"{p.stem}.yaml").exists())
        for name in orphans:
            msg = f"{name}: golden without a case file"
            if args.check:
                drift.append(msg)
            else:
                print(f"warning: {msg}", file=sys.stderr)

    print(f"Helm {helm_version} (helm-python-sdk {sdk}): {len(case_files)} files, "
          f"{total} cases, {total - errors} outputs, {errors} errors")
    if args.check:
        if drift:
            print(f"{len(drift)} difference(s) from the goldens:", file=sys.stderr)
            for line in drift:
                print(f"  {line}", file=sys.stderr)
            return 1
        print("goldens are up to date")
    else:
        print(f"wrote {len(written)} golden file(s)" + (f": {', '.join(written)}" if written else
                                                        " (all unchanged)"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
