#!/usr/bin/env python3
"""helmpilot's `dependency update|build` and its fetch-on-render, side by side with real
Helm (helm-python's `dependency_update`, `dependency_build`, `helm template`).

A chart repository is made by real Helm in a temporary folder (`package` at several
versions, `repo_index_generate` with relative URLs, and a second one with absolute URLs)
and served from 127.0.0.1 by Python's HTTP server. For each umbrella chart case, one copy
is updated by Helm and one by helmpilot; then:

* the Chart.lock files must be identical (but for the `generated:` timestamp line);
* charts/ must hold the same archives: byte-identical for downloaded ones, the same
  entries (names and contents) for `file://` ones, which are packaged at update time;
* `helmpilot template` on its copy must print what `helm template` prints on Helm's;
* `helmpilot dependency build` on a clean copy of Helm's chart (Chart.yaml and Helm's
  Chart.lock only) must restore Helm's charts/, and `helmpilot template` on another clean
  copy must render the same without writing charts/.

When Helm fails, helmpilot must fail too. With `--registry`, the committed umbrella
fixture (fixtures/charts/inference-stack, whose Chart.lock was written by Helm) is checked
from a clean checkout with its OCI dependency pushed by real Helm to a local registry.

    python3 scripts/oracle/deps_interop.py --bin target/debug/helmpilot [--registry]
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import threading
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_charts  # noqa: E402
from render_charts import HelmFailure, helm_template, import_helm  # noqa: E402

SOURCES = ROOT / "fixtures" / "repositories" / "sources"
# fixtures/charts/inference-stack names http://127.0.0.1:38571/stable and
# oci://127.0.0.1:38572/helmpilot: its committed Chart.lock (written by Helm) holds them.
FIXTURE_HTTP_PORT = 38571
FIXTURE_REGISTRY_PORT = 38572
FIXTURE = ROOT / "fixtures" / "charts" / "inference-stack"


class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


def serve(directory: Path, port: int = 0) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(Quiet, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def make_repository(helm: Any, folder: Path, base_url: str | None) -> None:
    folder.mkdir(parents=True)
    for chart, versions in {
        "redis-lite": ["1.0.0", "1.2.0", "1.2.3", "2.0.0-rc.1"],
        "model-server": ["0.3.0", "0.3.1+build.5", "1.0.0"],
    }.items():
        for version in versions:
            helm.package(SOURCES / chart, destination=folder, version=version)
    helm.repo_index_generate(folder, base_url=base_url)


def tar_entries(data: bytes) -> dict[str, bytes]:
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}


def lock_without_timestamp(chart: Path) -> str | None:
    path = chart / "Chart.lock"
    if not path.exists():
        return None
    return "".join(line for line in path.read_text().splitlines(True) if not line.startswith("generated:"))


def compare_charts_folders(helm_dir: Path, our_dir: Path, problems: list[str], label: str) -> None:
    theirs = {p.name: p.read_bytes() for p in sorted((helm_dir / "charts").glob("*"))} if (helm_dir / "charts").exists() else {}
    ours = {p.name: p.read_bytes() for p in sorted((our_dir / "charts").glob("*"))} if (our_dir / "charts").exists() else {}
    if sorted(theirs) != sorted(ours):
        problems.append(f"{label}: charts/ differs: helm {sorted(theirs)} vs helmpilot {sorted(ours)}")
        return
    for name, data in theirs.items():
        if data == ours[name]:
            continue
        if tar_entries(data) != tar_entries(ours[name]):
            problems.append(f"{label}: charts/{name} has different entries")


class Runner:
    def __init__(self, binary: str, work: Path) -> None:
        self.binary = binary
        self.work = work
        self.cache = work / "cache"
        self.repositories = work / "repositories.yaml"

    def run(self, *args: str, cache: Path | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.binary, *args, "--plain-http", "--cache-dir", str(cache or self.cache),
             "--repository-config", str(self.repositories)],
            capture_output=True, text=True, timeout=300,
        )


def write_chart(folder: Path, chart_yaml: str, values: str, local_chart: Path | None) -> None:
    (folder / "templates").mkdir(parents=True)
    (folder / "Chart.yaml").write_text(chart_yaml)
    (folder / "values.yaml").write_text(values)
    (folder / "templates" / "config.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}-{{ .Chart.Name }}\n"
        "data:\n  values: {{ toJson .Values | quote }}\n"
    )
    if local_chart is not None:
        shutil.copytree(local_chart, folder.parent / "local-lib")


def oci_cases(registry: str) -> list[dict[str, Any]]:
    oci = f"oci://{registry}/helmpilot"
    dep = "- name: model-server\n  version: \"{version}\"\n  repository: {repo}\n{extra}"
    cases = []
    for name, version, extra in [
        ("oci-constraint", ">=0.3.0 <1.0.0", ""),
        ("oci-newest", "*", "  alias: scorer\n"),
        ("oci-exact-build-metadata", "0.3.1+build.5", ""),
        ("oci-no-match", "^2.0.0", ""),
    ]:
        chart_yaml = f"apiVersion: v2\nname: {name}\nversion: 0.1.0\ndependencies:\n" + dep.format(version=version, repo=oci, extra=extra)
        cases.append({"name": name, "chart": chart_yaml, "values": "{}\n", "local": False})
    # Deliberate (README): Helm locks the constraint text and fails while downloading;
    # helmpilot fails while resolving, with the resolver's message.
    cases[-1]["our_error"] = "can't get a valid version for 1 subchart(s): \"model-server\""
    return cases


def push_model_server(helm: Any, registry_host: str, work: Path) -> None:
    client = helm.RegistryClient(plain_http=True, credentials_file=str(work / "registry-login.json"))
    for archive in sorted((ROOT / "fixtures" / "repositories" / "stable").glob("model-server-*.tgz")):
        client.push(archive, f"oci://{registry_host}/helmpilot", plain_http=True)


def check_fixture(helm: Any, runner: Runner, problems: list[str], regenerate: bool) -> None:
    """The committed umbrella: Chart.yaml and Helm's Chart.lock only, built and rendered."""
    base = runner.work / "fixture"
    helm_dir = base / "helm" / FIXTURE.name
    shutil.copytree(FIXTURE, helm_dir)
    shutil.copytree(ROOT / "fixtures" / "charts" / "common-lib", base / "helm" / "common-lib")
    (helm_dir / "Chart.lock").unlink(missing_ok=True)
    helm.dependency_update(helm_dir, plain_http=True)
    if regenerate:
        shutil.copy(helm_dir / "Chart.lock", FIXTURE / "Chart.lock")
    elif lock_without_timestamp(helm_dir) != lock_without_timestamp(FIXTURE):
        problems.append("inference-stack: Helm now writes a different Chart.lock than the committed one (run with --regenerate-fixture-lock)")
    want = helm_template(["rel", str(helm_dir)])
    for mode in ("template", "build", "update", "diff"):
        clean = base / mode / FIXTURE.name
        shutil.copytree(FIXTURE, clean, ignore=shutil.ignore_patterns("charts"))
        shutil.copytree(ROOT / "fixtures" / "charts" / "common-lib", base / mode / "common-lib")
        cache = base / f"cache-{mode}"
        if mode == "template":
            got = runner.run("template", "rel", str(clean), "--now", "2026-01-01T00:00:00Z", cache=cache)
            if (got.stdout if got.returncode == 0 else got.stderr) != want:
                problems.append(f"inference-stack: clean-checkout render differs:\n{got.stdout[:1500]}{got.stderr[:1500]}")
            if (clean / "charts").exists():
                problems.append("inference-stack: rendering wrote charts/")
            continue
        if mode == "diff":
            check_fixture_diff(runner, clean, cache, problems)
            continue
        if mode == "update":
            (clean / "Chart.lock").unlink(missing_ok=True)
        done = runner.run("dependency", mode, str(clean), cache=cache)
        if done.returncode != 0:
            problems.append(f"inference-stack: dependency {mode} failed: {done.stderr.strip()}")
            continue
        compare_charts_folders(helm_dir, clean, problems, f"inference-stack ({mode})")
        if lock_without_timestamp(clean) != lock_without_timestamp(helm_dir):
            problems.append(f"inference-stack ({mode}): Chart.lock differs from Helm's")


def check_fixture_diff(runner: Runner, chart: Path, cache: Path, problems: list[str]) -> None:
    """`helmpilot diff` on a clean checkout of the fixture: both revisions fetch their
    locked dependencies (through one cache) and only the real change shows."""
    repo = chart.parent
    git = ["git", "-C", str(repo), "-c", "user.email=ci@example.com", "-c", "user.name=ci"]
    subprocess.run([*git, "init", "-q", "-b", "main"], check=True)
    subprocess.run([*git, "add", "."], check=True)
    subprocess.run([*git, "commit", "-q", "-m", "base"], check=True)
    values = chart / "values.yaml"
    values.write_text(values.read_text().replace("replicas: 3", "replicas: 4"))
    done = subprocess.run(
        [runner.binary, "diff", str(chart), "--base", "main", "-o", "json", "--plain-http", "--cache-dir", str(cache),
         "--repository-config", str(runner.repositories)],
        capture_output=True, text=True, timeout=300, cwd=repo,
    )
    if done.returncode != 0:
        problems.append(f"inference-stack: diff failed: {done.stderr.strip()}")
        return
    report = json.loads(done.stdout)
    changed = [(c["change"], c["key"]["kind"], c["key"]["name"]) for e in report["environments"] for c in e["changes"]]
    # The scorer Deployment (replicas) and the umbrella's ConfigMap that prints the count.
    kinds = sorted((change, kind) for change, kind, _ in changed)
    if kinds != [("changed", "ConfigMap"), ("changed", "Deployment")]:
        problems.append(f"inference-stack: diff shows {changed}, expected the scorer Deployment and the ConfigMap")
    if (chart / "charts").exists():
        problems.append("inference-stack: diff wrote charts/")


def http_cases(relative: str, absolute: str) -> list[dict[str, Any]]:
    dep = "- name: {name}\n  version: \"{version}\"\n  repository: {repo}\n{extra}"
    cases = []

    def case(name: str, deps: str, values: str = "{}\n", local: bool = False) -> None:
        chart_yaml = f"apiVersion: v2\nname: {name}\nversion: 0.1.0\ndependencies:\n{deps}"
        cases.append({"name": name, "chart": chart_yaml, "values": values, "local": local})

    case("tilde", dep.format(name="redis-lite", version="~1.2.0", repo=relative, extra=""))
    case("caret-build-metadata", dep.format(name="model-server", version="^0.3.0", repo=relative, extra=""))
    case("prerelease", dep.format(name="redis-lite", version=">=2.0.0-0", repo=relative, extra=""))
    case("absolute-urls", dep.format(name="redis-lite", version="1.x", repo=absolute, extra=""))
    case(
        "alias-condition-tags",
        dep.format(name="redis-lite", version="~1.2", repo=relative, extra="  condition: cache.enabled\n  alias: cache\n")
        + dep.format(name="model-server", version=">=0.3.0 <1.0.0", repo=relative, extra="  tags: [serving]\n"),
        values="cache:\n  enabled: true\ntags:\n  serving: true\n",
    )
    case(
        "same-chart-twice",
        dep.format(name="redis-lite", version="1.0.0", repo=relative, extra="  alias: old\n")
        + dep.format(name="redis-lite", version="1.0.0", repo=relative, extra="  alias: also-old\n"),
    )
    case(
        "import-values",
        dep.format(name="model-server", version="0.3.0", repo=relative, extra="  import-values:\n  - child: image\n    parent: serverImage\n"),
    )
    case(
        "with-local",
        dep.format(name="redis-lite", version="~1.2.0", repo=relative, extra="")
        + dep.format(name="common-lib", version="0.3.0", repo="file://../local-lib", extra=""),
        local=True,
    )
    # Failures: Helm's resolver errors.
    case("no-match", dep.format(name="redis-lite", version="^3.0.0", repo=relative, extra=""))
    case("unknown-chart", dep.format(name="memcached", version="1.0.0", repo=relative, extra=""))
    case("bad-constraint", dep.format(name="redis-lite", version=">>1", repo=relative, extra=""))
    return cases


def check_case(helm: Any, runner: Runner, case: dict[str, Any], problems: list[str]) -> None:
    label = case["name"]
    base = runner.work / "cases" / label
    helm_dir, our_dir = base / "helm" / "chart", base / "ours" / "chart"
    local = ROOT / "fixtures" / "charts" / "common-lib" if case["local"] else None
    for folder in (helm_dir, our_dir):
        write_chart(folder, case["chart"], case["values"], local)

    helm_error = None
    try:
        helm.dependency_update(helm_dir, plain_http=True)
    except helm.HelmError as exc:
        helm_error = str(exc)
    ours = runner.run("dependency", "update", str(our_dir))
    if helm_error is not None:
        if ours.returncode == 0:
            problems.append(f"{label}: Helm failed ({helm_error}) but helmpilot succeeded")
        elif case.get("our_error"):
            if case["our_error"] not in ours.stderr:
                problems.append(f"{label}: expected our message {case['our_error']!r}, got: {ours.stderr.strip()}")
        elif helm_error.strip() not in ours.stderr:
            problems.append(f"{label}: error differs:\n  helm:      {helm_error}\n  helmpilot: {ours.stderr.strip()}")
        return
    if ours.returncode != 0:
        problems.append(f"{label}: helmpilot failed: {ours.stderr.strip()}")
        return
    if lock_without_timestamp(helm_dir) != lock_without_timestamp(our_dir):
        problems.append(f"{label}: Chart.lock differs:\n--- helm\n{lock_without_timestamp(helm_dir)}--- helmpilot\n{lock_without_timestamp(our_dir)}")
    compare_charts_folders(helm_dir, our_dir, problems, label)

    try:
        want = helm_template(["rel", str(helm_dir)])
    except HelmFailure as exc:
        want = f"Error: {exc}\n"
    got = runner.run("template", "rel", str(our_dir), "--now", "2026-01-01T00:00:00Z")
    got_text = got.stdout if got.returncode == 0 else got.stderr
    if got_text != want:
        problems.append(f"{label}: template output differs:\n--- helm\n{want[:1500]}--- helmpilot\n{got_text[:1500]}")

    # A clean checkout of Helm's result: Chart.yaml and Helm's Chart.lock, no charts/.
    for mode in ("build", "template"):
        clean = base / f"clean-{mode}" / "chart"
        shutil.copytree(helm_dir, clean, ignore=shutil.ignore_patterns("charts"))
        if local is not None:
            shutil.copytree(local, clean.parent / "local-lib")
        fresh_cache = base / f"cache-{mode}"
        if mode == "build":
            built = runner.run("dependency", "build", str(clean), cache=fresh_cache)
            if built.returncode != 0:
                problems.append(f"{label}: build from Helm's lock failed: {built.stderr.strip()}")
                continue
            compare_charts_folders(helm_dir, clean, problems, f"{label} (build)")
            if lock_without_timestamp(clean) != lock_without_timestamp(helm_dir):
                problems.append(f"{label}: build rewrote Helm's Chart.lock")
        else:
            rendered = runner.run("template", "rel", str(clean), "--now", "2026-01-01T00:00:00Z", cache=fresh_cache)
            text = rendered.stdout if rendered.returncode == 0 else rendered.stderr
            if text != want:
                problems.append(f"{label}: fetch-on-render output differs:\n{text[:1500]}")
            if (clean / "charts").exists() and not local:
                problems.append(f"{label}: fetch-on-render wrote charts/")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bin", required=True, help="the helmpilot binary")
    parser.add_argument("--only", help="run only the case with this name")
    parser.add_argument("--registry", action="store_true",
                        help="also run the OCI cases and the inference-stack fixture (needs scripts/registry/setup.sh)")
    parser.add_argument("--regenerate-fixture-lock", action="store_true",
                        help="write Helm's Chart.lock into fixtures/charts/inference-stack")
    args = parser.parse_args()
    helm = import_helm()
    render_charts.helm = helm  # helm_template reads the module's oracle handle
    binary = str(Path(args.bin).resolve())
    problems: list[str] = []
    count = 0
    with contextlib.ExitStack() as stack:
        work = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="helmpilot-deps-")))
        (work / "www").mkdir()
        server = serve(work / "www")
        stack.callback(server.shutdown)
        port = server.server_address[1]
        make_repository(helm, work / "www" / "relative", None)
        make_repository(helm, work / "www" / "absolute", f"http://127.0.0.1:{port}/absolute")
        runner = Runner(binary, work)
        cases = http_cases(f"http://127.0.0.1:{port}/relative", f"http://127.0.0.1:{port}/absolute")
        if args.registry or args.regenerate_fixture_lock:
            sys.path.insert(0, str(ROOT / "scripts" / "registry"))
            from registry import Registry

            registry = Registry("none")
            registry.port = FIXTURE_REGISTRY_PORT
            stack.enter_context(registry)
            push_model_server(helm, registry.host, work)
            cases += oci_cases(registry.host)
            fixture_server = serve(ROOT / "fixtures" / "repositories", FIXTURE_HTTP_PORT)
            stack.callback(fixture_server.shutdown)
        for case in cases:
            if args.only and case["name"] != args.only:
                continue
            count += 1
            check_case(helm, runner, case, problems)
        if (args.registry or args.regenerate_fixture_lock) and args.only in (None, "inference-stack"):
            count += 1
            check_fixture(helm, runner, problems, args.regenerate_fixture_lock)
    for problem in problems:
        print(f"MISMATCH {problem}\n")
    print(f"deps interop: {count} cases against Helm's dependency update/build and helm template, {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
