#!/usr/bin/env python3
"""Interop of `helmpilot push/pull/registry` with real Helm v4.2.3 (helm_python) through
a real registry (Debian's docker-registry, CNCF distribution v2.8, on 127.0.0.1).

    scripts/registry/setup.sh
    python3 scripts/oracle/oci_interop.py --bin target/debug/helmpilot

For each registry mode (no auth, htpasswd basic auth, token auth with a local token
server) it checks both directions:
  - charts pushed by Helm are pulled by helmpilot byte-identical to the pushed archive,
    with Helm's `Pulled:`/`Digest:` lines;
  - charts pushed by helmpilot get the same manifest digest as Helm's push of the same
    archive (so config blob, layers and annotations are byte-identical), are pulled by
    Helm byte-identical, and Helm's tags list them;
  - versions with `+` metadata (tag `_`), version constraints, --untar;
  - `registry login` writes the same config file as Helm's login, `logout` too, and
    credentials are found on the command line, in HELMPILOT_AUTH_<HOST>, in Helm's
    registry config and in Docker's config;
  - a missing tag, a wrong password, no credentials, a non-chart artifact and an
    unreachable registry give helmpilot's messages (asserted), and no secret is printed.
Prints a one-line summary and exits non-zero on any failure.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "scripts", "registry"))

import helm_python as helm  # noqa: E402
from registry import Registry  # noqa: E402

PASSWORD = "s3cret-Pa55"
USER = "helmpilot"

RICH_CHART = """apiVersion: v2
name: rich
description: "A chart with <tags> & every Chart.yaml field"
type: application
version: VERSION
appVersion: "1.0"
kubeVersion: ">=1.20.0-0"
home: https://rich.example.com
icon: https://rich.example.com/icon.png
deprecated: false
sources:
  - https://git.example.com/rich
  - https://git.example.com/rich-mirror
keywords: [one, two]
maintainers:
  - name: Ann
    email: ann@example.com
    url: https://ann.example.com
  - name: Bob
annotations:
  org.opencontainers.image.title: ignored
  org.opencontainers.image.url: https://override.example.com
  example.com/z: last
  example.com/a: "first <1>"
dependencies:
  - name: common-lib
    version: ~0.3.0
    repository: oci://registry.example.com/charts
    condition: common.enabled
    tags: [base]
    import-values: [defaults, {child: a, parent: b}]
    alias: common
"""


class Checks:
    def __init__(self) -> None:
        self.passed = 0
        self.failed: list[str] = []
        self.secrets: list[str] = [PASSWORD, "wrong-" + PASSWORD]

    def check(self, name: str, ok: bool, detail: str = "") -> bool:
        if ok:
            self.passed += 1
        else:
            self.failed.append(f"{name}: {detail}")
            print(f"FAIL {name}: {detail}", file=sys.stderr)
        return ok


class Helmpilot:
    def __init__(self, binary: str, home: str, checks: Checks):
        self.binary = binary
        self.home = home
        self.checks = checks

    def env(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        # A clean environment: no credentials unless a check puts them there.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("HELMPILOT_AUTH_")
               and k not in ("HELM_REGISTRY_CONFIG", "HELM_CONFIG_HOME", "XDG_CONFIG_HOME",
                             "DOCKER_CONFIG")}
        env["HOME"] = self.home
        env.update(extra or {})
        return env

    def run(self, args: list[str], env: dict[str, str] | None = None,
            stdin: str | None = None) -> subprocess.CompletedProcess:
        p = subprocess.run([self.binary, *args], capture_output=True, text=True,
                           env=self.env(env), input=stdin, timeout=120, cwd=self.home)
        for secret in self.checks.secrets:
            self.checks.check(f"no secret printed ({' '.join(args[:2])})",
                              secret not in p.stdout and secret not in p.stderr,
                              "a password appeared in the output")
        return p


def sha(path: str) -> str:
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def tree(path: str) -> dict[str, str]:
    out = {}
    for root, _, files in os.walk(path):
        for f in files:
            full = os.path.join(root, f)
            out[os.path.relpath(full, path)] = sha(full)
    return out


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def push_foreign_artifact(host: str, repo: str, tag: str, config_type: str,
                          layer_type: str) -> None:
    """An artifact with the given media types, pushed with raw distribution calls."""
    def blob(data: bytes) -> str:
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        req = urllib.request.Request(f"http://{host}/v2/{repo}/blobs/uploads/", method="POST")
        loc = urllib.request.urlopen(req).headers["Location"]
        if loc.startswith("/"):
            loc = f"http://{host}{loc}"
        sep = "&" if "?" in loc else "?"
        put = urllib.request.Request(f"{loc}{sep}digest={digest}", data=data, method="PUT",
                                     headers={"Content-Type": "application/octet-stream"})
        urllib.request.urlopen(put)
        return digest
    config = b"{}"
    layer = b"not a chart"
    manifest = json.dumps({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": config_type, "digest": blob(config), "size": len(config)},
        "layers": [{"mediaType": layer_type,
                    "digest": blob(layer), "size": len(layer)}],
    }).encode()
    req = urllib.request.Request(f"http://{host}/v2/{repo}/manifests/{tag}", data=manifest,
                                 method="PUT",
                                 headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    urllib.request.urlopen(req)


def make_charts(work: str) -> list[tuple[str, str, str]]:
    """(archive path, chart name, version) for the fixture charts and made-up ones."""
    dist = os.path.join(work, "dist")
    os.makedirs(dist)
    out = []
    for fixture in ("common-lib", "fraud-detector"):
        src = os.path.join(ROOT, "fixtures", "charts", fixture)
        tgz = helm.package(src, destination=dist)
        name = fixture
        version = None
        with open(os.path.join(src, "Chart.yaml")) as f:
            for line in f:
                if line.startswith("version:"):
                    version = line.split(":", 1)[1].strip().strip('"')
        out.append((tgz, name, version))
    for version in ("1.2.3+build.7", "1.2.4-rc.1", "1.1.0"):
        d = os.path.join(work, "src", version, "rich")
        os.makedirs(os.path.join(d, "templates"))
        with open(os.path.join(d, "Chart.yaml"), "w") as f:
            f.write(RICH_CHART.replace("VERSION", version))
        os.makedirs(os.path.join(d, "charts"))
        shutil.copy(out[0][0], os.path.join(d, "charts"))
        with open(os.path.join(d, "values.yaml"), "w") as f:
            f.write("replicas: 1\n")
        with open(os.path.join(d, "templates", "cm.yaml"), "w") as f:
            f.write("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n")
        out.append((helm.package(d, destination=dist), "rich", version))
    return out


def interop(mode: str, hp: Helmpilot, checks: Checks, charts, work: str) -> None:
    with Registry(mode, users={USER: PASSWORD}) as reg:
        host = reg.host
        base = os.path.join(work, mode)
        os.makedirs(base)
        helm_cfg = os.path.join(base, "helm-registry.json")
        client = helm.RegistryClient(plain_http=True, credentials_file=helm_cfg)
        if mode != "none":
            client.login(host, USER, PASSWORD, plain_http=True)
        creds = [] if mode == "none" else ["--username", USER, "--password", PASSWORD]
        plain = ["--plain-http"]

        # 1. Helm pushes, helmpilot pulls.
        helm_digests = {}
        for tgz, name, version in charts:
            client.push(tgz, f"oci://{host}/helm", plain_http=True)
            tag = version.replace("+", "_")
            helm_digests[(name, version)] = client.resolve(f"{host}/helm/{name}:{tag}")["digest"]
            dest = os.path.join(base, "hp-pull")
            p = hp.run(["pull", f"oci://{host}/helm/{name}", "--version", version, "-d", dest,
                        *plain, *creds])
            if not checks.check(f"[{mode}] helmpilot pull {name} {version}", p.returncode == 0,
                                p.stderr):
                continue
            got = os.path.join(dest, f"{name}-{version}.tgz")
            checks.check(f"[{mode}] pulled {name} {version} byte-identical",
                         os.path.exists(got) and sha(got) == sha(tgz), "archive differs")
            want_out = (f"Pulled: {host}/helm/{name}:{tag}\n"
                        f"Digest: {helm_digests[(name, version)]}\n")
            if "_" in tag:
                want_out += (f"{host}/helm/{name}:{tag} contains an underscore.\n\n"
                             "OCI artifact references (e.g. tags) do not support the plus sign (+). To support\n"
                             "storing semantic versions, Helm adopts the convention of changing plus (+) to\n"
                             "an underscore (_) in chart version tags when pushing to a registry and back to\n"
                             "a plus (+) when pulling from a registry.\n")
            checks.check(f"[{mode}] pull output {name} {version}", p.stdout == want_out,
                         f"{p.stdout!r} != {want_out!r}")

        # 2. helmpilot pushes, Helm pulls; manifests identical to Helm's own push.
        for tgz, name, version in charts:
            p = hp.run(["push", tgz, f"oci://{host}/ours/", *plain, *creds])
            if not checks.check(f"[{mode}] helmpilot push {name} {version}", p.returncode == 0,
                                p.stderr):
                continue
            tag = version.replace("+", "_")
            lines = p.stdout.splitlines()
            checks.check(f"[{mode}] push output {name} {version}",
                         lines[:2] == [f"Pushed: {host}/ours/{name}:{tag}",
                                       f"Digest: {helm_digests[(name, version)]}"],
                         f"{lines[:2]} vs Helm's digest {helm_digests[(name, version)]}")
            dest = os.path.join(base, "helm-pull", version)
            os.makedirs(dest, exist_ok=True)
            helm.pull(f"oci://{host}/ours/{name}", client=client, destination=dest,
                      version=version, plain_http=True)
            got = os.path.join(dest, f"{name}-{version}.tgz")
            checks.check(f"[{mode}] Helm pulls helmpilot's {name} {version} byte-identical",
                         os.path.exists(got) and sha(got) == sha(tgz), "archive differs")
        for name in sorted({c[1] for c in charts}):
            ours = client.tags(f"{host}/ours/{name}")
            theirs = client.tags(f"{host}/helm/{name}")
            want = sorted({c[2] for c in charts if c[1] == name})
            checks.check(f"[{mode}] Helm's tags list helmpilot's {name}",
                         ours == theirs and sorted(ours) == want, f"{ours} vs {theirs}")

        # 3. Newest stable version, constraints, --untar, Helm's naming.
        dest_hp = os.path.join(base, "latest-hp")
        dest_helm = os.path.join(base, "latest-helm")
        os.makedirs(dest_helm)
        p = hp.run(["pull", f"oci://{host}/ours/rich", "-d", dest_hp, *plain, *creds])
        helm.pull(f"oci://{host}/ours/rich", client=client, destination=dest_helm, plain_http=True)
        checks.check(f"[{mode}] pull without version picks Helm's choice",
                     p.returncode == 0 and sorted(os.listdir(dest_hp)) == sorted(os.listdir(dest_helm)),
                     f"{p.stderr} {os.listdir(dest_hp) if os.path.isdir(dest_hp) else []} vs {os.listdir(dest_helm)}")
        for constraint in ("~1.1", ">=1.2.4-0", "^1.0.0"):
            dh, dp = os.path.join(base, "c-helm", constraint), os.path.join(base, "c-hp", constraint)
            os.makedirs(dh)
            helm.pull(f"oci://{host}/ours/rich", client=client, destination=dh,
                      version=constraint, plain_http=True)
            p = hp.run(["pull", f"oci://{host}/ours/rich", "--version", constraint, "-d", dp,
                        *plain, *creds])
            checks.check(f"[{mode}] constraint {constraint}",
                         p.returncode == 0 and os.listdir(dp) == os.listdir(dh),
                         f"{p.stderr} {os.listdir(dh)}")
        uh, up = os.path.join(base, "untar-helm"), os.path.join(base, "untar-hp")
        os.makedirs(uh)
        helm.pull(f"oci://{host}/ours/fraud-detector", client=client, destination=uh,
                  version="1.4.0", untar=True, untar_dir=uh, plain_http=True)
        p = hp.run(["pull", f"oci://{host}/ours/fraud-detector", "--version", "1.4.0", "--untar",
                    "-d", up, *plain, *creds])
        checks.check(f"[{mode}] --untar tree as Helm's", p.returncode == 0 and tree(up) == tree(uh),
                     p.stderr)

        # 4. Errors.
        p = hp.run(["pull", f"oci://{host}/ours/rich", "--version", "9.9.9", *plain, *creds])
        checks.check(f"[{mode}] missing tag message",
                     p.returncode == 1 and p.stderr == f"Error: {host}/ours/rich:9.9.9: not found\n",
                     p.stderr)
        if mode == "none":
            helm_config = "application/vnd.cncf.helm.config.v1+json"
            helm_layer = "application/vnd.cncf.helm.chart.content.v1.tar+gzip"
            image_config = "application/vnd.oci.image.config.v1+json"
            image_layer = "application/vnd.oci.image.layer.v1.tar"
            foreign = {"image": (image_config, image_layer),
                       "no-chart-layer": (helm_config, image_layer),
                       "no-helm-config": (image_config, helm_layer)}
            for repo, (config_type, layer_type) in foreign.items():
                push_foreign_artifact(host, f"foreign/{repo}", "1.0.0", config_type, layer_type)
                p = hp.run(["pull", f"oci://{host}/foreign/{repo}", "--version", "1.0.0", *plain])
                try:
                    helm.pull(f"oci://{host}/foreign/{repo}", version="1.0.0", plain_http=True,
                              destination=base)
                    helm_msg = "(Helm accepted it)"
                except helm.HelmError as e:
                    helm_msg = str(e)
                checks.check(f"[none] not a chart ({repo}): Helm's message, naming the reference",
                             p.returncode == 1 and helm_msg in p.stderr
                             and f"{host}/foreign/{repo}:1.0.0" in p.stderr,
                             f"{p.stderr!r} vs Helm's {helm_msg!r}")
            port = closed_port()
            p = hp.run(["pull", f"oci://127.0.0.1:{port}/x/y", "--version", "1.0.0", *plain])
            checks.check("[none] unreachable registry message",
                         p.returncode == 1 and f"cannot reach registry 127.0.0.1:{port}" in p.stderr,
                         p.stderr)
            return

        login_hint = f"helmpilot registry login {host}"
        p = hp.run(["pull", f"oci://{host}/ours/rich", "--version", "1.1.0", *plain])
        checks.check(f"[{mode}] no credentials message",
                     p.returncode == 1 and "authentication required" in p.stderr
                     and login_hint in p.stderr, p.stderr)
        p = hp.run(["push", charts[0][0], f"oci://{host}/ours", *plain])
        checks.check(f"[{mode}] no credentials message (push)",
                     p.returncode == 1 and "authentication required" in p.stderr, p.stderr)
        p = hp.run(["pull", f"oci://{host}/ours/rich", "--version", "1.1.0", *plain,
                    "--username", USER, "--password", "wrong-" + PASSWORD])
        checks.check(f"[{mode}] wrong password message",
                     p.returncode == 1 and "credentials rejected" in p.stderr
                     and login_hint in p.stderr, p.stderr)
        try:
            helm.RegistryClient(plain_http=True, credentials_file=os.path.join(base, "x.json")).login(
                host, USER, "wrong-" + PASSWORD, plain_http=True)
            helm_login = "(accepted)"
        except helm.HelmError as e:
            helm_login = str(e)
        p = hp.run(["registry", "login", host, "-u", USER, "--password-stdin", *plain,
                    "--registry-config", os.path.join(base, "bad.json")],
                   stdin="wrong-" + PASSWORD + "\n")
        checks.check(f"[{mode}] registry login with a wrong password fails like Helm's",
                     p.returncode == 1 and p.stderr.startswith(f'Error: authenticating to "{host}": ')
                     and helm_login != "(accepted)" and not os.path.exists(os.path.join(base, "bad.json")),
                     f"{p.stderr} / Helm: {helm_login}")

        # 5. Credentials from each source.
        sources = {
            "HELMPILOT_AUTH_<HOST>": {"HELMPILOT_AUTH_" + "".join(
                c.upper() if c.isalnum() else "_" for c in host): f"{USER}:{PASSWORD}"},
            "Helm's registry config": {"HELM_REGISTRY_CONFIG": helm_cfg},
        }
        docker_dir = os.path.join(base, "docker")
        os.makedirs(docker_dir)
        with open(os.path.join(docker_dir, "config.json"), "w") as f:
            json.dump({"auths": {f"http://{host}": {
                "auth": base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()}}}, f)
        sources["Docker's config"] = {"DOCKER_CONFIG": docker_dir}
        for label, env in sources.items():
            d = os.path.join(base, "src", label.replace("'", "").replace(" ", "_").replace("<", "").replace(">", ""))
            p = hp.run(["pull", f"oci://{host}/helm/common-lib", "--version", "0.3.0", "-d", d, *plain],
                       env=env)
            checks.check(f"[{mode}] credentials from {label}", p.returncode == 0, p.stderr)

        # 6. registry login/logout write what Helm writes.
        ours_cfg = os.path.join(base, "ours-registry.json")
        p = hp.run(["registry", "login", host, "-u", USER, "--password-stdin", *plain,
                    "--registry-config", ours_cfg], stdin=PASSWORD + "\n")
        checks.check(f"[{mode}] registry login", p.returncode == 0 and p.stdout == "Login Succeeded\n",
                     p.stdout + p.stderr)
        with open(helm_cfg) as f:
            helm_text = f.read()
        with open(ours_cfg) as f:
            ours_text = f.read()
        checks.check(f"[{mode}] login writes Helm's config file", ours_text == helm_text,
                     f"{ours_text!r} vs {helm_text!r}")
        p = hp.run(["pull", f"oci://{host}/ours/rich", "--version", "1.1.0", "-d",
                    os.path.join(base, "after-login"), *plain], env={"HELM_REGISTRY_CONFIG": ours_cfg})
        checks.check(f"[{mode}] pull after registry login", p.returncode == 0, p.stderr)
        p = hp.run(["registry", "logout", host, "--registry-config", ours_cfg])
        client.logout(host)
        with open(helm_cfg) as f:
            helm_text = f.read()
        with open(ours_cfg) as f:
            ours_text = f.read()
        checks.check(f"[{mode}] logout", p.returncode == 0
                     and p.stdout == f"Removing login credentials for {host}\n"
                     and ours_text == helm_text, f"{p.stdout}{p.stderr} {ours_text!r} vs {helm_text!r}")
        if reg.token is not None:
            issued = [r for r in reg.token.requests if r["outcome"] == "issued" and r["user"]]
            checks.check("[token] token server issued user tokens", len(issued) > 0, str(reg.token.requests[-5:]))


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bin", required=True, help="path to the helmpilot binary")
    ap.add_argument("--modes", default="none,htpasswd,token")
    args = ap.parse_args()
    binary = os.path.abspath(args.bin)
    checks = Checks()
    work = tempfile.mkdtemp(prefix="helmpilot-oci-interop-")
    try:
        home = os.path.join(work, "home")
        os.makedirs(home)
        hp = Helmpilot(binary, home, checks)
        charts = make_charts(work)
        modes = [m for m in args.modes.split(",") if m]
        for mode in modes:
            try:
                interop(mode, hp, checks, charts, work)
            except Exception as e:  # a crash in one mode is a failure, not the end
                checks.check(f"[{mode}] ran to the end", False, f"{type(e).__name__}: {e}")
        ok = not checks.failed
        print(f"oci_interop: {checks.passed} checks passed, {len(checks.failed)} failed "
              f"({len(charts)} charts x registries {', '.join(modes)}; Helm {helm.helm_sdk_version()})")
        return 0 if ok else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
