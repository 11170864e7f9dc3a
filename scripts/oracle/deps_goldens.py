#!/usr/bin/env python3
"""Run `helm dependency update` and `helm dependency list` (real Helm, no network) on
throw-away chart trees, and `helm package` on fixture charts, and record the results in
fixtures/deps/goldens.json.

Each case is a small tree of files: the chart under test (`p/`, or as the case says)
and the charts its `file://` dependencies point at. The golden records the tree
(``files``), the chart directory (``chart``), and what Helm did with it:

* ``list_before`` / ``list_after``: ``helm_python.dependency_list`` before and after the
  update (``[{name, version, repository, status}]``), or ``{"error": text}``;
* ``update_error``: the text of the error if the update failed, else ``null``;
* ``lock_name`` / ``lock``: the lock file Helm wrote (``Chart.lock`` or
  ``requirements.lock``), without its ``generated:`` line (a timestamp), or ``null``;
* ``archives``: every ``charts/*.tgz`` the update wrote (new or changed), with its entries
  (``{name, mode, size, sha256}``), sorted by name (Helm orders subcharts through a Go
  map, so the entry order is not stable);
* ``build_tampered``: for a successful update, the error ``helm dependency build``
  gives after the first dependency's version in the dependency file is changed
  (``tamper`` says to what), with the chart's dependency file as it was then.

Temporary paths in texts are written as ``{ROOT}`` (and a digest over such a path as
``sha256:machine-dependent``). ``packages`` records
``helm_python.package`` for a few fixture charts the same way as ``archives``.

    python3 scripts/oracle/deps_goldens.py            # (re)write the goldens
    python3 scripts/oracle/deps_goldens.py --check    # fail if they drifted
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys
import tarfile
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_goldens  # noqa: E402

REPO = Path(__file__).resolve().parents[2]
GOLDENS = REPO / "fixtures" / "deps" / "goldens.json"
PACKAGED = ("fraud-detector", "common-lib", "ml-platform")

CM = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Chart.Name }}\n"


def chart_yaml(name: str, version: str, api: str = "v2", deps: str = "", extra: str = "") -> str:
    text = f"apiVersion: {api}\nname: {name}\nversion: {version}\n{extra}"
    if deps:
        text += "dependencies:\n" + deps
    return text


def sub(name: str, version: str, extra: str = "", values: str = "a: 1\n") -> dict[str, str]:
    """A dependency chart directory `name/` with a template and values."""
    files = {
        f"{name}/Chart.yaml": chart_yaml(name, version, extra=extra),
        f"{name}/templates/cm.yaml": CM,
    }
    if values is not None:
        files[f"{name}/values.yaml"] = values
    return files


def dep(name: str, version: str, repo: str | None = None, extra: str = "") -> str:
    repo = f"file://../{name}" if repo is None else repo
    return f"- name: {name}\n  version: \"{version}\"\n  repository: \"{repo}\"\n{extra}"


def parent(deps: str, api: str = "v2", extra: str = "") -> dict[str, str]:
    return {"p/Chart.yaml": chart_yaml("p", "1.0.0", api, deps, extra), "p/templates/cm.yaml": CM}


def cases() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []

    def case(name: str, files: dict[str, str], **kw: Any) -> None:
        out.append({"name": name, "files": files, "chart": kw.pop("chart", "p"), **kw})

    # --- version constraints against a file:// chart --------------------------------
    for i, (constraint, version) in enumerate([
        ("^0.1.0", "0.1.5"), ("0.1.5", "0.1.5"), ("~0.1", "0.1.9"), (">=1.0.0 <2.0.0", "1.2.3"),
        ("*", "3.0.0"), ("1.x", "1.4.0"), ("^0.1.0", "0.2.0"), (">2.0.0", "1.0.0"),
        ("=1.0.0", "1.0.0"), ("1.0.0 || 2.0.0", "2.0.0"), (">=1.0.0-0", "1.0.0-rc.1"),
        ("^1.0.0", "1.0.0+build.7"), ("not-a-version", "1.0.0"), ("v1.0.0", "1.0.0"),
    ]):
        case(f"constraint {i}: {constraint!r} vs {version}",
             {**parent(dep("sub", constraint)), **sub("sub", version)})

    # --- dependency fields that go into the digest ----------------------------------
    fields = [
        ("condition", "  condition: sub.enabled\n"),
        ("tags", "  tags:\n  - front\n  - \"a<b>&c\"\n"),
        ("alias", "  alias: other-name_1\n"),
        ("enabled", "  enabled: true\n"),
        ("enabled false", "  enabled: false\n"),
        ("import-values strings", "  import-values:\n  - data\n  - \"x<y>&z\"\n"),
        ("import-values maps", "  import-values:\n  - child: a.b\n    parent: c\n  - data\n"),
        ("import-values nested",
         "  import-values:\n  - child: a\n    parent: b\n    extra: {z: 1, a: [1, 2.5, {q: null}]}\n"),
        ("import-values numbers",
         "  import-values:\n  - 1\n  - 1.5\n  - 1e21\n  - 100000000000000000000\n  - -0.0\n"
         "  - 0.000001\n  - 1e-7\n  - 0x1F\n  - 0o17\n"),
        ("import-values scalars", "  import-values:\n  - true\n  - null\n  - ~\n  - \"\"\n  - yes\n"),
        ("import-values unicode", "  import-values:\n  - \"é\\u2028\\t\\u0001\"\n  - {\"ключ\": \"值\"}\n"),
        ("import-values empty", "  import-values: []\n"),
        ("tags empty", "  tags: []\n"),
        ("condition specials", "  condition: \"a&b,<c>\"\n"),
        ("everything",
         "  condition: sub.enabled,global.sub\n  tags: [x, y]\n  enabled: true\n  alias: sub2\n"
         "  import-values:\n  - child: defaults\n    parent: fromSub\n"),
    ]
    for label, extra in fields:
        case(f"field: {label}", {**parent(dep("sub", "^0.1.0", extra=extra)), **sub("sub", "0.1.5")})

    # --- several dependencies ----------------------------------------------------------
    case("two charts", {
        **parent(dep("a", "^1.0.0") + dep("b", "~2.1.0")),
        **sub("a", "1.3.0"), **sub("b", "2.1.4"),
    })
    case("one chart twice under aliases", {
        **parent(dep("sub", "^0.1.0", extra="  alias: first\n")
                 + dep("sub", "0.1.5", extra="  alias: second\n")),
        **sub("sub", "0.1.5"),
    })
    case("one of two does not match", {
        **parent(dep("a", "^1.0.0") + dep("b", "^3.0.0")),
        **sub("a", "1.3.0"), **sub("b", "2.1.4"),
    })
    case("repository path with trailing slash and ./", {
        **parent(dep("sub", "^0.1.0", repo="file://./../sub/")), **sub("sub", "0.1.5"),
    })
    case("dependency in a deeper directory", {
        **parent(dep("sub", "^0.1.0", repo="file://../deps/sub")),
        **{f"deps/{k}": v for k, v in sub("sub", "0.1.5").items()},
    })
    case("dependency directory missing", parent(dep("sub", "^0.1.0")))
    case("dependency name differs from chart name", {
        **parent(dep("sub", "^0.1.0", repo="file://../other")), **sub("other", "0.1.5"),
    })
    case("absolute file path", {
        **parent(dep("sub", "^0.1.0", repo="file://{ROOT}/sub")), **sub("sub", "0.1.5"),
    })

    # --- dependencies in charts/ (repository "") --------------------------------------
    case("repository empty, unpacked in charts/", {
        **parent(dep("sub", "^0.1.0", repo="")),
        **{f"p/charts/{k}": v for k, v in sub("sub", "0.1.5").items()},
    })
    case("repository empty, wrong version in charts/", {
        **parent(dep("sub", "^0.2.0", repo="")),
        **{f"p/charts/{k}": v for k, v in sub("sub", "0.1.5").items()},
    })
    case("repository empty, nothing in charts/", parent(dep("sub", "^0.1.0", repo="")))
    case("repository empty and file:// together", {
        **parent(dep("local", "1.0.0", repo="") + dep("sub", "^0.1.0")),
        **{f"p/charts/{k}": v for k, v in sub("local", "1.0.0").items()},
        **sub("sub", "0.1.5"),
    })

    # --- empty and absent lists -------------------------------------------------------
    case("no dependencies", parent(""))
    case("empty dependency list", {"p/Chart.yaml": chart_yaml("p", "1.0.0") + "dependencies: []\n",
                                   "p/templates/cm.yaml": CM})

    # --- apiVersion v1 ------------------------------------------------------------------
    v1 = {"p/Chart.yaml": chart_yaml("p", "1.0.0", "v1"), "p/templates/cm.yaml": CM}
    case("v1 requirements.yaml", {
        **v1, "p/requirements.yaml": "dependencies:\n" + dep("sub", "^0.1.0"), **sub("sub", "0.1.5"),
    })
    case("v1 requirements.yaml with fields", {
        **v1,
        "p/requirements.yaml": "dependencies:\n" + dep(
            "sub", "^0.1.0", extra="  tags: [a]\n  import-values: [data, {child: x, parent: y}]\n"),
        **sub("sub", "0.1.5"),
    })
    case("v1 dependencies in Chart.yaml", {
        "p/Chart.yaml": chart_yaml("p", "1.0.0", "v1", dep("sub", "^0.1.0")),
        "p/templates/cm.yaml": CM, **sub("sub", "0.1.5"),
    })
    case("v2 chart with requirements.yaml", {
        "p/Chart.yaml": chart_yaml("p", "1.0.0"), "p/templates/cm.yaml": CM,
        "p/requirements.yaml": "dependencies:\n" + dep("sub", "^0.1.0"), **sub("sub", "0.1.5"),
    })

    # --- what goes into the archive of a file:// dependency --------------------------
    rich_meta = (
        "description: \"Tabs\\tand <tags> & more\"\nhome: https://example.com\n"
        "sources: [https://a.example, https://b.example]\nkeywords: [web, \"yes\", \"1.0\"]\n"
        "maintainers:\n- name: Ann\n  email: ann@example.com\n- name: Bob\n  url: https://bob\n- {}\n"
        "icon: https://example.com/i.png\nappVersion: \"1.10\"\ndeprecated: true\n"
        "annotations: {b: \"2\", a: \"x: y\", \"c/d\": \"\"}\nkubeVersion: \">=1.20.0-0\"\n"
        "type: application\ncondition: c\ntags: t\n"
    )
    case("archive: rich Chart.yaml", {**parent(dep("sub", "^0.1.0")), **sub("sub", "0.1.5", rich_meta)})
    case("archive: library chart", {
        **parent(dep("lib", "1.0.0")),
        "lib/Chart.yaml": chart_yaml("lib", "1.0.0", extra="type: library\n"),
        "lib/templates/_helpers.tpl": "{{- define \"lib.name\" -}}x{{- end -}}\n",
    })
    case("archive: schema, files, helmignore, no values", {
        **parent(dep("sub", "^0.1.0")),
        "sub/Chart.yaml": chart_yaml("sub", "0.1.5"),
        "sub/templates/cm.yaml": CM,
        "sub/templates/NOTES.txt": "notes\n",
        "sub/values.schema.json": "{\"type\": \"object\"}\n",
        "sub/files/config.ini": "[x]\na=1\n",
        "sub/README.md": "# sub\n",
        "sub/ignored.txt": "secret\n",
        "sub/.helmignore": "ignored.txt\n*.bak\n",
        "sub/other.bak": "old\n",
        "sub/crds/crd.yaml": "kind: CustomResourceDefinition\n",
    })
    case("archive: values kept as written", {
        **parent(dep("sub", "^0.1.0")),
        **sub("sub", "0.1.5", values="# comment\nb: 2   # trailing\na: [1,2]\nyes: no\n"),
    })
    case("archive: subchart with its own Chart.lock", {
        **parent(dep("sub", "^0.1.0")),
        **sub("sub", "0.1.5"),
        "sub/Chart.lock": "dependencies: []\ndigest: sha256:abc\n"
                          "generated: \"2024-01-02T03:04:05.120000000+00:00\"\n",
    })
    case("archive: Chart.lock with an offset time", {
        **parent(dep("sub", "^0.1.0")),
        **sub("sub", "0.1.5"),
        "sub/Chart.lock": "dependencies:\n- name: x\n  repository: \"\"\n  version: 1.0.0\n"
                          "digest: sha256:def\ngenerated: \"2023-06-30T23:59:59.999999999-07:30\"\n",
    })
    case("archive: nested subcharts", {
        **parent(dep("sub", "^0.1.0")),
        **sub("sub", "0.1.5", "dependencies:\n- name: inner\n  version: 2.0.0\n  repository: \"\"\n"),
        **{f"sub/charts/{k}": v for k, v in sub("inner", "2.0.0").items()},
    })
    case("archive: v1 dependency with requirements", {
        **parent(dep("old", "^1.0.0")),
        "old/Chart.yaml": chart_yaml("old", "1.0.0", "v1", extra="description: old chart\n"),
        "old/requirements.yaml": "dependencies:\n- name: x\n  version: 1.0.0\n  repository: \"\"\n",
        "old/requirements.lock": "dependencies:\n- name: x\n  repository: \"\"\n  version: 1.0.0\n"
                                 "digest: sha256:1\ngenerated: \"2020-01-01T00:00:00Z\"\n",
        "old/templates/cm.yaml": CM,
        **{f"old/charts/{k}": v for k, v in sub("x", "1.0.0").items()},
    })
    case("archive: long and non-ASCII file names", {
        **parent(dep("sub", "^0.1.0")),
        **sub("sub", "0.1.5"),
        "sub/files/" + "d" * 60 + "/" + "f" * 60 + ".txt": "long\n",
        "sub/files/" + "g" * 110 + ".txt": "longer\n",
        "sub/files/ünïcødé.txt": "utf8\n",
    })
    case("archive: version with build metadata", {
        **parent(dep("sub", ">=0.1.0")), **sub("sub", "0.1.5+build.1"),
    })

    # --- statuses `dependency list` reports -------------------------------------------
    def archive_of(name: str, version: str, chart_name: str | None = None,
                   chart_version: str | None = None) -> dict[str, str]:
        return {f"@archive p/charts/{name}-{version}.tgz": json.dumps(
            {"name": chart_name or name, "version": chart_version or version})}

    case("list: archive ok", {**parent(dep("sub", "^0.1.0")), **sub("sub", "0.1.5"),
                              **archive_of("sub", "0.1.5")})
    case("list: archive wrong version", {**parent(dep("sub", "^0.2.0")), **sub("sub", "0.2.1"),
                                         **archive_of("sub", "0.1.5")})
    case("list: archive misnamed", {**parent(dep("sub", "^0.1.0")), **sub("sub", "0.1.5"),
                                    **archive_of("sub", "0.1.5", "elsewise")})
    case("list: too many matches", {**parent(dep("sub", "^0.1.0")), **sub("sub", "0.1.5"),
                                    **archive_of("sub", "0.1.5"), **archive_of("sub", "0.1.6")})
    case("list: one archive with a version among several", {
        **parent(dep("sub", "^0.1.0")), **sub("sub", "0.1.5"),
        **archive_of("sub", "0.1.5"), **archive_of("sub", "latest", "latest", "0.1.5"),
    })
    case("list: invalid constraint with an archive", {
        **parent(dep("sub", "one.two")), **sub("sub", "0.1.5"), **archive_of("sub", "0.1.5"),
    })
    case("list: corrupt archive of a hidden name", {
        **parent(dep("_sub", "^0.1.0")), "p/charts/_sub-0.1.0.tgz": "not a gzip file\n",
    })
    case("list: bad pattern", {**parent(dep("sub[", "^0.1.0", repo="")) })
    case("list: glob characters in the name", {
        **parent(dep("s?b", "^0.1.0", repo="")), **archive_of("sub", "0.1.5"),
    })
    case("list: unpacked wrong version and extra charts", {
        **parent(dep("sub", "^0.2.0", repo="")),
        **{f"p/charts/{k}": v for k, v in sub("sub", "0.1.5").items()},
        **{f"p/charts/{k}": v for k, v in sub("extra", "1.0.0").items()},
        "p/charts/_hidden.tgz": "not a chart\n",
        "p/charts/.dot/Chart.yaml": chart_yaml("dot", "1.0.0"),
    })
    return out


# ---- running Helm --------------------------------------------------------------------

def make_archive(path: Path, spec: str) -> None:
    """A minimal chart archive named by `spec` ({name, version}) at `path`."""
    info = json.loads(spec)
    body = chart_yaml(info["name"], info["version"]).encode()
    path.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(path, "w:gz") as tar:
        entry = tarfile.TarInfo(f"{info['name']}/Chart.yaml")
        entry.size, entry.mode, entry.mtime = len(body), 0o644, 0
        import io
        tar.addfile(entry, io.BytesIO(body))


def write_tree(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        if name.startswith("@archive "):
            make_archive(root / name.split(" ", 1)[1], text)
            continue
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(text.replace("{ROOT}", str(root)).encode("utf-8"))


def scrub(text: str, root: Path) -> str:
    return text.replace(str(root), "{ROOT}")


def entries(archive: Path) -> list[dict[str, Any]]:
    with tarfile.open(archive, "r:gz") as tar:
        listed = []
        for member in tar.getmembers():
            data = tar.extractfile(member).read() if member.isfile() else b""
            listed.append({"name": member.name, "mode": member.mode, "size": member.size,
                           "sha256": hashlib.sha256(data).hexdigest()})
    return sorted(listed, key=lambda e: e["name"])


def listing(helm: Any, chart: Path, root: Path) -> Any:
    try:
        return json.loads(scrub(json.dumps(helm.dependency_list(str(chart))), root))
    except helm.HelmError as exc:
        return {"error": scrub(str(exc), root)}


def tamper(chart: Path) -> tuple[str, str] | None:
    """Changes the first dependency's version in the dependency file; returns the file
    name and its new text."""
    for name in ("requirements.yaml", "Chart.yaml"):
        path = chart / name
        if path.exists() and "  version: \"" in path.read_text():
            text = path.read_text()
            i = text.index("  version: \"") + len("  version: \"")
            new = text[:i] + ">=0.0.0-0 " + text[i:]
            path.write_text(new)
            return name, new
    return None


def run_case(helm: Any, workdir: Path, index: int, spec: dict[str, Any]) -> dict[str, Any]:
    root = workdir / f"case{index}"
    write_tree(root, spec["files"])
    chart = root / spec["chart"]
    result: dict[str, Any] = {"name": spec["name"], "files": spec["files"], "chart": spec["chart"]}
    result["list_before"] = listing(helm, chart, root)
    # Archives the update writes are the new or changed ones.
    before = {a.name: a.read_bytes() for a in (chart / "charts").glob("*.tgz") if a.is_file()}
    try:
        helm.dependency_update(str(chart))
        result["update_error"] = None
    except helm.HelmError as exc:
        result["update_error"] = scrub(str(exc), root)
    result["lock_name"] = None
    result["lock"] = None
    for lock_name in ("Chart.lock", "requirements.lock"):
        if (chart / lock_name).exists() and f"p/{lock_name}" not in spec["files"]:
            text = (chart / lock_name).read_text(encoding="utf-8")
            kept = [line for line in text.splitlines(keepends=True)
                    if not line.startswith("generated: ")]
            lock = scrub("".join(kept), root)
            if "{ROOT}" in lock:
                # The digest covers the temporary path: not reproducible.
                lock = re.sub(r"digest: sha256:[0-9a-f]+", "digest: sha256:machine-dependent", lock)
            result["lock_name"], result["lock"] = lock_name, lock
    result["archives"] = {
        a.name: entries(a) for a in sorted((chart / "charts").glob("*.tgz"))
        if a.is_file() and before.get(a.name) != a.read_bytes()
    }
    result["list_after"] = listing(helm, chart, root)
    result["build_tampered"] = None
    if result["update_error"] is None and result["lock"] is not None:
        changed = tamper(chart)
        if changed is not None:
            try:
                helm.dependency_build(str(chart))
                error = None
            except helm.HelmError as exc:
                error = scrub(str(exc), root)
            result["build_tampered"] = {"file": changed[0], "text": scrub(changed[1], root),
                                        "error": error}
    return result


def package(helm: Any, workdir: Path, name: str) -> dict[str, Any]:
    out = workdir / "packages" / name
    src = REPO / "fixtures" / "charts" / name
    archive = Path(helm.package(str(src), destination=str(out)))
    return {"chart": f"fixtures/charts/{name}", "file": archive.name, "entries": entries(archive)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)

    helm = render_goldens.import_helm()
    sdk, helm_version = helm.__version__, helm.helm_sdk_version()
    if (sdk, helm_version) != (render_goldens.EXPECTED_SDK, render_goldens.EXPECTED_HELM):
        sys.exit(f"oracle is helm-python {sdk} / Helm {helm_version}, expected "
                 f"{render_goldens.EXPECTED_SDK} / {render_goldens.EXPECTED_HELM}")
    os.environ.setdefault("TZ", "UTC")
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        results = [run_case(helm, workdir, i, c) for i, c in enumerate(cases())]
        packages = [package(helm, workdir, name) for name in PACKAGED]
        shutil.rmtree(workdir / "packages", ignore_errors=True)
    goldens = {"cases": results, "packages": packages}
    text = json.dumps(goldens, indent=1, ensure_ascii=False) + "\n"
    if args.check:
        old = GOLDENS.read_text(encoding="utf-8") if GOLDENS.exists() else ""
        if old != text:
            print(f"{GOLDENS.relative_to(REPO)} is out of date; rerun without --check")
            return 1
        print(f"{len(results)} dependency goldens and {len(packages)} packages up to date")
        return 0
    GOLDENS.parent.mkdir(parents=True, exist_ok=True)
    GOLDENS.write_text(text, encoding="utf-8")
    print(f"wrote {len(results)} cases and {len(packages)} packages to "
          f"{GOLDENS.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
