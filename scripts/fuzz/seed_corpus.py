#!/usr/bin/env python3
"""Writes the seed corpus of the cargo-fuzz target ``parse_exec`` from the goldens.

Every case of ``fixtures/template-conformance/goldens/*.json`` becomes one file in
``fuzz/corpus/parse_exec/`` in the target's input layout: the values as one line of
JSON, then the template, then each partial preceded by a NUL byte. The directory is
recreated from scratch (it is gitignored) unless ``--keep`` is given, which only
(re)writes the seed files and keeps what fuzzing added; files are named after the golden
and case so reruns give the same seeds.

    python3 scripts/fuzz/seed_corpus.py            # -> fuzz/corpus/parse_exec/
    python3 scripts/fuzz/seed_corpus.py --keep     # keep inputs found by fuzzing
    python3 scripts/fuzz/seed_corpus.py --out DIR
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
GOLDENS = REPO / "fixtures" / "template-conformance" / "goldens"
DEFAULT_OUT = REPO / "fuzz" / "corpus" / "parse_exec"


def encode_case(case: dict[str, Any]) -> bytes:
    """One fuzz input: a JSON values line, the template, then NUL-separated partials."""
    values = json.dumps(case.get("values") or {}, ensure_ascii=False, separators=(",", ":"))
    parts = [case["template"]]
    for _name, text in sorted((case.get("partials") or {}).items()):
        parts.append(text)
    return (values + "\n" + "\0".join(parts)).encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--goldens", type=Path, default=GOLDENS,
                        help="directory of golden JSON files (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="corpus directory to (re)create (default: %(default)s)")
    parser.add_argument("--keep", action="store_true",
                        help="keep the directory's other files (the corpus grown by fuzzing)")
    args = parser.parse_args(argv)

    golden_files = sorted(args.goldens.glob("*.json"))
    if not golden_files:
        print(f"error: no goldens in {args.goldens}", file=sys.stderr)
        return 2
    if args.out.exists() and not args.keep:
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True, exist_ok=True)
    count = 0
    for path in golden_files:
        for i, case in enumerate(json.loads(path.read_text(encoding="utf-8"))):
            name = case.get("name") or str(i)
            (args.out / f"{path.stem}--{name}").write_bytes(encode_case(case))
            count += 1
    print(f"wrote {count} seeds from {len(golden_files)} golden files to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
