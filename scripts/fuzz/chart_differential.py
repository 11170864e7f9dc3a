#!/usr/bin/env python3
"""Differential fuzzing of whole charts: `helmpilot template` against real Helm.

Each case is a random chart TREE (a parent with subcharts, some nested, some packaged
as .tgz), generated deterministically from ``--seed`` and the case index, plus random
``-f`` values files and ``--set``/``--set-string``/``--set-json`` expressions. It is
rendered by Helm v4.2.3 (helm-python-sdk, driven exactly like
scripts/oracle/render_charts.py drives it, whose ``helm_template`` this script reuses)
and by ``target/debug/helmpilot template``; stdout is compared byte for byte, and
when Helm fails, the first line of its error with ours (after ``Error: ``).

    python3 scripts/fuzz/chart_differential.py --cases 300 --seed 1
    python3 scripts/fuzz/chart_differential.py --minutes 20 --keep target/chart-fuzz
    python3 scripts/fuzz/chart_differential.py --seed 1 --show 17     # print one case

Mismatches are grouped by a normalised signature; the first of each signature is
minimised (subcharts, files, lines and arguments removed while the signature holds) and
printed as a reproducer (file tree + arguments); ``--keep DIR`` writes it to
``DIR/<n>/`` with an ``args`` file. See scripts/fuzz/README.md.
"""

from __future__ import annotations

import argparse
import collections
import difflib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(REPO / "scripts" / "oracle"))
import render_charts  # noqa: E402

Case = dict[str, Any]  # {"files": {relpath: text}, "packaged": [dir], "args": [str]}


# ---------------------------------------------------------------------------
# YAML emitting (the generator writes YAML text itself so it can choose YAML 1.1
# spellings; ``Raw`` is a scalar token written verbatim, with the value Helm reads)
# ---------------------------------------------------------------------------

class Raw:
    def __init__(self, token: str, value: Any) -> None:
        self.token = token
        self.value = value

    def __repr__(self) -> str:
        return f"Raw({self.token!r})"


# Scalars as they are written and as go-yaml v2 (sigs.k8s.io/yaml) reads them.
SCALARS = [
    ("true", True), ("false", False), ("yes", True), ("no", False), ("on", True),
    ("off", False), ("True", True), ("NO", False), ("~", None), ("null", None),
    ("1", 1), ("42", 42), ("0", 0), ("-3", -3), ("3.5", 3.5), ("0x1F", 31), ("010", 8),
    ("1e3", 1000.0), ("plain", "plain"), ("two words", "two words"), ('"quoted"', "quoted"),
    ("'1.0'", "1.0"), ('""', ""), ('"yes"', "yes"), ("v1.2", "v1.2"),
]
BOOL_TOKENS = [("true", True), ("false", False), ("yes", True), ("off", False)]
NON_BOOL_TOKENS = [('"true"', "true"), ("1", 1), ("plain", "plain"), ("~", None)]


def emit_yaml(node: Any, indent: int = 0) -> str:
    pad = " " * indent
    if isinstance(node, dict):
        if not node:
            return pad + "{}\n"
        out = ""
        for k, v in node.items():
            if isinstance(v, dict) and v:
                out += f"{pad}{k}:\n" + emit_yaml(v, indent + 2)
            elif isinstance(v, list) and v:
                out += f"{pad}{k}:\n" + emit_yaml(v, indent)
            else:
                out += f"{pad}{k}: {inline(v)}\n"
        return out
    if isinstance(node, list):
        if not node:
            return pad + "[]\n"
        out = ""
        for item in node:
            if isinstance(item, dict) and item:
                body = emit_yaml(item, indent + 2)
                out += f"{pad}- {body[indent + 2:]}"
            else:
                out += f"{pad}- {inline(item)}\n"
        return out
    return pad + inline(node) + "\n"


def inline(v: Any) -> str:
    if isinstance(v, Raw):
        return v.token
    if isinstance(v, dict):
        return "{}"
    if isinstance(v, list):
        return "[]"
    if v is None:
        return "null"
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return json.dumps(v)
    return json.dumps(str(v))


# ---------------------------------------------------------------------------
# Generator
# ---------------------------------------------------------------------------

SUB_NAMES = ["alpha", "beta", "gamma", "delta"]
LEAF_NAMES = ["leaf", "twig"]
KEYS = ["a", "b", "c", "name", "port", "image", "labels", "list", "flag", "nested", "enabled"]
TAGS = ["front", "back", "extra"]
KINDS = ["ConfigMap", "Service", "Deployment", "Secret"]


class Chart:
    def __init__(self, name: str, version: str) -> None:
        self.name = name
        self.version = version
        self.values: dict[str, Any] = {}
        self.deps: list[dict[str, Any]] = []   # Chart.yaml dependencies
        self.subs: list[Chart] = []           # charts/ contents
        self.packaged = False
        self.kinds: list[str] = ["ConfigMap"]
        self.hook = False


class Gen:
    def __init__(self, rnd: random.Random) -> None:
        self.r = rnd
        self.paths: list[tuple[str, ...]] = []  # paths users may override (top view)

    def scalar(self) -> Raw:
        tok, val = self.r.choice(SCALARS)
        return Raw(tok, val)

    def tree(self, depth: int, keys: list[str] | None = None) -> dict[str, Any]:
        r = self.r
        out: dict[str, Any] = {}
        for _ in range(r.randint(0 if depth else 1, 4 if depth < 2 else 2)):
            k = r.choice(keys or KEYS)
            if r.random() < 0.03:
                k = r.choice(["on", "yes", "1", "0x10"])  # YAML 1.1 keys: "true", "true", "1", "16"
            roll = r.random()
            if roll < 0.3 and depth < 3:
                out[k] = self.tree(depth + 1)
            elif roll < 0.4:
                out[k] = [self.scalar() for _ in range(r.randint(0, 3))]
            elif roll < 0.45:
                out[k] = [self.tree(3)]
            else:
                out[k] = self.scalar()
        return out

    def globals(self) -> dict[str, Any]:
        r = self.r
        g: dict[str, Any] = {}
        for k in r.sample(["env", "region", "shared", "alpha", "beta", "deep"], r.randint(1, 3)):
            if r.random() < 0.5:
                g[k] = self.scalar()
            else:
                # Nested tables (2-3 deep) exercise how globals are merged down.
                g[k] = {r.choice(["x", "y"]): (self.tree(2, ["p", "q"]) if r.random() < 0.6 else self.scalar())
                        for _ in range(r.randint(1, 2))}
        return g

    def chart(self, name: str, depth: int, used: set[str]) -> Chart:
        r = self.r
        c = Chart(name, r.choice(["0.1.0", "0.1.0", "1.2.3"]))
        c.values = self.tree(0)
        if r.random() < 0.4:
            c.values["global"] = self.globals()
        if r.random() < 0.5:
            c.values["exports"] = {"data": self.tree(1), "more": self.tree(2)}
        if r.random() < 0.3:
            c.values["enabled"] = Raw(*r.choice(BOOL_TOKENS + NON_BOOL_TOKENS))
        c.kinds = ["ConfigMap"] + r.sample(KINDS[1:], r.randint(0, 2))
        c.hook = r.random() < 0.15
        if depth < 3:
            pool = [n for n in (SUB_NAMES if depth == 0 else LEAF_NAMES + SUB_NAMES) if n not in used]
            nsubs = r.choice([0, 1, 1, 2, 2, 3, 4]) if depth == 0 else r.choice([0, 0, 0, 1, 1, 2])
            for sub_name in r.sample(pool, min(nsubs, len(pool))):
                sub = self.chart(sub_name, depth + 1, used | {sub_name})
                sub.packaged = r.random() < 0.12
                c.subs.append(sub)
                self.dependency(c, sub)
        # A subchart with subcharts of its own lists at least one of them. Helm re-parents
        # a chart's subcharts only when it processes the chart's Chart.yaml dependencies;
        # otherwise grandchildren keep pointing at the chart as loaded, and under an alias
        # their template paths (.Template.Name, "# Source:") name the chart, not the
        # alias (not emulated).
        if depth >= 1 and c.subs and not c.deps:
            c.deps.append({"name": c.subs[0].name})
        # Keys that collide with subchart names: a table (normal) or, rarely, a scalar.
        for sub in c.subs:
            if r.random() < 0.5:
                c.values[sub.name] = self.tree(1)
                if r.random() < 0.4:
                    c.values[sub.name]["enabled"] = Raw(*r.choice(BOOL_TOKENS + NON_BOOL_TOKENS))
            elif r.random() < 0.04:
                c.values[sub.name] = self.scalar()
        if any(d.get("tags") for d in c.deps) and r.random() < 0.7:
            c.values["tags"] = {t: Raw(*r.choice(BOOL_TOKENS + BOOL_TOKENS + NON_BOOL_TOKENS))
                                for t in r.sample(TAGS, r.randint(1, 3))}
        if r.random() < 0.3:
            c.values["flags"] = {t: Raw(*r.choice(BOOL_TOKENS + NON_BOOL_TOKENS))
                                 for t in r.sample(SUB_NAMES, r.randint(1, 3))}
        return c

    def dependency(self, parent: Chart, sub: Chart) -> None:
        r = self.r
        if r.random() < 0.15:
            return  # present in charts/ but not listed
        # The same chart twice (two aliases) only when it has no subcharts: Helm's copies
        # of an aliased chart share their subcharts' metadata and objects, so the second
        # alias sees what processing the first one did to them (order-dependent results
        # that are not emulated).
        entries = 2 if r.random() < 0.12 and not sub.subs else 1
        for i in range(entries):
            dep: dict[str, Any] = {"name": sub.name}
            if r.random() < 0.85:
                dep["version"] = r.choice(["0.1.0", "~0.1", ">=0.1.0", "^1.0.0", "1.x", "*", "2.x", ">0.1.0"])
            if entries == 2 or r.random() < 0.2:
                dep["alias"] = f"{sub.name}{r.choice(['one', 'two', 'x'])}{i}"
            local = dep.get("alias", sub.name)
            if r.random() < 0.6:
                conds = []
                for _ in range(r.randint(1, 3)):
                    conds.append(r.choice([
                        f"{local}.enabled", f"{sub.name}.enabled", f"flags.{sub.name}",
                        f"global.{sub.name}.enabled", "missing.path", f"{local}", f"{local}.nested.flag",
                    ]))
                dep["condition"] = ",".join(conds)
                for cnd in conds:
                    self.paths.append(tuple(cnd.split(".")))
            if r.random() < 0.3:
                dep["tags"] = r.sample(TAGS, r.randint(1, 2))
            if r.random() < 0.35:
                imports: list[Any] = []
                for _ in range(r.randint(1, 2)):
                    if r.random() < 0.4:
                        imports.append(r.choice(["data", "more", "absent"]))
                    else:
                        imports.append({
                            "child": r.choice(["exports.data", "exports", "nested", "exports.more.nested", "labels", "."]),
                            "parent": r.choice([".", "imported", "imported.deep", "nested", "a"]),
                        })
                # No two imports of one dependency whose child paths nest: the second
                # would link a table into itself, and Helm dies of a stack overflow
                # copying it (ours fails with an error instead; see dependencies.rs).
                kept: list[Any] = []
                seen: list[str] = []
                for imp in imports:
                    child = "exports." + imp if isinstance(imp, str) else imp["child"]
                    if any(child == o or child.startswith(o + ".") or o.startswith(child + ".") for o in seen):
                        continue
                    seen.append(child)
                    kept.append(imp)
                dep["import-values"] = kept
            parent.deps.append(dep)

    # -- files ------------------------------------------------------------

    def files(self, top: Chart) -> tuple[dict[str, str], list[str]]:
        files: dict[str, str] = {}
        packaged: list[str] = []

        def walk(c: Chart, base: str, parent_name: str | None) -> None:
            meta: dict[str, Any] = {"apiVersion": "v2", "name": c.name, "version": c.version}
            if c.deps:
                meta["dependencies"] = c.deps
            files[f"{base}/Chart.yaml"] = json.dumps(meta, indent=1) + "\n"
            files[f"{base}/values.yaml"] = emit_yaml(c.values) if c.values else ""
            files[f"{base}/templates/_helpers.tpl"] = (
                f'{{{{- define "{c.name}.label" -}}}}{c.name}-label from {{{{ .Chart.Name }}}} in {{{{ .Template.Name }}}}{{{{- end }}}}\n'
                f'{{{{- define "shared.name" -}}}}shared defined by {c.name}{{{{- end }}}}\n'
            )
            # Each chart includes its own define, the shared one (the parent's wins: it
            # is parsed last), its parent's, and (guarded, as a disabled subchart's
            # defines do not exist) some of its subcharts'.
            lines = [
                f'  own: {{{{ include "{c.name}.label" . | quote }}}}',
                '  shared: {{ include "shared.name" . | quote }}',
            ]
            if parent_name:
                lines.append(f'  parent: {{{{ include "{parent_name}.label" . | quote }}}}')
            for s in c.subs:
                if self.r.random() < 0.7:
                    line = f'  sub-{s.name}: {{{{ include "{s.name}.label" . | quote }}}}'
                    if self.r.random() < 0.9:
                        line = f"{{{{- if .Subcharts.{s.name} }}}}\n{line}\n{{{{- end }}}}"
                    lines.append(line)
            for kind in c.kinds:
                files[f"{base}/templates/{kind.lower()}.yaml"] = (
                    "apiVersion: v1\n"
                    f"kind: {kind}\n"
                    "metadata:\n"
                    f"  name: {{{{ .Release.Name }}}}-{{{{ .Chart.Name }}}}-{kind.lower()}\n"
                    "data:\n"
                    "  chart: {{ .Chart.Name | quote }}\n"
                    "  version: {{ .Chart.Version | quote }}\n"
                    "  isRoot: {{ .Chart.IsRoot | quote }}\n"
                    "  template: {{ .Template.Name | quote }}\n"
                    "  base: {{ .Template.BasePath | quote }}\n"
                    "  subcharts: {{ keys .Subcharts | sortAlpha | toJson | quote }}\n"
                    + ("\n".join(lines) + "\n" if kind == "ConfigMap" else "")
                    + "  values: |\n"
                    "{{ toYaml .Values | indent 4 }}\n"
                )
            if c.hook:
                files[f"{base}/templates/hook.yaml"] = (
                    "apiVersion: batch/v1\nkind: Job\nmetadata:\n"
                    "  name: {{ .Release.Name }}-{{ .Chart.Name }}-hook\n"
                    "  annotations:\n"
                    f"    \"helm.sh/hook\": {self.r.choice(['pre-install', 'post-install', 'pre-install,post-install', 'test'])}\n"
                    "data:\n  global: |\n{{ toYaml .Values.global | indent 4 }}\n"
                )
            for s in c.subs:
                sub_base = f"{base}/charts/{s.name}"
                walk(s, sub_base, c.name)
                if s.packaged:
                    packaged.append(sub_base)

        walk(top, "top", None)
        return files, packaged

    def values_file(self) -> dict[str, Any]:
        r = self.r
        out: dict[str, Any] = {}
        for _ in range(r.randint(1, 5)):
            if not self.paths:
                break
            path = list(r.choice(self.paths))
            if r.random() < 0.3 and len(path) > 1:
                path = path[: r.randint(1, len(path) - 1)]
            roll = r.random()
            if path[-1] in SUB_NAMES + LEAF_NAMES and r.random() < 0.9:
                roll = 0.3  # mostly a table where a subchart's section goes (else: an error)
            if roll < 0.25:
                val: Any = None
            elif roll < 0.5:
                val = self.tree(1)
            elif roll < 0.6:
                val = [self.scalar()]
            else:
                val = self.scalar()
            set_path(out, path, val)
        if r.random() < 0.3:
            out["global"] = self.globals()
        if r.random() < 0.2:
            out["tags"] = {t: Raw(*r.choice(BOOL_TOKENS + NON_BOOL_TOKENS)) for t in r.sample(TAGS, r.randint(1, 2))}
        return out

    def set_arg(self) -> list[str]:
        r = self.r
        path = ".".join(r.choice(self.paths)) if self.paths else "a"
        kind = r.random()
        if kind < 0.5:
            return ["--set", f"{path}={r.choice(['true', 'false', 'null', '0', '7', 'word', '{x,y}', ''])}"]
        if kind < 0.7:
            return ["--set-string", f"{path}={r.choice(['true', 'word', '12'])}"]
        value = r.choice(['{"k":1}', '[1,"x"]', "true", "null", '{"enabled":false}', '"s"'])
        return ["--set-json", f"{path}={value}"]


def set_path(tree: dict[str, Any], path: list[str], val: Any) -> None:
    node = tree
    for k in path[:-1]:
        nxt = node.get(k)
        if not isinstance(nxt, dict):
            nxt = {}
            node[k] = nxt
        node = nxt
    node[path[-1]] = val


def collect_names(c: Chart) -> set[str]:
    out = {c.name}
    for s in c.subs:
        out |= collect_names(s)
    return out


def value_paths(tree: dict[str, Any], prefix: tuple[str, ...]) -> list[tuple[str, ...]]:
    out = []
    for k, v in tree.items():
        if k not in KEYS + SUB_NAMES + LEAF_NAMES + ["global", "tags", "flags", "env", "region", "x", "y", "p", "q"]:
            continue
        out.append(prefix + (k,))
        if isinstance(v, dict):
            out.extend(value_paths(v, prefix + (k,)))
    return out


def generate(seed: str, index: int) -> Case:
    r = random.Random(f"{seed}:{index}")
    g = Gen(r)
    top = g.chart("top", 0, {"top"})

    def gather(c: Chart, prefix: tuple[str, ...]) -> None:
        g.paths.extend(value_paths(c.values, prefix))
        for s in c.subs:
            names = [d.get("alias", s.name) for d in c.deps if d["name"] == s.name] or [s.name]
            for n in names:
                gather(s, prefix + (n,))

    gather(top, ())
    files, packaged = g.files(top)
    args = ["rel", "top"]
    for i in range(r.choice([0, 1, 1, 2, 3])):
        fname = f"user{i}.yaml"
        files[fname] = emit_yaml(g.values_file())
        args += ["-f", fname]
    for _ in range(r.choice([0, 0, 1, 2, 3])):
        args += g.set_arg()
    if r.random() < 0.03:
        # A dependency Chart.yaml lists but charts/ lacks.
        meta = json.loads(files["top/Chart.yaml"])
        meta.setdefault("dependencies", []).append({"name": "ghost", "version": "1.0.0"})
        files["top/Chart.yaml"] = json.dumps(meta, indent=1) + "\n"
    return {"files": files, "packaged": packaged, "args": args}


# ---------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------

def materialize(case: Case, root: Path) -> None:
    for rel, text in case["files"].items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    # Deepest first, so a packaged chart inside a packaged chart is in its archive.
    for rel in sorted(case["packaged"], key=lambda s: -s.count("/")):
        d = root / rel
        if not (d / "Chart.yaml").exists():
            continue
        render_charts.helm.package(str(d), destination=str(d.parent))
        shutil.rmtree(d)


def abs_args(case: Case, root: Path) -> list[str]:
    out = []
    prev = ""
    for i, a in enumerate(case["args"]):
        if i == 1 or prev == "-f":
            a = str(root / a)
        out.append(a)
        prev = a
    return out


def run_helm(argv: list[str]) -> tuple[str, str] | None:
    """("out", stdout) | ("err", first error line) | None when the oracle cannot say."""
    try:
        return "out", render_charts.helm_template(argv)
    except render_charts.HelmFailure as exc:
        return "err", str(exc).split("\n")[0]
    except render_charts.OracleLimitation:
        return None


def start_ours(binary: str, argv: list[str]) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_")}
    env["KUBECONFIG"] = os.devnull
    return subprocess.Popen([binary, "template", *argv], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env=env)


def finish_ours(proc: subprocess.Popen) -> tuple[str, str]:
    try:
        out, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return "hang", ""
    if proc.returncode == 0:
        return "out", out.decode("utf-8", "replace")
    text = err.decode("utf-8", "replace")
    first = text.splitlines()[0] if text else ""
    if proc.returncode >= 100 or "panicked" in text:
        return "crash", first
    return "err", first.removeprefix("Error: ")


def norm(s: str) -> str:
    s = re.sub(r"/tmp/[^ :]*", "PATH", s)
    s = re.sub(r"\d+", "N", s)
    s = re.sub(r"(alpha|beta|gamma|delta|leaf|twig|top)(one|two|x)?N?", "C", s)
    return s[:160]


def signature(helm: tuple[str, str], ours: tuple[str, str]) -> str | None:
    if helm == ours:
        return None
    # `--set x=0` is an int64 in Helm but reaches the oracle as JSON (float64): an error
    # printing the value's type (`type mismatch on x: %!t(int64=0)`) differs only there.
    if helm[0] == ours[0] == "err" and helm[1] == ours[1].replace("%!t(int64=", "%!t(float64="):
        return None
    hk, ht = helm
    ok, ot = ours
    if ok in ("crash", "hang"):
        return f"ours {ok}s: {norm(ot)}"
    if hk == "err" and ok == "err":
        return f"error differs: helm {norm(ht)!r} vs ours {norm(ot)!r}"
    if hk == "err":
        return f"only helm fails: {norm(ht)}"
    if ok == "err":
        return f"only ours fails: {norm(ot)}"
    a, b = ht.splitlines(), ot.splitlines()
    sm = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in sm.get_opcodes():
        if tag != "equal":
            return f"output differs: helm {norm(' | '.join(a[i1:i1 + 2]).strip())!r} vs ours {norm(' | '.join(b[j1:j1 + 2]).strip())!r}"
    return "output differs (whitespace)"


HELM_RERUNS = 6


def run_case(case: Case, binary: str, check_helm: bool = False) -> tuple[tuple[str, str], tuple[str, str]] | None:
    """(Helm's result, ours), or None when the oracle cannot say. With ``check_helm``
    and a mismatch, Helm runs again: a case whose Helm result changes from run to run
    (Go's random map order: the loader orders unlisted subcharts by map iteration, for
    one) gives ``("nondeterministic", ...)`` as Helm's result."""
    with tempfile.TemporaryDirectory(prefix="chartfuzz-") as tmp:
        root = Path(tmp)
        try:
            materialize(case, root)
        except render_charts.helm.HelmError:
            return None
        argv = abs_args(case, root)
        proc = start_ours(binary, argv)
        helm = run_helm(argv)
        ours = finish_ours(proc)
        if helm is None:
            return None
        if check_helm and helm != ours:
            for _ in range(HELM_RERUNS):
                if run_helm(argv) != helm:
                    return ("nondeterministic", helm[1]), ours
        return helm, ours


# ---------------------------------------------------------------------------
# Minimizing
# ---------------------------------------------------------------------------

def same_class(case: Case, binary: str, want: str) -> bool:
    res = run_case(case, binary, check_helm=True)
    if res is None or res[0][0] == "nondeterministic":
        return False
    sig = signature(*res)
    if sig is None:
        return False
    if want.startswith("output differs"):
        return sig.startswith("output differs")
    return sig == want


def minimize(case: Case, binary: str, sig: str, budget_s: float) -> Case:
    deadline = time.time() + budget_s
    best = json.loads(json.dumps(case))

    def try_(cand: Case) -> bool:
        nonlocal best
        if time.time() > deadline:
            return False
        if same_class(cand, binary, sig):
            best = cand
            return True
        return False

    changed = True
    while changed and time.time() < deadline:
        changed = False
        # Arguments after NAME CHART, one flag (with its value) at a time.
        i = 2
        while i < len(best["args"]):
            cand = json.loads(json.dumps(best))
            del cand["args"][i:i + 2]
            if try_(cand):
                changed = True
            else:
                i += 2
        # Whole subcharts (charts/<x> trees).
        dirs = sorted({m.group(0) for f in best["files"] for m in [re.match(r".*/charts/[^/]+", f)] if m},
                      key=lambda s: s.count("/"))
        for d in dirs:
            cand = json.loads(json.dumps(best))
            cand["files"] = {k: v for k, v in cand["files"].items() if not (k == d or k.startswith(d + "/"))}
            cand["packaged"] = [p for p in cand["packaged"] if not (p == d or p.startswith(d + "/"))]
            if try_(cand):
                changed = True
        # Packaging.
        for p in list(best["packaged"]):
            cand = json.loads(json.dumps(best))
            cand["packaged"].remove(p)
            if try_(cand):
                changed = True
        # Whole files.
        for f in sorted(best["files"]):
            if f not in best["files"] or f.endswith("Chart.yaml"):
                continue
            cand = json.loads(json.dumps(best))
            del cand["files"][f]
            if f.endswith(".yaml") and not f.startswith("top"):
                cand["args"] = [a for j, a in enumerate(cand["args"])
                                if not (a == f or (a == "-f" and j + 1 < len(cand["args"]) and cand["args"][j + 1] == f))]
            if try_(cand):
                changed = True
        # Lines of each file, in shrinking chunks.
        for f in sorted(best["files"]):
            if f not in best["files"]:
                continue
            lines = best["files"][f].split("\n")
            chunk = max(1, len(lines) // 2)
            while chunk >= 1 and time.time() < deadline:
                j = 0
                while j < len(best["files"][f].split("\n")):
                    lines = best["files"][f].split("\n")
                    cand = json.loads(json.dumps(best))
                    cand["files"][f] = "\n".join(lines[:j] + lines[j + chunk:])
                    if not try_(cand):
                        j += chunk
                    else:
                        changed = True
                chunk //= 2
    return best


def reproducer(case: Case) -> str:
    out = []
    for rel in sorted(case["files"]):
        out.append(f"--- {rel}\n{case['files'][rel]}")
    if case["packaged"]:
        out.append(f"(packaged as .tgz: {', '.join(case['packaged'])})")
    out.append("helm template " + " ".join(repr(a) if " " in a or "{" in a else a for a in case["args"]))
    return "\n".join(out)


def keep(case: Case, where: Path) -> None:
    where.mkdir(parents=True, exist_ok=True)
    for rel, text in case["files"].items():
        p = where / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    (where / "case.json").write_text(json.dumps(case, indent=1) + "\n", encoding="utf-8")
    (where / "args").write_text(json.dumps(case["args"]) + "\n", encoding="utf-8")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", default="1")
    ap.add_argument("--cases", type=int, default=0, help="number of cases (0: until --minutes)")
    ap.add_argument("--minutes", type=float, default=0.0)
    ap.add_argument("--start", type=int, default=0, help="first case index")
    ap.add_argument("--keep", type=Path, help="write minimized reproducers under this directory")
    ap.add_argument("--binary", default=None, help="helmpilot binary (default: target/debug/helmpilot)")
    ap.add_argument("--no-build", action="store_true")
    ap.add_argument("--no-minimize", action="store_true")
    ap.add_argument("--minimize-seconds", type=float, default=120.0)
    ap.add_argument("--trace", action="store_true", help="log each case index to stderr")
    ap.add_argument("--show", type=int, nargs="+", metavar="INDEX", help="print these cases and exit")
    ap.add_argument("--replay", type=Path, help="re-run a kept case.json")
    opts = ap.parse_args()

    render_charts.helm = render_charts.import_helm()
    # Helm logs every coalescing warning on fd 2 (Go's log package): silence the
    # library, keep Python's own stderr.
    if not os.environ.get("CHARTFUZZ_HELM_LOGS"):
        sys.stderr = os.fdopen(os.dup(2), "w", buffering=1)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
    if opts.show:
        for i in opts.show:
            print(f"== case {i}\n{reproducer(generate(opts.seed, i))}")
        return 0
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    binary = opts.binary or str(target / "debug" / "helmpilot")
    if not opts.no_build and not opts.binary:
        subprocess.run(["cargo", "build", "-q", "-p", "helmpilot"], cwd=REPO, check=True)

    if opts.replay:
        case = json.loads(opts.replay.read_text())
        res = run_case(case, binary)
        print(reproducer(case))
        print("oracle limitation" if res is None else (signature(*res) or "agrees"))
        return 0

    if not opts.cases and not opts.minutes:
        opts.cases = 200
    deadline = time.time() + opts.minutes * 60 if opts.minutes else float("inf")
    counts: collections.Counter[str] = collections.Counter()
    error_kinds: collections.Counter[str] = collections.Counter()
    first: dict[str, int] = {}
    ran = skipped = helm_errors = nondeterministic = 0
    start = time.time()
    last = start
    i = opts.start
    while (not opts.cases or ran + skipped < opts.cases) and time.time() < deadline:
        case = generate(opts.seed, i)
        res = run_case(case, binary, check_helm=True)
        if res is None:
            skipped += 1
        elif res[0][0] == "nondeterministic":
            nondeterministic += 1
        else:
            ran += 1
            if res[0][0] == "err":
                helm_errors += 1
                error_kinds[norm(res[0][1])[:90]] += 1
            sig = signature(*res)
            if sig:
                counts[sig] += 1
                if sig not in first:
                    first[sig] = i
                    print(f"\n### new mismatch (seed {opts.seed}, case {i}): {sig}", flush=True)
                    if not opts.no_minimize:
                        case = minimize(case, binary, sig, opts.minimize_seconds)
                    res2 = run_case(case, binary)
                    print(reproducer(case))
                    if res2:
                        (hk, ht), (ok, ot) = res2
                        if hk == ok == "out":
                            print("".join(difflib.unified_diff(ht.splitlines(True), ot.splitlines(True), "helm", "ours", n=1))[:3000])
                        else:
                            print(f"helm {hk}: {ht[:600]}\nours {ok}: {ot[:600]}")
                    if opts.keep:
                        keep(case, opts.keep / f"{len(first):03d}")
        i += 1
        if opts.trace:
            print(f"case {i - 1} done", file=sys.stderr, flush=True)
        if time.time() - last > 30:
            last = time.time()
            print(f"[{time.time() - start:.0f}s] {ran} cases ({helm_errors} Helm errors), {skipped} skipped, "
                  f"{sum(counts.values())} mismatches in {len(counts)} classes", flush=True)
    print(f"\n{ran} cases compared ({helm_errors} where Helm fails), {skipped} skipped "
          f"(oracle limitation), {nondeterministic} Helm-nondeterministic, "
          f"{time.time() - start:.0f}s; {sum(counts.values())} mismatches")
    print("Helm errors by kind (agreeing cases included):")
    for kind, n in error_kinds.most_common(8):
        print(f"{n:6d}  {kind}")
    print("mismatch classes:")
    for sig, n in counts.most_common():
        print(f"{n:6d}  {sig}  (first: case {first[sig]})")
    return 1 if counts else 0


if __name__ == "__main__":
    sys.exit(main())
