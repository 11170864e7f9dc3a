#!/usr/bin/env python3
"""Render one template with the pinned Helm oracle and print the output or the error.

    python3 scripts/oracle/try.py '{{ toYaml .Values }}' '{"a": 1}'

The template becomes templates/case.yaml of a throw-away chart (release "r", namespace
"ns"), exactly as the golden generator renders corpus cases.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import render_goldens  # noqa: E402


def main() -> None:
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    case = {"name": "try", "template": sys.argv[1]}
    if len(sys.argv) == 3:
        case["values"] = json.loads(sys.argv[2])
    helm = render_goldens.import_helm()
    with tempfile.TemporaryDirectory() as workdir:
        result = render_goldens.render_case(helm, Path(workdir), 0, case)
    if "output" in result:
        sys.stdout.write(result["output"])
        if not result["output"].endswith("\n"):
            sys.stdout.write("\n")
    else:
        print("ERROR:", result["error"])


if __name__ == "__main__":
    main()
