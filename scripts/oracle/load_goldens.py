#!/usr/bin/env python3
"""Record what real Helm (helm_python, v4.2.3) makes of the chart-loading fixtures:
fixtures/load/goldens.json, which crates/chart/tests/load.rs compares helmpilot with.

- fixtures/load/charts/*: chart directories, loaded with `Chart.load(dir)`: the files,
  templates, values and rendered output (subcharts show their `.Files` through a
  template), or the load error.
- fixtures/load/archives/*.tgz: archives this script writes (well-formed and hostile
  ones, deterministic bytes), loaded with `Chart.load_archive(bytes)`.
- fixtures/load/charts/files-object: every `.Files` method, rendered; once more with
  `emptyLines: true`, which makes Helm's `Lines` fail on an empty file.

helm_python loads with Helm's chart v2 loader directly, so errors are that loader's
texts (no `unable to detect chart at ...` wrapper, which `helm template` adds).

    python3 scripts/oracle/load_goldens.py            # rewrite archives and goldens
    python3 scripts/oracle/load_goldens.py --check    # fail if either is stale
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import sys
import tarfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "fixtures" / "load"
GOLDENS = FIXTURES / "goldens.json"
MiB = 1024 * 1024


def entry(name, data=b"", kind=tarfile.REGTYPE, link="", mode=0o644):
    info = tarfile.TarInfo(name)
    info.type = kind
    info.size = len(data) if kind == tarfile.REGTYPE else 0
    info.mtime = 0
    info.mode = mode
    info.linkname = link
    info.uname = info.gname = ""
    return info, data


def tar_bytes(entries, fmt=tarfile.PAX_FORMAT, pax_headers=None) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=fmt, pax_headers=pax_headers or {}) as t:
        for info, data in entries:
            t.addfile(info, io.BytesIO(data) if info.size else None)
    return buf.getvalue()


def raw_header(name: str, size: int) -> bytes:
    """A ustar header whose size field claims `size` bytes that never follow."""
    block = bytearray(512)
    block[0 : len(name)] = name.encode()
    block[100:108] = b"0000644\0"
    block[108:116] = b"0000000\0"
    block[116:124] = b"0000000\0"
    block[124:136] = b"%011o\0" % size
    block[136:148] = b"00000000000\0"
    block[156:157] = b"0"
    block[257:265] = b"ustar\x0000"
    block[148:156] = b"        "
    block[148:156] = b"%06o\0 " % sum(block)
    return bytes(block)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, mtime=0)


CHART = b"apiVersion: v2\nname: packed\nversion: 0.1.0\n"


def archives() -> dict[str, bytes]:
    long_dir = "packed/templates/" + "d" * 60 + "/" + "e" * 60
    good = tar_bytes(
        [
            entry("packed/", kind=tarfile.DIRTYPE, mode=0o755),
            entry("packed/Chart.yaml", CHART),
            entry("packed/values.yaml", b"\xef\xbb\xbfv: 1\n"),
            entry("packed/templates/a.yaml", b"a: 1\n"),
            entry(long_dir + "/long.yaml", b"long: 1\n"),
            entry("packed/templates/link.yaml", kind=tarfile.SYMTYPE, link="/etc/passwd"),
            entry("packed/files/x.txt", b"x\n"),
            entry("packed/.helmignore", b"files/\n"),
        ],
        pax_headers={"comment": "global header"},
    )
    gnu = tar_bytes(
        [
            entry("packed/Chart.yaml", CHART),
            entry("packed/templates/" + "g" * 120 + ".yaml", b"g: 1\n"),
        ],
        fmt=tarfile.GNU_FORMAT,
    )
    ustar = tar_bytes(
        [
            entry("packed/Chart.yaml", CHART),
            entry("packed/templates/" + "u" * 90 + "/" + "v" * 20 + ".yaml", b"u: 1\n"),
        ],
        fmt=tarfile.USTAR_FORMAT,
    )
    one = lambda name, data=b"x\n": tar_bytes([entry("packed/Chart.yaml", CHART), entry(name, data)])
    return {
        "good.tgz": gz(good),
        "gnu-long-name.tgz": gz(gnu),
        "ustar-prefix.tgz": gz(ustar),
        "backslashes.tgz": gz(one("packed\\templates\\win.yaml")),
        "absolute.tgz": gz(one("packed//etc/passwd")),
        "parent.tgz": gz(one("packed/../../etc/passwd")),
        "dotdot-name.tgz": gz(one("packed/..hidden")),
        "top-level-file.tgz": gz(one("README.md")),
        "chart-yaml-dir.tgz": gz(one("Chart.yaml/x")),
        "drive-letter.tgz": gz(one("packed/c:/x")),
        "file-too-large.tgz": gz(one("packed/files/big.bin", b"\0" * (5 * MiB + 1))),
        "chart-too-large.tgz": gz(
            entry("packed/Chart.yaml", CHART)[0].tobuf(tarfile.USTAR_FORMAT)
            + CHART.ljust(512, b"\0")
            + raw_header("packed/files/huge.bin", 200 * MiB)
        ),
        "not-gzip.tgz": b"apiVersion: v2\nname: not-gzip\nversion: 0.1.0\n",
        "short.tgz": b"\x1f\x8b\x08",
        "truncated.tgz": gz(good)[:300],
        "no-files.tgz": gz(b"\0" * 1024),
        "no-chart-yaml.tgz": gz(tar_bytes([entry("packed/values.yaml", b"a: 1\n")])),
        "bad-values.tgz": gz(one("packed/values.yaml", b"a: [1\n")),
    }


def describe(chart) -> dict:
    return {
        "files": [f["name"] for f in chart.files],
        "templates": [f["name"] for f in chart.templates],
        "values": chart.values,
        "dependencies": sorted(d["name"] for d in chart.dependencies),
    }


def record() -> dict:
    import helm_python

    out: dict = {"charts": {}, "archives": {}, "files_object": {}}
    for chart_dir in sorted((FIXTURES / "charts").iterdir()):
        try:
            with helm_python.Chart.load(str(chart_dir)) as chart:
                result = describe(chart)
                result["render"] = dict(sorted(chart.render(values={}, name="r").items()))
        except helm_python.HelmError as e:
            result = {"error": str(e)}
        out["charts"][chart_dir.name] = result
    for path in sorted((FIXTURES / "archives").glob("*.tgz")):
        try:
            with helm_python.Chart.load_archive(path.read_bytes()) as chart:
                result = describe(chart)
        except helm_python.HelmError as e:
            result = {"error": str(e)}
        out["archives"][path.name] = result
    chart_dir = FIXTURES / "charts" / "files-object"
    with helm_python.Chart.load(str(chart_dir)) as chart:
        try:
            chart.render(values={"emptyLines": True}, name="r")
            out["files_object"]["empty_lines_error"] = None
        except helm_python.HelmError as e:
            out["files_object"]["empty_lines_error"] = str(e)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="fail if anything is stale")
    args = parser.parse_args()
    stale = []
    archive_dir = FIXTURES / "archives"
    archive_dir.mkdir(exist_ok=True)
    for name, data in archives().items():
        path = archive_dir / name
        if not path.exists() or path.read_bytes() != data:
            stale.append(str(path.relative_to(ROOT)))
            if not args.check:
                path.write_bytes(data)
    text = json.dumps(record(), indent=1, ensure_ascii=False, sort_keys=True) + "\n"
    if not GOLDENS.exists() or GOLDENS.read_text(encoding="utf-8") != text:
        stale.append(str(GOLDENS.relative_to(ROOT)))
        if not args.check:
            GOLDENS.write_text(text, encoding="utf-8")
    if args.check and stale:
        print("stale: " + ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
