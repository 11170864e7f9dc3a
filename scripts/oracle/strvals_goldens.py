#!/usr/bin/env python3
"""Run Helm's own --set parsers (pkg/strvals) on generated expressions; write goldens.

Helm v4.2.3 (helm-python-sdk, which embeds Helm's Go SDK) parses each expression
with the parser of one flag:

    set      strvals.Parse          (--set)
    string   strvals.ParseString    (--set-string)
    json     strvals.ParseJSON      (--set-json, key=value form)
    literal  strvals.ParseLiteral   (--set-literal)
    file     strvals.ParseFile      (--set-file, reading files with os.ReadFile)

The inputs are generated from a small grammar with a fixed seed (paths with dots,
escapes and indices; typed scalars, lists, JSON documents; malformed input), plus a
hand-written list of edge cases. Several assignments in one expression share paths,
so later ones parse into what earlier ones built (Helm's ParseInto behaviour).

``fixtures/strvals/cases.jsonl`` gets one JSON object per line: ``kind``, ``input``
and either ``result`` (the raw JSON Helm's Go code marshals the parsed map to, so
Go's number formatting and key order are kept) or ``error`` (Helm's message).
Integers and floats marshal alike in Go (``1``), so the JSON cannot tell int64 from
float64; the tests check those types from the kind instead (--set makes only int64,
--set-json only float64).

``--set-file`` cases read files from a scratch directory the script creates and
enters; ``fixtures/strvals/files.json`` records what Helm read for each path (its
content, or its error), so the Rust tests can answer the same without disk.

    python3 scripts/oracle/strvals_goldens.py           # (re)write the goldens
    python3 scripts/oracle/strvals_goldens.py --check   # regenerate and compare
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
from pathlib import Path

import helm_python
from helm_python import _native

REPO = Path(__file__).resolve().parents[2]
OUT_DIR = REPO / "fixtures" / "strvals"
CASES = OUT_DIR / "cases.jsonl"
FILES = OUT_DIR / "files.json"

EXPECTED_HELM = "v4.2.3"
SEED = 4_2_3
GENERATED_PER_KIND = {"set": 170, "string": 50, "json": 120, "literal": 50, "file": 40}
# No fuzz for --set-file: it would read arbitrary paths files.json does not cover.
FUZZ_PER_KIND = {"set": 60, "string": 15, "json": 40, "literal": 25, "file": 0}

NATIVE = {
    "set": "helm_strvals_parse",
    "string": "helm_strvals_parse_string",
    "json": "helm_strvals_parse_json",
    "literal": "helm_strvals_parse_literal",
    "file": "helm_strvals_parse_file",
}

# Files for --set-file, relative to the scratch directory (no machine paths end up in
# the goldens). "dir" is a directory, "missing" does not exist.
FILE_CONTENTS = {
    "f1": "hello",
    "f2": "two\nlines\n",
    "empty": "",
    "uni": "h\u00e9llo \u2713 <&>",
    "comma,name": "c",
    "sp ace": " padded ",
}
FILE_PATHS = [*FILE_CONTENTS, "dir", "missing", ""]

# ----- the grammar -----

NAMES = ["a", "b", "c", "name", "image", "x1", "A-b_c", "\u00e9", "\u043a\u043b\u044e\u0447",
         " sp", "t ", "", "true", "0", "\u2713"]
ESCAPED_NAMES = ["a\\.b", "a\\,b", "a\\=b", "a\\[0\\]", "x\\\\y", "a\\ b", "\\{k\\}"]
INDICES = ["0", "1", "2", "3", "0", "1", "2", "-1", "01", "+1", "x", "", "65536", "65537",
           "99999999999999999999", " 1", "1\\]", "-0", "9223372036854775807"]
TYPED_VALUES = [
    "1", "0", "-1", "+5", "007", "00", "-0", "10", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "-9223372036854775809", "1_000", "0x10",
    "1e3", "1.5", "-1.0", "true", "TRUE", "False", "fals\u017f", "null", "NULL", "Nul", "nil",
    "", "hello", "with space", " lead", "\u00e9\u2713", "<&>", "a=b", "a\\,b", "x\\\\y",
    "q\"uote", "{a,b}", "{}", "{1,{2}}", "{a,b", "{ 1 , 2 }", "{true,null,007,-3}",
    "{a\\,b,c}", "{x}y", "\\{a,b}", "tab\there", "line\nbreak", "[1]", "a.b", "=", "\\",
    "{,}", "{a,}", "}", "{{}}", "yes", "~", "0.0", "1e400",
]
JSON_VALUES = [
    "1", "1.5", "-0", "0", "-1", "1e400", "-1e400", "1e21", "1e20", "1E-7", "0.000001",
    "123456789012345678901234", "9007199254740993", "\"s\"", "\"s,t\"", "\"\\u00e9\\ud800x\"",
    "\"\\ud83d\\ude00\"", "[1,2]", "[]", "{}", "{\"a\":1}", "{\"a\":{\"b\":[null,true]}}",
    "true", "false", "null", "", "   ", "x", "{\"a\":", "\"unterminated", "01", "tru", "nul",
    "[1,2] x", "  [1]  ", "{\"k\": \"v\"} ", "-", "1.", "1e", "\"<&>\"", "[1,[2,[3]]]",
    "{\"a\":1}{\"b\":2}", "\"a\"\"b\"", "[1,]", "{\"a\" 1}", "\"tab\there\"", "1 2",
    "{\"a\":1,\"a\":2}", "[\"x\\\"y\"]", "\"\\x\"", ".5", "+1", "0x1", "NaN",
]
LITERAL_VALUES = [
    "a,b=c", "x", "", "1", "true", "{a,b}", "a\\,b", "\\", "=", "with space", "[0]",
    "a.b=c,d", "\u00e9", "null", "line\nbreak",
]
FUZZ_ALPHABET = "ab.=[]{},\\01- "


def escape_value(text: str) -> str:
    """Backslash-escape what a plain --set value cannot hold literally."""
    return "".join("\\" + c if c in "\\,{}" else c for c in text)


class Grammar:
    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def name(self) -> str:
        if self.rng.random() < 0.15:
            return self.rng.choice(ESCAPED_NAMES)
        return self.rng.choice(NAMES[:6] * 3 + NAMES)

    def index(self) -> str:
        # Mostly indices that work, so that paths get far enough to meet each other.
        if self.rng.random() < 0.8:
            return self.rng.choice(INDICES[:4])
        return self.rng.choice(INDICES)

    def segment(self) -> str:
        seg = self.name()
        roll = self.rng.random()
        if roll < 0.3:
            seg += f"[{self.index()}]"
        elif roll < 0.4:
            seg += f"[{self.index()}][{self.index()}]"
        return seg

    def path(self) -> str:
        count = self.rng.choice([1, 1, 2, 2, 3])
        return ".".join(self.segment() for _ in range(count))

    def related_path(self, previous: list[str]) -> str:
        """A path near an earlier one, so assignments meet in the same tree."""
        if not previous or self.rng.random() < 0.4:
            return self.path()
        base = self.rng.choice(previous)
        roll = self.rng.random()
        if roll < 0.3:
            return base + "." + self.rng.choice(NAMES[:6])
        if roll < 0.5:
            return base + f"[{self.index()}]"
        if roll < 0.7 and "." in base:
            return base.rsplit(".", 1)[0] + "." + self.segment()
        if roll < 0.85 and "[" in base:
            return base.rsplit("[", 1)[0] + f"[{self.index()}]"
        return base

    def value(self, kind: str) -> str:
        # The first entries of each list are well-formed; favour them.
        common = self.rng.random() < 0.6
        if kind == "json":
            return self.rng.choice(JSON_VALUES[:26] if common else JSON_VALUES)
        if kind == "literal":
            return self.rng.choice(LITERAL_VALUES)
        if kind == "file":
            if self.rng.random() < 0.2:
                items = [escape_value(self.rng.choice(FILE_PATHS)) for _ in range(2)]
                return "{" + ",".join(items) + "}"
            return escape_value(self.rng.choice(FILE_PATHS))
        return self.rng.choice(TYPED_VALUES[:36] if common else TYPED_VALUES)

    def assignment(self, kind: str, previous: list[str]) -> str:
        path = self.related_path(previous)
        previous.append(path)
        roll = self.rng.random()
        if roll < 0.04:
            return path  # no '=' at all
        sep = self.rng.choice(["=", "=", "=", "= "]) if kind == "json" else "="
        return path + sep + self.value(kind)

    def expression(self, kind: str) -> str:
        previous: list[str] = []
        count = 1 if kind == "literal" else self.rng.choice([1, 1, 2, 2, 3, 4])
        expr = ",".join(self.assignment(kind, previous) for _ in range(count))
        roll = self.rng.random()
        if roll < 0.04:
            expr += ","
        elif roll < 0.06:
            expr += ",,"
        elif roll < 0.08:
            expr = "," + expr
        return expr

    def fuzz(self) -> str:
        length = self.rng.randint(1, 12)
        return "".join(self.rng.choice(FUZZ_ALPHABET) for _ in range(length))


# Hand-written cases: the corners the grammar may miss.
CURATED = {
    "set": [
        "a=1,b=2", "a[0]", "a[0", "a[0]x=1", "a[0]xy.z=1", "a=1,a.b=2", "a.b=1,a[0]=2",
        "a={1},a[0].b=2", "a=null,a[0]=1", "a=null,a.b=1", "a[0]=1,a[0][0]=2", "a[1]=x,a[0]=y",
        "a[2]=x,a[0].b=y", "a[0]={x,y},a[0][1].b[2", "a[0][1]", "a.b[0", ".a=1", "a.=1",
        "a..b=1", "a={}", "a={1,2}x", "a={1,2},b=3", "a=x\\", "a\\", "a={x\\", "a,b", "a,,b=1",
        ",a=1", "a=1,", "=1", "[0]=1", "a[99999999999999999999x]=1", "a[ 1]=2", "a[70000]=1",
        "a[65536]=1", "a[-1]=1", "a[0][-2]=1", "a[0][70000]=1", "a[0][x]=1", "a[]=1",
        "a.b.c", "a.b.c=", "a.b.c=,d=1", "a=falſe", "a=0,b=-0,c=+0,d=00",
        "a[0].b=1,a[0].c=2,a[1].d=3", "a[1].b=1,a[0]=x", "a[0][0][0]=deep",
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd=30",
        "a.b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee=31",
        "a[0].b.c.d.e.f.g.h.i.j.k.l.m.n.o.p.q.r.s.t.u.v.w.x.y.z.aa.bb.cc.dd.ee=list",
        "a=1,a=2", "a.b=1,a.b.c=2", "a={a,b},a[5]=c", "a[0]=1,a.b=2", "a\\.b.c=1",
        "a=\u00e9\u0000b".replace("\u0000", ""), "k\u0085=1", "a={ , }", "a=b=c=d",
    ],
    "string": [
        "a=1,b=true,c=null,d={1,2}", "a=007", "a[1]=1", "a.b=", "a", "a,b=1", "a=1,a.b=2",
    ],
    "json": [
        "a=1", "a=1e400", "a=x", "a={\"b\":", "a=1.5,b=\"s\" c=2", "a=,,b=1", "a=   ,b=1",
        "a=", "a[0]=1,a[2]={\"x\":1}", "a[0]=", "a={\"b\":1},a.c=2", "a=1,a.b=2", "a=[1],a[1]=2",
        "a=[[1]],a[0][1]=2", "a=1x", "a=\"s\"x=1", "a={}b=1", "a=[1] ,  , b=2", "a=1\u00a0b=2",
        "a=1\u00e9=2", "a[0]=1e400", "a[0]=x", "a[0]=,b=1", "a=null,a.b=1", "a=1 ,b",
        "a={\"k\":[1,{\"n\":null}]},b=[true,false]", "a=\"\\ud800\"", "a[-1]=1", "a[70000]=1",
    ],
    "literal": [
        "a=b,c=d", "a.b=c", "a[0]=x,y", "a[0].b=c", "a", "a[0", "a[x]=1", "a,b=c",
        "a\\.b=c", "a[0][1]=z", "a[0]y=1", "=x", "a.=x", "a[-1]=x", "a[70000]=x", "a==",
    ],
    "file": [
        "a=f1", "a=missing", "a={f1,missing}", "a={f1,f2}", "a=dir", "a=", "a=,b=f1",
        "a=comma\\,name", "a=sp ace", "a[0]=f2,a[1]=empty", "a.b=uni", "a[0]=missing",
        "a={}",
    ],
}


def sdk_check() -> None:
    helm = helm_python.helm_sdk_version()
    if helm != EXPECTED_HELM:
        sys.exit(f"oracle embeds Helm {helm}, goldens need {EXPECTED_HELM}")


def run(kind: str, expr: str) -> dict[str, str]:
    case = {"kind": kind, "input": expr}
    try:
        case["result"] = _native.call_string(NATIVE[kind], expr)
    except helm_python.HelmError as err:
        case["error"] = str(err)
    return case


def file_table() -> dict[str, dict[str, str]]:
    """What Helm's reader gives for each path (asked through --set-file itself)."""
    table = {}
    for path in FILE_PATHS:
        case = run("file", "k=" + escape_value(path) + ",")
        if "result" in case:
            table[path] = {"content": json.loads(case["result"])["k"]}
        else:
            table[path] = {"error": case["error"]}
    return table


def generate() -> tuple[str, str]:
    sdk_check()
    rng = random.Random(SEED)
    grammar = Grammar(rng)
    cases: list[dict[str, str]] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, expr: str) -> None:
        if "\x00" in expr or (kind, expr) in seen:
            return  # NUL cannot cross the C boundary; duplicates add nothing
        seen.add((kind, expr))
        cases.append(run(kind, expr))

    with tempfile.TemporaryDirectory() as scratch:
        cwd = os.getcwd()
        os.chdir(scratch)
        try:
            for name, content in FILE_CONTENTS.items():
                Path(name).write_text(content, encoding="utf-8")
            Path("dir").mkdir()
            files = file_table()
            for kind in NATIVE:
                for expr in CURATED[kind]:
                    add(kind, expr)
                for _ in range(GENERATED_PER_KIND[kind]):
                    add(kind, grammar.expression(kind))
                for _ in range(FUZZ_PER_KIND[kind]):
                    add(kind, grammar.fuzz())
        finally:
            os.chdir(cwd)

    lines = "".join(json.dumps(c, ensure_ascii=False, sort_keys=True) + "\n" for c in cases)
    table = json.dumps(files, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
    return lines, table


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the committed goldens")
    args = parser.parse_args()
    lines, table = generate()
    if args.check:
        drift = [p for p, text in ((CASES, lines), (FILES, table))
                 if not p.exists() or p.read_text(encoding="utf-8") != text]
        for path in drift:
            print(f"drift: {path.relative_to(REPO)}", file=sys.stderr)
        return 1 if drift else 0
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    CASES.write_text(lines, encoding="utf-8")
    FILES.write_text(table, encoding="utf-8")
    count = lines.count("\n")
    errors = sum('"error"' in line for line in lines.split("\n"))
    print(f"wrote {count} cases ({errors} errors) to {CASES.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
