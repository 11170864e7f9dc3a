#!/usr/bin/env python3
"""Checks that workflows use this repository's action as action.yml declares it.

actionlint checks the inputs of actions it knows, not of `helmpilot/helmpilot@...`; this
does that part: every `with:` key of a step using the action is a declared input and every
`steps.<id>.outputs.<name>` read from such a step is a declared output. It also checks what
the Marketplace requires of action.yml beyond its schema: a description for every input and
an action description under 125 characters. Runs with a Python that has ruamel.yaml (the
lint virtualenv: check-jsonschema depends on it).

    python scripts/ci/check_action_usage.py action.yml WORKFLOW...
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from ruamel.yaml import YAML

# `uses:` values that name this action: the published one at any ref, or the local copy.
ACTION_USES = re.compile(r"^(?:helmpilot/helmpilot@.+|\./?)$")
OUTPUT_REF = re.compile(r"steps\.([A-Za-z_][\w-]*)\.outputs\.([A-Za-z_][\w-]*)")


def walk_strings(node):
    if isinstance(node, dict):
        for value in node.values():
            yield from walk_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from walk_strings(value)
    elif isinstance(node, str):
        yield node


def main(argv: list[str]) -> int:
    if len(argv) < 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    yaml = YAML(typ="safe")
    action = yaml.load(Path(argv[0]).read_text())
    inputs = action.get("inputs") or {}
    outputs = set(action.get("outputs") or {})
    problems = [
        f"{argv[0]}: input {name} has no description"
        for name, spec in inputs.items()
        if not (spec or {}).get("description")
    ]
    # The Marketplace refuses to publish an action whose description has 125 characters
    # or more ("Description must be less than 125 characters").
    description = str(action.get("description", ""))
    if not description or len(description) >= 125:
        problems.append(
            f"{argv[0]}: description has {len(description)} characters; the Marketplace "
            "needs 1 to 124"
        )
    uses_found = 0
    for path in argv[1:]:
        workflow = yaml.load(Path(path).read_text())
        for job_name, job in (workflow.get("jobs") or {}).items():
            ours = set()
            for index, step in enumerate(job.get("steps") or []):
                if not ACTION_USES.match(str(step.get("uses", ""))):
                    continue
                uses_found += 1
                if "id" in step:
                    ours.add(step["id"])
                for key in step.get("with") or {}:
                    if key not in inputs:
                        problems.append(
                            f"{path}: jobs.{job_name}.steps[{index}]: input {key!r} is not "
                            f"declared in {argv[0]} (declared: {', '.join(inputs)})"
                        )
            for text in walk_strings(job):
                for step_id, output in OUTPUT_REF.findall(text):
                    if step_id in ours and output not in outputs:
                        problems.append(
                            f"{path}: jobs.{job_name}: output {output!r} of step {step_id} is "
                            f"not declared in {argv[0]} (declared: {', '.join(sorted(outputs))})"
                        )
    if uses_found == 0:
        problems.append(f"no step in {', '.join(argv[1:])} uses the action")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
