#!/usr/bin/env python3
"""Chart conformance oracle: what `helm template ARGS` (Helm v4.2.3) prints.

Each case of ``fixtures/chart-conformance/cases.json`` is
``{"name", "args": [...the helm template arguments...], "divergence"?}`` with
paths relative to the repository root (the script runs from there). For each
case this script computes, with the real Helm engine (helm-python-sdk, which
embeds Helm's Go SDK), what ``helm template ARGS`` writes to stdout, or the
error text it prints after ``Error: ``, and writes
``fixtures/chart-conformance/goldens/<name>.out`` or ``<name>.err``.

    python3 scripts/oracle/render_charts.py                  # regenerate goldens
    python3 scripts/oracle/render_charts.py --check          # exit 1 on drift
    python3 scripts/oracle/render_charts.py --live BINARY    # BINARY template ARGS vs oracle
    python3 scripts/oracle/render_charts.py --scaffold BINARY  # `helm create` chart, 6 value sets
    python3 scripts/oracle/render_charts.py --only NAME...   # restrict to some cases

What is Helm and what is emulated
---------------------------------
helm-python-sdk exposes Helm's install action, the engine and the values
parsers, not the ``helm template`` command, so the command is rebuilt here from
pkg/cmd/template.go, pkg/cmd/install.go (runInstall) and
pkg/cli/values/options.go:

* Run by Helm: loading charts (``Chart.load``), values files
  (``values_from_yaml``), every ``--set*`` expression (Helm's strvals parsers),
  dependency processing (conditions, tags, aliases, import-values), schema
  validation, the kubeVersion check, rendering, and the manifest of
  ``Config(storage_driver="memory").install(..., dry_run="client")`` with
  ``kube_version``/``api_versions``/``replace`` passed as install options (the
  C library accepts those keys; it rejects ``is_upgrade`` and ``include_crds``).
* Emulated (ported from Helm's Go code, see the functions below):
  - argument parsing (pflag/cobra for the flags listed in ``parse_args``);
  - ``MergeValues``: files merged with loader.MergeMaps, then --set-json,
    --set, --set-string, --set-file, --set-literal in that order. Helm parses
    each expression *into* the map built so far (strvals.ParseInto), so an
    index like ``list[1]=x`` edits a list from a values file. The SDK only
    parses an expression on its own, so each expression is split into its
    assignments (``split_assignments``), each assignment is parsed by Helm
    (and once more with a sentinel value, which gives Helm's reading of the
    key path), and the value is stored along that path with ParseInto's rules
    (``store_at_path``), including its type-assertion panics;
  - the CLI checks before the install: ``checkIfInstallable`` and
    ``CheckDependencies`` (Helm's CLI wording, not the SDK's);
  - hooks: the install result carries no hooks, so templates are rendered a
    second time with ``helm_render`` (same values, release options and
    capabilities) and split and sorted like releaseutil.SortManifests. The
    non-hook part of that emulation must equal the install manifest byte for
    byte, or the case fails with an oracle error; that check runs on every
    case that installs;
  - ``--is-upgrade``: the install action cannot take it, so the manifest of
    such a case is the emulated one (from ``helm_render`` with is_upgrade),
    checked by the same emulation on all other cases. Errors are still taken
    from a plain install first;
  - ``--include-crds``: CRD files of ``Chart.crds`` printed before the
    manifests as renderResources does (refused when a CRD sits in a subchart,
    which dependency processing might disable);
  - printing and ``--show-only`` as in template.go (Go filepath.Match ported).
* Errors: the text after ``Error: ``. Render-stage errors get template.go's
  ``\\n\\nUse --debug flag to render out invalid YAML`` suffix (the install
  returned a release); errors before the release exists (values, schema,
  dependency processing, name) do not. Which side an SDK error is on is
  decided by rendering again: a values error there means "before".

Helm lists several schema violations in an order that changes from run to
run (map iteration), so error cases break one schema rule each.

Number types: values reach the SDK as JSON, so every number becomes a Go
float64. Values files and --set-json give float64 in real Helm too, but
``--set x=1`` gives int64 there. Both print alike below 1e6 (``%v`` of a
float64 switches to exponent form at 1e+06 and beyond) except through ``%T``
and kindOf, so cases keep --set integers small and never print their type.
"""

from __future__ import annotations

import argparse
import csv
import difflib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "fixtures" / "chart-conformance"
CASES = CORPUS / "cases.json"
GOLDENS = CORPUS / "goldens"

EXPECTED_SDK = "0.2.2"
EXPECTED_HELM = "v4.2.3"

NAME_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
CASE_KEYS = {"name", "args", "divergence"}
DEBUG_HINT = "\n\nUse --debug flag to render out invalid YAML"
SENTINEL = "HelmpilotOracleSentinel7f3a"


class HelmFailure(Exception):
    """Helm fails this way: ``message`` is what it prints after ``Error: ``."""


class OracleLimitation(Exception):
    """The oracle cannot reproduce this case faithfully; fix the case."""


def import_helm() -> Any:
    try:
        import helm_python
    except ImportError as exc:  # pragma: no cover - environment problem
        sys.exit(f"cannot import helm_python ({exc}); run scripts/oracle/setup.sh")
    if helm_python.__version__ != EXPECTED_SDK or helm_python.helm_sdk_version() != EXPECTED_HELM:
        sys.exit(
            f"oracle is helm-python-sdk {helm_python.__version__} / Helm "
            f"{helm_python.helm_sdk_version()}, goldens need {EXPECTED_SDK} / {EXPECTED_HELM}"
        )
    return helm_python


helm: Any = None


# --------------------------------------------------------------------------
# Go text helpers
# --------------------------------------------------------------------------

def go_is_space(c: str) -> bool:
    """unicode.IsSpace: Latin-1 spaces plus the White_Space property."""
    if c in "\t\n\v\f\r \x85\xa0":
        return True
    return ord(c) > 0xFF and c.isspace()


def go_trim_left_space(s: str) -> str:
    i = 0
    while i < len(s) and go_is_space(s[i]):
        i += 1
    return s[i:]


def go_trim_space(s: str) -> str:
    s = go_trim_left_space(s)
    j = len(s)
    while j > 0 and go_is_space(s[j - 1]):
        j -= 1
    return s[:j]


# RE2's \s is [\t\n\f\r ] (no \v), unlike Python's.
_SPLIT_SEP = re.compile(r"(?:^|[\t\n\f\r ]*\n)---[\t\n\f\r ]*")


def split_manifests(big: str) -> list[str]:
    """releaseutil.SplitManifests, as a list in manifest-%d order."""
    docs = _SPLIT_SEP.split(go_trim_left_space(big))
    return [go_trim_left_space(d) for d in docs if go_trim_space(d) != ""]


def go_path_match(pattern: str, name: str) -> bool:
    """path/filepath.Match on '/'-separated names (errors count as no match)."""

    def match_chunk(chunk: str, s: str) -> tuple[str, bool]:
        while chunk:
            if not s:
                return "", False
            c = chunk[0]
            if c == "[":
                r = s[0]
                s = s[1:]
                chunk = chunk[1:]
                negated = chunk.startswith("^")
                if negated:
                    chunk = chunk[1:]
                matched = False
                nrange = 0
                while True:
                    if chunk.startswith("]") and nrange > 0:
                        chunk = chunk[1:]
                        break
                    lo, chunk, ok = get_esc(chunk)
                    if not ok:
                        return "", False
                    hi = lo
                    if chunk.startswith("-"):
                        hi, chunk, ok = get_esc(chunk[1:])
                        if not ok:
                            return "", False
                    if lo <= r <= hi:
                        matched = True
                    nrange += 1
                if matched == negated:
                    return "", False
            elif c == "?":
                if s[0] == "/":
                    return "", False
                s = s[1:]
                chunk = chunk[1:]
            elif c == "\\":
                chunk = chunk[1:]
                if not chunk:
                    return "", False
                if chunk[0] != s[0]:
                    return "", False
                s = s[1:]
                chunk = chunk[1:]
            else:
                if c != s[0]:
                    return "", False
                s = s[1:]
                chunk = chunk[1:]
        return s, True

    def get_esc(chunk: str) -> tuple[str, str, bool]:
        if not chunk or chunk[0] in "-]":
            return "", chunk, False
        if chunk[0] == "\\":
            chunk = chunk[1:]
            if not chunk:
                return "", chunk, False
        return chunk[0], chunk[1:], True

    def scan_chunk(p: str) -> tuple[bool, str, str]:
        star = False
        while p.startswith("*"):
            p = p[1:]
            star = True
        in_range = False
        i = 0
        while i < len(p):
            ch = p[i]
            if ch == "\\":
                i += 1
            elif ch == "[":
                in_range = True
            elif ch == "]":
                in_range = False
            elif ch == "*" and not in_range:
                break
            i += 1
        return star, p[:i], p[i:]

    while pattern:
        star, chunk, pattern = scan_chunk(pattern)
        if star and not chunk:
            return "/" not in name
        t, ok = match_chunk(chunk, name)
        if ok and (not t or pattern):
            name = t
            continue
        if star:
            i = 0
            found = False
            while i < len(name) and name[i] != "/":
                t, ok = match_chunk(chunk, name[i + 1 :])
                if ok:
                    if not pattern and t:
                        i += 1
                        continue
                    name = t
                    found = True
                    break
                i += 1
            if found:
                continue
        return False
    return not name


# --------------------------------------------------------------------------
# Arguments (pflag/cobra, only the flags helm template cases use)
# --------------------------------------------------------------------------

@dataclass
class TemplateArgs:
    positionals: list[str] = field(default_factory=list)
    value_files: list[str] = field(default_factory=list)
    set_values: list[str] = field(default_factory=list)
    set_strings: list[str] = field(default_factory=list)
    set_files: list[str] = field(default_factory=list)
    set_jsons: list[str] = field(default_factory=list)
    set_literals: list[str] = field(default_factory=list)
    namespace: str = "default"
    include_crds: bool = False
    skip_tests: bool = False
    is_upgrade: bool = False
    release_name_flag: bool = False
    show_only: list[str] = field(default_factory=list)
    kube_version: str = ""
    api_versions: list[str] = field(default_factory=list)


# long name -> (attribute, kind); kinds: slice (csv-split, appended),
# array (appended verbatim), string, bool.
FLAGS = {
    "values": ("value_files", "slice"),
    "set": ("set_values", "array"),
    "set-string": ("set_strings", "array"),
    "set-file": ("set_files", "array"),
    "set-json": ("set_jsons", "array"),
    "set-literal": ("set_literals", "array"),
    "namespace": ("namespace", "string"),
    "include-crds": ("include_crds", "bool"),
    "skip-tests": ("skip_tests", "bool"),
    "is-upgrade": ("is_upgrade", "bool"),
    "release-name": ("release_name_flag", "bool"),
    "show-only": ("show_only", "array"),
    "kube-version": ("kube_version", "string"),
    "api-versions": ("api_versions", "slice"),
}
SHORT = {"f": "values", "n": "namespace", "s": "show-only", "a": "api-versions"}


def parse_args(argv: list[str]) -> TemplateArgs:
    out = TemplateArgs()
    i = 0

    def assign(name: str, value: str | None, take_next: bool) -> None:
        nonlocal i
        attr, kind = FLAGS[name]
        if kind == "bool":
            if value is None:
                setattr(out, attr, True)
            elif value in ("true", "1", "t", "T", "TRUE", "True"):
                setattr(out, attr, True)
            elif value in ("false", "0", "f", "F", "FALSE", "False"):
                setattr(out, attr, False)
            else:
                raise OracleLimitation(f"bad bool for --{name}: {value}")
            return
        if value is None:
            if not take_next or i + 1 >= len(argv):
                raise OracleLimitation(f"flag needs an argument: --{name}")
            i += 1
            value = argv[i]
        if kind == "string":
            setattr(out, attr, value)
        elif kind == "array":
            getattr(out, attr).append(value)
        else:  # pflag StringSlice: each occurrence is a CSV record
            if value == "":
                return
            getattr(out, attr).extend(next(csv.reader([value])))

    while i < len(argv):
        arg = argv[i]
        if arg == "--":
            out.positionals.extend(argv[i + 1 :])
            break
        if arg.startswith("--"):
            body = arg[2:]
            name, eq, value = body.partition("=")
            if name not in FLAGS:
                raise OracleLimitation(f"flag not emulated: --{name}")
            assign(name, value if eq else None, True)
        elif arg.startswith("-") and len(arg) > 1:
            letter, rest = arg[1], arg[2:]
            if letter not in SHORT:
                raise OracleLimitation(f"flag not emulated: -{letter}")
            name = SHORT[letter]
            if rest.startswith("="):
                rest = rest[1:]
            assign(name, rest if rest else None, True)
        else:
            out.positionals.append(arg)
        i += 1
    return out


# --------------------------------------------------------------------------
# Values (pkg/cli/values/options.go MergeValues)
# --------------------------------------------------------------------------

def merge_maps(a: dict[str, Any], b: dict[str, Any]) -> dict[str, Any]:
    """loader.MergeMaps."""
    out = dict(a)
    for k, v in b.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = merge_maps(out[k], v)
            continue
        out[k] = v
    return out


def read_file(path: str) -> bytes:
    try:
        return (REPO / path).read_bytes() if not os.path.isabs(path) else Path(path).read_bytes()
    except FileNotFoundError:
        raise HelmFailure(f"open {path}: no such file or directory") from None


class _Scanner:
    """Walks a strvals expression the way strvals' parser consumes it, only to
    find where each top-level assignment starts and ends and where its value
    begins. Malformed input never reaches it (Helm parses it first)."""

    def __init__(self, text: str, json_values: bool) -> None:
        self.s = text
        self.i = 0
        self.json_values = json_values

    def until(self, stop: str) -> str | None:
        """runesUntil: returns the stop rune, or None at the end."""
        while self.i < len(self.s):
            c = self.s[self.i]
            self.i += 1
            if c in stop:
                return c
            if c == "\\":
                self.i += 1
        return None

    def assignment(self) -> tuple[int, int, int] | None:
        """(start, value_start, end) of the next assignment, or None."""
        start = self.i
        if start >= len(self.s):
            return None
        while True:
            last = self.until("=[,.")
            if last == "[":
                self.until("]")
                while True:
                    last = self.until("[.=")
                    if last == "[":
                        self.until("]")
                        continue
                    break
                if last == "=":
                    break
                continue  # '.' -> another key
            if last == "=":
                break
            if last == ".":
                continue
            raise OracleLimitation(f"cannot split --set expression {self.s!r}")
        value_start = self.i
        end = self.value()
        return start, value_start, end

    def value(self) -> int:
        """Consumes a value and its separator; returns where the value ends."""
        s = self.s
        if self.json_values:
            j = self.i
            while j < len(s) and go_is_space(s[j]):
                j += 1
            if j >= len(s) or s[j] == ",":  # empty value: null
                self.i = j + 1 if j < len(s) else j
                return j
            _, j = json.JSONDecoder().raw_decode(s, j)
            self.i = end = j
            while self.i < len(s) and go_is_space(s[self.i]):
                self.i += 1
            if self.i < len(s) and s[self.i] == ",":
                self.i += 1
            return end
        if self.i < len(s) and s[self.i] == "{":
            self.i += 1
            self.until("}")
            end = self.i
            if self.i < len(s) and s[self.i] == ",":
                self.i += 1
            return end
        if self.until(",") == ",":
            return self.i - 1
        return self.i


def split_assignments(expr: str, json_values: bool) -> list[tuple[str, str]]:
    """Top-level assignments of an expression as (key part, whole text)."""
    sc = _Scanner(expr, json_values)
    parts = []
    while True:
        got = sc.assignment()
        if got is None:
            return parts
        start, value_start, end = got
        parts.append((expr[start : value_start - 1], expr[start:end]))


def path_of(tree: Any) -> list[tuple[str, Any]]:
    """The one path through a single assignment's tree, to the sentinel."""
    path: list[tuple[str, Any]] = []
    node = tree
    while node != SENTINEL:
        if isinstance(node, dict) and len(node) == 1:
            (k, node), = node.items()
            path.append(("key", k))
        elif isinstance(node, list) and node and all(x is None for x in node[:-1]):
            path.append(("index", len(node) - 1))
            node = node[-1]
        else:
            raise OracleLimitation(f"cannot follow the key path in {tree!r}")
    return path


def value_at(tree: Any, path: list[tuple[str, Any]]) -> Any:
    for _, step in path:
        tree = tree[step]
    return tree


def go_type_name(v: Any) -> str:
    if v is None:
        return "nil"
    if isinstance(v, bool):
        return "bool"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "[]interface {}"
    if isinstance(v, dict):
        return "map[string]interface {}"
    # int64 (--set) or float64 (files, JSON): not tracked here.
    raise OracleLimitation("ParseInto would panic on a number; its Go type is not tracked")


def _panic(v: Any, want: str) -> HelmFailure:
    return HelmFailure(f"unable to parse key: interface conversion: interface {{}} is {go_type_name(v)}, not {want}")


def store_at_path(data: dict[str, Any], path: list[tuple[str, Any]], value: Any) -> None:
    """Store ``value`` like strvals.ParseInto's key/listItem do."""
    kind, key = path[0]
    assert kind == "key"
    rest = path[1:]
    if not rest:
        if key != "":
            data[key] = value
        return
    if rest[0][0] == "index":
        lst: list[Any] = []
        if key in data:
            if not isinstance(data[key], list):
                raise _panic(data[key], "[]interface {}")
            lst = data[key]
        lst = _list_item(lst, rest, value)
        if key != "":
            data[key] = lst
        return
    inner: dict[str, Any] = {}
    if key in data:
        if not isinstance(data[key], dict):
            raise _panic(data[key], "map[string]interface {}")
        inner = data[key]
    store_at_path(inner, rest, value)
    if inner and key != "":
        data[key] = inner


def _set_index(lst: list[Any], i: int, value: Any) -> list[Any]:
    if len(lst) <= i:
        lst = lst + [None] * (i + 1 - len(lst))
    lst[i] = value
    return lst


def _list_item(lst: list[Any], path: list[tuple[str, Any]], value: Any) -> list[Any]:
    _, i = path[0]
    rest = path[1:]
    if not rest:
        return _set_index(lst, i, value)
    if rest[0][0] == "index":
        crt: list[Any] = []
        if len(lst) > i and lst[i] is not None:
            if not isinstance(lst[i], list):
                raise _panic(lst[i], "[]interface {}")
            crt = lst[i]
        return _set_index(lst, i, _list_item(crt, rest, value))
    inner: dict[str, Any] = {}
    if len(lst) > i:
        if not isinstance(lst[i], dict):
            lst[i] = {}
        inner = lst[i]
    store_at_path(inner, rest, value)
    return _set_index(lst, i, inner)


def parse_into(expr: str, base: dict[str, Any], mode: str) -> None:
    """strvals.ParseInto / ParseIntoString / ParseJSON / ParseIntoFile /
    ParseLiteralInto of ``expr`` into ``base``; raises HelmFailure with the
    parser's message (without the options.go prefix)."""
    parser = {
        "set": helm.parse_set_string,
        "string": helm.parse_set_string_values,
        "json": helm.parse_set_json,
        "file": helm.parse_set_file,
        "literal": helm.parse_set_literal,
    }[mode]
    try:
        parser(expr)  # the whole expression first: Helm's own syntax errors
    except helm.HelmError as exc:
        raise HelmFailure(str(exc)) from None
    if mode == "literal":
        key_part, _, _ = expr.partition("=")
        assignments = [(key_part, expr)]
    else:
        assignments = split_assignments(expr, mode == "json")
    for key_part, text in assignments:
        path = path_of(helm.parse_set_string_values(key_part + "=" + SENTINEL))
        value = value_at(parser(text), path)
        store_at_path(base, path, value)


def merge_values(args: TemplateArgs) -> dict[str, Any]:
    base: dict[str, Any] = {}
    for path in args.value_files:
        raw = read_file(path)
        try:
            current = helm.values_from_yaml(raw.decode("utf-8"))
        except helm.HelmError as exc:
            raise HelmFailure(f"failed to parse {path}: {exc}") from None
        base = merge_maps(base, current)
    for value in args.set_jsons:
        trimmed = value.strip()
        if trimmed.startswith("{"):
            try:
                obj = json.loads(trimmed)
            except ValueError:
                raise HelmFailure(f"failed parsing --set-json data JSON: {value}") from None
            if not isinstance(obj, dict):
                raise HelmFailure(f"failed parsing --set-json data JSON: {value}")
            base = merge_maps(base, obj)
        else:
            try:
                parse_into(value, base, "json")
            except HelmFailure:
                raise HelmFailure(f"failed parsing --set-json data {value}") from None
    for mode, flag, exprs in (
        ("set", "--set", args.set_values),
        ("string", "--set-string", args.set_strings),
        ("file", "--set-file", args.set_files),
        ("literal", "--set-literal", args.set_literals),
    ):
        for value in exprs:
            try:
                parse_into(value, base, mode)
            except HelmFailure as exc:
                raise HelmFailure(f"failed parsing {flag} data: {exc}") from None
    return base


# --------------------------------------------------------------------------
# Manifests and hooks (releaseutil.SortManifests, InstallOrder)
# --------------------------------------------------------------------------

INSTALL_ORDER = [
    "PriorityClass", "Namespace", "NetworkPolicy", "ResourceQuota", "LimitRange",
    "PodSecurityPolicy", "PodDisruptionBudget", "ServiceAccount", "Secret", "SecretList",
    "ConfigMap", "StorageClass", "PersistentVolume", "PersistentVolumeClaim",
    "CustomResourceDefinition", "ClusterRole", "ClusterRoleList", "ClusterRoleBinding",
    "ClusterRoleBindingList", "Role", "RoleList", "RoleBinding", "RoleBindingList",
    "Service", "DaemonSet", "Pod", "ReplicationController", "ReplicaSet", "Deployment",
    "HorizontalPodAutoscaler", "StatefulSet", "Job", "CronJob", "IngressClass", "Ingress",
    "APIService", "MutatingWebhookConfiguration", "ValidatingWebhookConfiguration",
]
_ORDER = {k: i for i, k in enumerate(INSTALL_ORDER)}
HOOK_EVENTS = {
    "pre-install", "post-install", "pre-delete", "post-delete", "pre-upgrade",
    "post-upgrade", "pre-rollback", "post-rollback", "test",
}


def kind_key(kind: str) -> tuple[int, int, str]:
    if kind in _ORDER:
        return (0, _ORDER[kind], "")
    return (1, 0, kind)


@dataclass
class Doc:
    path: str
    content: str
    kind: str
    events: list[str] | None  # None: not a hook


def simple_head(doc: str, path: str) -> tuple[str, dict[str, str] | None]:
    """kind and annotations as sigs.k8s.io/yaml reads SimpleHead."""
    import yaml

    try:
        head = yaml.safe_load(doc)
    except yaml.YAMLError as exc:
        raise OracleLimitation(f"{path}: PyYAML cannot read a document Helm accepted: {exc}") from None
    if head is None:
        return "", None
    if not isinstance(head, dict):
        raise OracleLimitation(f"{path}: a document that is not a mapping")
    kind = head.get("kind") or ""
    meta = head.get("metadata")
    if not isinstance(kind, str) or (meta is not None and not isinstance(meta, dict)):
        raise OracleLimitation(f"{path}: head fields of unexpected types")
    if not meta or meta.get("annotations") is None:
        return kind, None
    ann = meta["annotations"]
    if not isinstance(ann, dict):
        raise OracleLimitation(f"{path}: annotations of unexpected type")
    out: dict[str, str] = {}
    for k, v in ann.items():
        if v is None:
            v = ""
        if not isinstance(k, str) or not isinstance(v, str):
            raise OracleLimitation(f"{path}: non-string annotation {k!r}: Go would fail to parse")
        out[k] = v
    return kind, out


def sort_manifests(files: dict[str, str]) -> tuple[list[Doc], list[Doc]]:
    """(hooks, manifests) like releaseutil.SortManifests with InstallOrder."""
    hooks: list[Doc] = []
    generic: list[Doc] = []
    for path in sorted(files):
        content = files[path]
        if os.path.basename(path).startswith("_") or go_trim_space(content) == "":
            continue
        for doc in split_manifests(content):
            kind, ann = simple_head(doc, path)
            if not ann or "helm.sh/hook" not in ann:
                generic.append(Doc(path, doc, kind, None))
                continue
            events = []
            for ev in ann["helm.sh/hook"].split(","):
                ev = ev.strip().lower()
                if ev == "test-success":
                    ev = "test"
                if ev not in HOOK_EVENTS:
                    events = None
                    break
                events.append(ev)
            if events is None:
                continue  # unknown hook: Helm drops the document
            hooks.append(Doc(path, doc, kind, events))
    hooks.sort(key=lambda d: kind_key(d.kind))
    generic.sort(key=lambda d: kind_key(d.kind))
    return hooks, generic


def source_block(path: str, content: str) -> str:
    return f"---\n# Source: {path}\n{content}\n"


# --------------------------------------------------------------------------
# helm template
# --------------------------------------------------------------------------

_PROBE_CHART: bytes | None = None


def probe_chart() -> Any:
    """A minimal chart, to have Helm parse a --kube-version up front."""
    global _PROBE_CHART
    if _PROBE_CHART is None:
        buf = io.BytesIO()
        with tarfile.open(fileobj=buf, mode="w:gz") as tar:
            data = b"apiVersion: v2\nname: probe\nversion: 0.1.0\n"
            info = tarfile.TarInfo("probe/Chart.yaml")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        _PROBE_CHART = buf.getvalue()
    return helm.Chart.load_archive(_PROBE_CHART)


def native_json(func: str, *args: Any) -> Any:
    return json.loads(helm._native.call_string(func, *args))


def render_files(chart_path: str, values: dict[str, Any], name: str, args: TemplateArgs) -> dict[str, str]:
    opts: dict[str, Any] = {"name": name, "namespace": args.namespace}
    if args.is_upgrade:
        opts.update(is_upgrade=True, is_install=False)
    if args.kube_version:
        opts["kube_version"] = args.kube_version
    if args.api_versions:
        opts["api_versions"] = args.api_versions
    chart = helm.Chart.load(chart_path)  # dependency processing mutates a loaded chart
    try:
        return native_json("helm_render", chart._raw(), json.dumps(values), json.dumps(opts))
    finally:
        chart.close()


def install_manifest(chart_path: str, values: dict[str, Any], name: str, args: TemplateArgs) -> str:
    opts: dict[str, Any] = {"namespace": args.namespace, "dry_run": "client", "replace": True}
    if args.kube_version:
        opts["kube_version"] = args.kube_version
    if args.api_versions:
        opts["api_versions"] = args.api_versions
    cfg = helm.Config(storage_driver="memory")
    chart = helm.Chart.load(chart_path)
    try:
        rel = native_json(
            "helm_install", cfg._raw(), helm._native.HANDLE(0), chart._raw(), None, name,
            json.dumps(values), json.dumps(opts),
        )
    finally:
        chart.close()
        cfg.close()
    return str(rel.get("manifest", ""))


def render_stage(exc: Exception, chart_path: str, values: dict[str, Any], name: str, args: TemplateArgs) -> bool:
    """Did this install error happen once the release existed (renderResources)?"""
    msg = str(exc)
    if msg.startswith(("chart dependencies processing failed", "release name", "values don't meet")):
        return False
    try:
        render_files(chart_path, values, name, args)
    except helm.HelmValuesError:
        return False
    except helm.HelmError:
        return True
    return True


def helm_template(argv: list[str]) -> str:
    """stdout of `helm template ARGV`; raises HelmFailure as Helm fails."""
    args = parse_args(argv)
    if args.kube_version:
        probe = probe_chart()
        try:
            native_json("helm_render", probe._raw(), "{}", json.dumps({"kube_version": args.kube_version}))
        except helm.HelmError as exc:
            raise HelmFailure(f"invalid kube version '{args.kube_version}': {exc}") from None
        finally:
            probe.close()

    pos = args.positionals
    if len(pos) > 2:
        raise HelmFailure(f"expected at most two arguments, unexpected arguments: {', '.join(pos[2:])}")
    if not pos:
        raise OracleLimitation("no chart argument")
    name, chart_path = (pos[0], pos[1]) if len(pos) == 2 else ("release-name", pos[0])
    if not (REPO / chart_path).exists():
        raise OracleLimitation(f"chart path {chart_path} does not exist (LocateChart not emulated)")

    values = merge_values(args)

    try:
        chart = helm.Chart.load(chart_path)
    except helm.HelmError as exc:
        raise HelmFailure(str(exc)) from None
    try:
        meta = chart.metadata
        loaded = [d.get("name") for d in chart.dependencies]
        crds = chart.crds
    finally:
        chart.close()
    ctype = meta.get("type") or ""
    if ctype not in ("", "application"):
        raise HelmFailure(f"{ctype} charts are not installable")
    missing = [d["name"] for d in meta.get("dependencies") or [] if d.get("name") not in loaded]
    if missing:
        raise HelmFailure(
            "an error occurred while checking for chart dependencies. You may need to run "
            "'helm dependency build' to fetch missing dependencies: found in Chart.yaml, but "
            f"missing in charts/ directory: {', '.join(missing)}"
        )

    try:
        installed = install_manifest(chart_path, values, name, args)
    except helm.HelmError as exc:
        suffix = DEBUG_HINT if render_stage(exc, chart_path, values, name, args) else ""
        raise HelmFailure(str(exc) + suffix) from None

    files = {k: v for k, v in render_files(chart_path, values, name, args).items() if not k.endswith("NOTES.txt")}
    hooks, manifests = sort_manifests(files)
    emulated = "".join(source_block(m.path, m.content) for m in manifests)
    if not args.is_upgrade and emulated != installed:
        diff = "".join(difflib.unified_diff(
            installed.splitlines(True), emulated.splitlines(True), "install", "emulated", n=1))
        raise OracleLimitation(f"emulated manifest differs from Helm's install manifest:\n{diff[:3000]}")

    manifest = emulated
    if args.include_crds:
        if any(c["filename"].split("/")[1:2] == ["charts"] for c in crds):
            raise OracleLimitation("--include-crds with CRDs in subcharts is not emulated")
        manifest = "".join(source_block(c["filename"], c["data"]) for c in crds) + manifest

    out = go_trim_space(manifest) + "\n"
    for h in hooks:
        if args.skip_tests and "test" in (h.events or []):
            continue
        out += source_block(h.path, h.content)

    if not args.show_only:
        return out
    docs = split_manifests(out)  # manifest-%d keys sorted numerically: list order
    source_re = re.compile(r"# Source: [^/]+/(.+)")
    selected: list[str] = []
    for pattern in args.show_only:
        missing_file = True
        for doc in docs:
            m = source_re.search(doc)
            if not m:
                continue
            if not go_path_match(pattern, m.group(1)):
                continue
            selected.append(doc)
            missing_file = False
        if missing_file:
            raise HelmFailure(f"could not find template {pattern} in chart")
    return "".join(f"---\n{d}\n" for d in selected)


# --------------------------------------------------------------------------
# Cases, goldens, modes
# --------------------------------------------------------------------------

def load_cases() -> list[dict[str, Any]]:
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    seen: set[str] = set()
    for i, case in enumerate(cases):
        where = f"case #{i + 1}"
        if not isinstance(case, dict) or set(case) - CASE_KEYS:
            raise SystemExit(f"{where}: keys must be among {sorted(CASE_KEYS)}")
        name = case.get("name")
        if not isinstance(name, str) or not NAME_RE.match(name) or name in seen:
            raise SystemExit(f"{where}: name {name!r} must be unique kebab-case")
        seen.add(name)
        if not isinstance(case.get("args"), list) or not all(isinstance(a, str) for a in case["args"]):
            raise SystemExit(f"{where}: args must be a list of strings")
    return cases


def run_oracle(case: dict[str, Any]) -> tuple[str, str]:
    """("out", stdout) or ("err", error text)."""
    cwd = os.getcwd()
    os.chdir(REPO)
    try:
        return "out", helm_template(case["args"])
    except HelmFailure as exc:
        return "err", str(exc)
    except OracleLimitation as exc:
        raise SystemExit(f"{case['name']}: oracle limitation: {exc}") from None
    finally:
        os.chdir(cwd)


def golden_text(kind: str, text: str) -> str:
    return text if kind == "out" else text + "\n"


def short_diff(want: str, got: str, a: str = "oracle", b: str = "binary") -> str:
    lines = list(difflib.unified_diff(want.splitlines(True), got.splitlines(True), a, b, n=2))
    body = "".join(lines[:40])
    if len(lines) > 40:
        body += f"... ({len(lines) - 40} more diff lines)\n"
    return body


def cmd_generate(cases: list[dict[str, Any]], check: bool) -> int:
    GOLDENS.mkdir(parents=True, exist_ok=True)
    expected: dict[str, str] = {}
    for case in cases:
        kind, text = run_oracle(case)
        expected[f"{case['name']}.{kind}"] = golden_text(kind, text)
    drift = 0
    if check:
        for fname, text in expected.items():
            path = GOLDENS / fname
            if not path.exists():
                print(f"missing golden {fname}")
                drift += 1
            elif path.read_text(encoding="utf-8") != text:
                print(f"drift in {fname}:\n{short_diff(path.read_text(encoding='utf-8'), text, 'golden', 'oracle')}")
                drift += 1
        for path in sorted(GOLDENS.iterdir()):
            if path.name not in expected:
                print(f"stale golden {path.name}")
                drift += 1
        print(f"{len(cases)} cases, {drift} drifted")
        return 1 if drift else 0
    for path in GOLDENS.iterdir():
        if path.name not in expected:
            path.unlink()
    for fname, text in expected.items():
        with (GOLDENS / fname).open("w", encoding="utf-8", newline="") as f:
            f.write(text)
    errs = sum(1 for f in expected if f.endswith(".err"))
    print(f"wrote {len(expected)} goldens ({errs} errors) to {GOLDENS.relative_to(REPO)}")
    return 0


def run_binary(binary: str, argv: list[str]) -> tuple[int, str, str]:
    # Cases without -n expect namespace "default": no kubeconfig context, no HELM_*.
    env = {k: v for k, v in os.environ.items() if not k.startswith("HELM_")}
    env["KUBECONFIG"] = os.devnull
    proc = subprocess.run(
        [binary, "template", *argv], cwd=REPO, capture_output=True, timeout=120, env=env,
    )
    return proc.returncode, proc.stdout.decode("utf-8", "replace"), proc.stderr.decode("utf-8", "replace")


def compare_live(binary: str, argv: list[str], kind: str, text: str) -> str | None:
    """A short mismatch report, or None when the binary agrees with the oracle."""
    code, out, err = run_binary(binary, argv)
    if kind == "out":
        if code != 0:
            return f"oracle renders, binary exits {code}: {err.strip().splitlines()[:1]}"
        if out != text:
            return short_diff(text, out)
        return None
    if code == 0:
        return f"oracle fails ({text.splitlines()[0]}), binary exits 0"
    first = err.splitlines()[0] if err.splitlines() else ""
    first = first.removeprefix("Error: ")
    want = text.splitlines()[0] if text else ""
    if first != want:
        return f"error differs:\n  oracle: {want}\n  binary: {first}"
    return None


def cmd_live(cases: list[dict[str, Any]], binary: str) -> int:
    failed = diverged = 0
    for case in cases:
        kind, text = run_oracle(case)
        problem = compare_live(binary, case["args"], kind, text)
        if problem is None:
            continue
        if case.get("divergence"):
            diverged += 1
            print(f"~ {case['name']} (documented divergence: {case['divergence']})")
            continue
        failed += 1
        print(f"✗ {case['name']}: {' '.join(case['args'])}\n{problem}")
    print(f"{len(cases)} cases: {len(cases) - failed - diverged} agree, {failed} mismatch, {diverged} documented divergences")
    return 1 if failed else 0


SCAFFOLD_SETS: list[tuple[str, list[str]]] = [
    ("defaults", []),
    ("ingress", [
        "--set", "ingress.enabled=true",
        "--set", "ingress.className=nginx",
        "--set", "ingress.hosts[0].host=app.example.com",
        "--set", "ingress.hosts[0].paths[0].path=/",
        "--set", "ingress.hosts[0].paths[0].pathType=Prefix",
        "--set", "ingress.tls[0].secretName=app-tls",
        "--set", "ingress.tls[0].hosts[0]=app.example.com",
        "--set-string", "ingress.annotations.nginx\\.ingress\\.kubernetes\\.io/ssl-redirect=true",
    ]),
    ("autoscaling", [
        "--set", "autoscaling.enabled=true,autoscaling.minReplicas=2,autoscaling.maxReplicas=10",
        "--set", "autoscaling.targetMemoryUtilizationPercentage=75",
    ]),
    ("no-service-account", ["--set", "serviceAccount.create=false"]),
    ("node-port", ["--set", "service.type=NodePort,service.port=8080"]),
    ("resources", ["--set-json", 'resources={"limits":{"cpu":"500m","memory":"256Mi"},"requests":{"cpu":"100m","memory":"128Mi"}}']),
]


def cmd_scaffold(binary: str) -> int:
    failed = 0
    with tempfile.TemporaryDirectory(prefix="helmpilot-scaffold-") as tmp:
        helm.Chart.create("scaffold", tmp).close()
        chart_dir = os.path.join(tmp, "scaffold")
        for label, extra in SCAFFOLD_SETS:
            argv = ["scaffold-rel", chart_dir, "-n", "apps", *extra]
            kind, text = run_oracle({"name": f"scaffold-{label}", "args": argv})
            problem = compare_live(binary, argv, kind, text)
            if problem:
                failed += 1
                print(f"✗ scaffold {label}\n{problem}")
            else:
                print(f"✓ scaffold {label}")
    print(f"{len(SCAFFOLD_SETS)} scaffold value sets, {failed} mismatch")
    return 1 if failed else 0


def main() -> int:
    global helm
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    mode = ap.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare with committed goldens")
    mode.add_argument("--live", metavar="BINARY", help="compare BINARY template ARGS with the oracle")
    mode.add_argument("--scaffold", metavar="BINARY", help="compare BINARY on the helm create chart")
    ap.add_argument("--only", nargs="+", metavar="NAME", help="only these cases")
    opts = ap.parse_args()
    helm = import_helm()

    if opts.scaffold:
        return cmd_scaffold(opts.scaffold)
    cases = load_cases()
    if opts.only:
        unknown = set(opts.only) - {c["name"] for c in cases}
        if unknown:
            raise SystemExit(f"unknown cases: {sorted(unknown)}")
        cases = [c for c in cases if c["name"] in opts.only]
    if opts.live:
        return cmd_live(cases, opts.live)
    if opts.only and not opts.check:
        for case in cases:
            kind, text = run_oracle(case)
            print(f"== {case['name']} ({kind})\n{text}")
        return 0
    return cmd_generate(cases, opts.check)


if __name__ == "__main__":
    sys.exit(main())
