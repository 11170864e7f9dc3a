#!/usr/bin/env python3
"""Goldens for what `helm template` does after the engine: splitting, install-order
sorting, hooks, --include-crds, --skip-tests, --no-hooks, --hide-secret, --show-only,
--output-dir.

For every chart under ``fixtures/manifest/charts`` it stores the engine's map
(``Chart.render``: the input our code gets), the chart's CRD objects, and real Helm's
release (``Config.install(..., dry_run="client")``): ``rel.Manifest`` and notes, or the
error. It then writes, per set of flags, the exact ``helm template`` output.

What comes from Helm and what is built here:

* ``release_manifest``, ``notes`` and ``error`` are Helm's own (the install dict).
* The install dict has no hooks, and helm-python has no ``helm template``. So the
  hooks and the flag handling are built here by following Helm v4.2.3's code path:
  ``releaseutil.SortManifests`` (split with the same regexp, hooks by the
  ``helm.sh/hook`` annotation, unknown events dropped, stable sort by InstallOrder) and
  ``pkg/cmd/template.go`` (TrimSpace(manifest) + "\\n", hooks as
  ``---\\n# Source: %s\\n%s\\n``, --skip-tests, --show-only with SplitManifests and
  ``# Source: [^/]+/(.+)``, --output-dir's writeToFile). The same Python model must
  reproduce Helm's ``release_manifest`` byte for byte, or the script refuses to write:
  that checks the split, the head reading and the sort the hooks go through. The hook
  documents in the fixtures use plain YAML that PyYAML reads as go-yaml does.
* ``heads.json``: single documents (odd heads, YAML and JSON errors), each Helm's
  verdict: the manifest, or the error text.

    python3 scripts/oracle/manifest_goldens.py          # write fixtures/manifest/goldens
    python3 scripts/oracle/manifest_goldens.py --check  # fail if they would change
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
FIXTURES = REPO / "fixtures" / "manifest"
CHARTS = FIXTURES / "charts"
GOLDENS = FIXTURES / "goldens"

EXPECTED_SDK = "0.2.2"
RELEASE, NAMESPACE = "release-name", "default"
# Placeholder for the output directory in stored stdout and file names.
OUT = "OUT"

# Flag sets per chart (names are kebab-case; options mirror TemplateOptions).
CASES: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "shop": [
        ("default", {}),
        ("include-crds", {"include_crds": True}),
        ("skip-tests", {"skip_tests": True}),
        ("no-hooks", {"disable_hooks": True, "include_crds": True}),
        ("hide-secret", {"hide_secret": True}),
        ("show-only-one", {"show_only": ["templates/workloads.yaml"]}),
        ("show-only-glob", {"show_only": ["templates/*", "charts/cache/templates/hook.yaml"]}),
        ("show-only-class", {"show_only": ["templates/[eh]*.yaml", "templates/tests/?est-*"]}),
        ("show-only-crd-file", {"include_crds": True, "show_only": ["crds/crontab.yaml", "charts/cache/crds/*"]}),
        ("show-only-missing", {"show_only": ["templates/workloads.yaml", "templates/nope.yaml"]}),
        ("show-only-skipped-test", {"skip_tests": True, "show_only": ["templates/tests/*"]}),
        ("output-dir", {"output_dir": OUT, "include_crds": True}),
        ("output-dir-release-name", {"output_dir": OUT, "use_release_name": True, "include_crds": True}),
        ("output-dir-show-only", {"output_dir": OUT, "show_only": ["templates/workloads.yaml"]}),
    ],
    "order": [("default", {})],
    "broken": [("default", {})],
}

# Single documents for heads.json: (name, document). No `{{` in them: the engine
# leaves them as they are.
HEADS: list[tuple[str, str]] = [
    ("mapping-error", "a: b: c\n"),
    ("bad-indent", "kind: Pod\nmetadata:\n  name: a\n   x: y\n"),
    ("tab-indent", "kind: Pod\nmetadata:\n\tname: a\n"),
    ("scalar-document", "hello\n"),
    ("sequence-document", "- a\n- b\n"),
    ("number-document", "5\n"),
    ("bool-document", "true\n"),
    ("null-document", "~\n"),
    ("kind-sequence", "kind: [1]\n"),
    ("kind-mapping-and-api-sequence", "kind: {a: 1}\napiVersion: [2]\n"),
    ("metadata-number", "metadata: 5\n"),
    ("metadata-string", "kind: Pod\nmetadata: x\n"),
    ("metadata-null", "kind: Pod\nmetadata: ~\n"),
    ("name-sequence", "metadata:\n  name: [a]\n"),
    ("annotations-number", "metadata:\n  annotations: 5\n"),
    ("annotations-sequence", "metadata:\n  annotations: [1]\n"),
    ("annotation-value-sequence", "metadata:\n  annotations:\n    a: [1]\n"),
    ("hook-value-mapping", "metadata:\n  annotations:\n    helm.sh/hook: {a: 1}\n"),
    ("nan-elsewhere", "kind: Pod\nspec:\n  x: .nan\n"),
    ("nan-kind", "kind: .nan\n"),
    ("inf-metadata", "metadata: .inf\n"),
    ("null-key", "~: 1\n"),
    ("sequence-key", "? [a]\n: 1\n"),
    ("numeric-kind", "apiVersion: 1\nkind: 12\n"),
    ("uppercase-keys", "APIVERSION: v1\nKIND: Namespace\nMetadata:\n  Name: n\n"),
    ("hook-unquoted-event", "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: test\n"),
    ("hook-empty-value", "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook:\n"),
    ("hook-number-value", "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: 5\n"),
    ("hook-bool-weight", "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook-weight: yes\n"),
    ("json-document", '{"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "j"}}\n'),
    ("duplicate-kind", "kind: Pod\nkind: Service\n"),
    ("anchor-alias", "base: &b\n  name: x\nmetadata: *b\nkind: ConfigMap\n"),
    ("unknown-alias", "kind: *nope\n"),
    ("tab-after-separator", "kind: A\n---\t\nkind: B\n"),
    ("document-end-marker", "kind: A\n...\n"),
    ("two-documents-one-bad", "kind: A\n---\nkind: [B]\n"),
    # Probes whose verdict shows in the order or in a document turning into a hook.
    ("case-insensitive-kind", "kind: Service\n---\nKIND: Namespace\n"),
    ("kelvin-sign-kind", "kind: Service\n---\n\u212aind: Namespace\n"),
    ("null-kind-keeps-earlier", "kind: Service\n---\nKIND: Namespace\nkind: ~\n"),
    ("sorted-keys-last-wins", "kind: Service\n---\nkind: Namespace\nKind: Pod\n"),
    ("hook-uppercase-metadata", "kind: Pod\nMETADATA:\n  ANNOTATIONS:\n    helm.sh/hook: test\n"),
    ("hook-dotted-capital-i", "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: PRE-\u0130NSTALL\n"),
    ("hook-spaces-and-case", "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: ' Post-Install ,TEST-SUCCESS'\n"),
    ("hook-trailing-comma", "kind: Pod\nmetadata:\n  annotations:\n    helm.sh/hook: pre-install,\n"),
    ("metadata-twice-merged", "kind: Pod\nmetadata:\n  name: a\nMetadata:\n  annotations:\n    helm.sh/hook: test\n"),
    ("annotations-null-after", "kind: Pod\nmetadata:\n  Annotations:\n    helm.sh/hook: test\n  annotations: ~\n"),
    ("kind-in-flow-json-glued", "kind: Service\n---{\"kind\": \"Namespace\"}\n"),
]

SEP = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")
GO_SPACE = " \t\n\v\f\r\x85\xa0"
INSTALL_ORDER = [
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList", "Service",
    "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
]
EVENTS = {
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
    "post-upgrade", "pre-rollback", "post-rollback", "test",
}


def import_helm() -> Any:
    try:
        import helm_python
    except ImportError as exc:  # pragma: no cover - environment problem
        sys.exit(f"cannot import helm_python ({exc}); run scripts/oracle/setup.sh")
    version = getattr(helm_python, "__version__", EXPECTED_SDK)
    if version != EXPECTED_SDK:
        sys.exit(f"helm-python-sdk {version} is not the expected {EXPECTED_SDK}")
    return helm_python


# --- Helm's SortManifests, modelled (releaseutil) ----------------------------------


def split_manifests(text: str) -> list[str]:
    docs = SEP.split(text.lstrip(GO_SPACE))
    return [d.lstrip(GO_SPACE) for d in docs if d.strip(GO_SPACE)]


def head(doc: str) -> dict[str, Any]:
    import yaml

    value = yaml.safe_load(doc)
    if not isinstance(value, dict):
        return {"kind": "", "name": "", "annotations": {}}
    meta = value.get("metadata") or {}
    annotations = meta.get("annotations") or {}
    return {
        "kind": str(value.get("kind") or ""),
        "name": str(meta.get("name") or ""),
        "annotations": {str(k): "" if v is None else str(v) for k, v in annotations.items()},
    }


def kind_key(kind: str) -> tuple[int, int, str]:
    if kind in INSTALL_ORDER:
        return (0, INSTALL_ORDER.index(kind), "")
    return (1, 0, kind)


def sort_manifests(files: dict[str, str]) -> tuple[list[dict], list[dict]]:
    hooks, manifests = [], []
    for path in sorted(files, key=lambda p: p.encode()):
        content = files[path]
        if path.rsplit("/", 1)[-1].startswith("_") or not content.strip(GO_SPACE):
            continue
        for doc in split_manifests(content):
            h = head(doc)
            hook_types = h["annotations"].get("helm.sh/hook")
            if hook_types is None:
                manifests.append({"path": path, "content": doc, "kind": h["kind"]})
                continue
            events = []
            for entry in hook_types.split(","):
                entry = entry.strip(GO_SPACE).lower()
                entry = "test" if entry == "test-success" else entry
                if entry not in EVENTS:
                    events = None
                    break
                events.append(entry)
            if events is None:
                continue  # Helm logs "skipping unknown hooks" and drops it
            try:
                weight = int(h["annotations"].get("helm.sh/hook-weight", ""))
            except ValueError:
                weight = 0
            policies = h["annotations"].get("helm.sh/hook-delete-policy")
            hooks.append({
                "path": path, "manifest": doc, "kind": h["kind"], "name": h["name"],
                "events": events, "weight": weight,
                "delete_policies": [] if policies is None
                else [p.strip(GO_SPACE).lower() for p in policies.split(",")],
            })
    hooks.sort(key=lambda h: kind_key(h["kind"]))
    manifests.sort(key=lambda m: kind_key(m["kind"]))
    return hooks, manifests


# --- pkg/cmd/template.go, modelled ----------------------------------------------------


def go_match(pattern: str, name: str) -> bool:
    """filepath.Match for the well-formed patterns used here: `*`/`?` stop at `/`."""
    out = ""
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "*":
            out += "[^/]*"
        elif c == "?":
            out += "[^/]"
        elif c == "[":
            end = pattern.index("]", i + 1)
            body = pattern[i + 1:end]
            out += "[^" + body[1:] + "]" if body.startswith("^") else "[" + body + "]"
            i = end
        else:
            out += re.escape(c)
        i += 1
    return re.fullmatch(out, name) is not None


def template_output(manifest: str, hooks: list[dict], crds: list[dict],
                    manifests: list[dict], opts: dict[str, Any]) -> dict[str, Any]:
    stdout = ""
    files: dict[str, str] = {}
    out_dir = opts.get("output_dir")

    def write(directory: str, name: str, data: str, append: bool) -> None:
        nonlocal stdout
        file_name = f"{directory}/{name}"
        block = f"---\n# Source: {name}\n{data}\n"
        files[file_name] = files[file_name] + block if append else block
        stdout += f"wrote {file_name}\n"

    manifest_dir = out_dir
    if out_dir is not None:
        # renderResources writes CRDs and manifests instead of filling rel.Manifest.
        if opts.get("use_release_name"):
            manifest_dir = os.path.normpath(f"{out_dir}/{RELEASE}")
        written: set[str] = set()
        if opts.get("include_crds"):
            for crd in crds:
                write(out_dir, crd["filename"], crd["data"], crd["filename"] in written)
                written.add(crd["filename"])
        for m in manifests:
            write(manifest_dir, m["path"], m["content"], m["path"] in written)
            written.add(m["path"])
        manifest = ""
    elif opts.get("include_crds"):
        manifest = "".join(
            f"---\n# Source: {c['filename']}\n{c['data']}\n" for c in crds) + manifest
    if opts.get("hide_secret"):
        # Only v1 Secrets; the fixtures' Secrets are all v1.
        for m in manifests:
            if m["kind"] == "Secret":
                block = f"---\n# Source: {m['path']}\n{m['content']}\n"
                hidden = f"---\n# Source: {m['path']}\n# HIDDEN: The Secret output has been suppressed\n"
                assert block in manifest
                manifest = manifest.replace(block, hidden, 1)

    text = manifest.strip(GO_SPACE) + "\n"
    if not opts.get("disable_hooks"):
        for h in hooks:
            if opts.get("skip_tests") and "test" in h["events"]:
                continue
            if out_dir is None:
                text += f"---\n# Source: {h['path']}\n{h['manifest']}\n"
            else:
                # Appends when the file exists (fresh directory: written this run).
                write(manifest_dir, h["path"], h["manifest"], f"{manifest_dir}/{h['path']}" in files)

    show = opts.get("show_only") or []
    if not show:
        return {"stdout": stdout + text, "files": files} if out_dir else {"stdout": stdout + text}
    docs = split_manifests(text)
    shown = []
    for pattern in show:
        missing = True
        for doc in docs:
            found = re.search(r"# Source: [^/]+/(.+)", doc)
            if found and go_match(pattern, found.group(1)):
                shown.append(doc)
                missing = False
        if missing:
            result = {"stdout": stdout, "error": f"could not find template {pattern} in chart"}
            if out_dir:
                result["files"] = files
            return result
    stdout += "".join(f"---\n{d}\n" for d in shown)
    return {"stdout": stdout, "files": files} if out_dir else {"stdout": stdout}


# --- oracle --------------------------------------------------------------------------


def install(helm: Any, chart_dir: str) -> tuple[str | None, str | None, str | None]:
    cfg = helm.Config(storage_driver="memory")
    try:
        rel = cfg.install(chart_dir, RELEASE, {}, namespace=NAMESPACE, dry_run="client")
    except Exception as exc:  # the oracle's error text is the golden
        return None, None, str(exc)
    # Empty fields are left out of the dict (Go omitempty).
    return rel.get("manifest", ""), rel.get("notes", ""), None


def render(helm: Any, chart_dir: str) -> dict[str, str]:
    with helm.Chart.load(chart_dir) as chart:
        return chart.render(values={}, name=RELEASE, namespace=NAMESPACE)


def chart_golden(helm: Any, name: str) -> dict[str, Any]:
    chart_dir = str(CHARTS / name)
    rendered = render(helm, chart_dir)
    with helm.Chart.load(chart_dir) as chart:
        crds = [{"filename": c["filename"], "data": c["data"]} for c in chart.crds]
    manifest, notes, error = install(helm, chart_dir)
    golden: dict[str, Any] = {
        "chart": name,
        "rendered": rendered,
        "crds": crds,
        "release_manifest": manifest,
        "notes": notes,
        "error": error,
    }
    if error is not None:
        golden["cases"] = [
            {"name": case, "options": opts, "stdout": "",
             "error": f"{error}\n\nUse --debug flag to render out invalid YAML"}
            for case, opts in CASES[name]
        ]
        return golden
    files = {k: v for k, v in rendered.items() if not k.endswith("NOTES.txt")}
    hooks, manifests = sort_manifests(files)
    model = "".join(f"---\n# Source: {m['path']}\n{m['content']}\n" for m in manifests)
    if model != manifest:
        sys.exit(f"{name}: the Python model of SortManifests disagrees with Helm's manifest")
    golden["hooks"] = [{k: h[k] for k in ("path", "kind", "name", "events", "weight",
                                          "delete_policies")} for h in hooks]
    golden["cases"] = [
        {"name": case, "options": opts, **template_output(manifest, hooks, crds, manifests, opts)}
        for case, opts in CASES[name]
    ]
    return golden


def heads_golden(helm: Any) -> list[dict[str, Any]]:
    results = []
    for name, doc in HEADS:
        tmp = tempfile.mkdtemp()
        try:
            os.makedirs(f"{tmp}/c/templates")
            Path(f"{tmp}/c/Chart.yaml").write_text("apiVersion: v2\nname: c\nversion: 0.1.0\n")
            Path(f"{tmp}/c/templates/x.yaml").write_text(doc)
            rendered = render(helm, f"{tmp}/c")
            manifest, _, error = install(helm, f"{tmp}/c")
        finally:
            shutil.rmtree(tmp)
        entry: dict[str, Any] = {"name": name, "rendered": rendered}
        if error is None:
            entry["release_manifest"] = manifest
        else:
            entry["error"] = error
        results.append(entry)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if a golden is stale")
    args = parser.parse_args()
    helm = import_helm()
    outputs = {f"{name}.json": chart_golden(helm, name) for name in CASES}
    outputs["heads.json"] = heads_golden(helm)
    stale = []
    for file_name, data in outputs.items():
        text = json.dumps(data, indent=1, ensure_ascii=False) + "\n"
        path = GOLDENS / file_name
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(file_name)
        else:
            GOLDENS.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
    if stale:
        print(f"stale goldens: {', '.join(stale)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
