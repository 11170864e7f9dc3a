#!/usr/bin/env python3
"""Differential fuzzing of helmpilot's Go text/template engine against real Helm.

Random templates (Go template language and builtins; with ``--functions`` also
calls of Helm's function library, see function_calls.py) and random values are
rendered twice: by Helm (helm-python-sdk, in a child process so a hanging or
crashing case cannot take the fuzzer down) and by our engine (the
``render_cases`` example of ``helmpilot-template``, or ``render_chart_cases`` of
``helmpilot-chart`` with the function library, one long-lived subprocess fed
JSON lines). Results are compared with ``==``; every mismatch is recorded
and grouped by a normalised signature so classes of bugs can be fixed together.

    python3 scripts/fuzz/differential.py --minutes 5 --minimize
    python3 scripts/fuzz/differential.py --cases 2000 --seed 7 --no-build
    python3 scripts/fuzz/differential.py --functions --minutes 30 --minimize
    python3 scripts/fuzz/differential.py --replay target/fuzz-differential/mismatches.jsonl

See scripts/fuzz/README.md for what the output files contain.
"""

from __future__ import annotations

import argparse
import collections
import json
import multiprocessing
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterator

REPO = Path(__file__).resolve().parents[2]
DEFAULT_OUT = REPO / "target" / "fuzz-differential"

# The throw-away chart Helm renders: the same one the golden generator builds.
sys.path.insert(0, str(REPO / "scripts" / "oracle"))
from render_goldens import CHART_YAML, NAMESPACE, OUTPUT_KEY, RELEASE_NAME  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
import function_calls  # noqa: E402

Case = dict[str, Any]      # {"template": str, "values": dict, "partials": {name: text}}
Result = dict[str, Any]    # {"output": str} | {"error": str} | {"panic"|"crash"|"hang"|"skip": ...}


# ---------------------------------------------------------------------------
# Random values
# ---------------------------------------------------------------------------

# Map keys come from a small pool that templates also use, so field chains hit often.
# Most keys have a conventional kind (a loose schema, applied at every level), so that
# chains like .Values.m.m.s usually resolve; sometimes a key breaks its kind on purpose.
KEY_KINDS = {"s": "string", "n": "number", "b": "bool", "l": "list", "m": "map",
             "a": "any", "c": "any", "x": "any"}
KEYS = list(KEY_KINDS)
# Keys no value ever has: lookups of these exercise missing-key behaviour.
MISSING_KEYS = ["nope", "missing", "Z"]
# Unusual keys that values sometimes have; most are reachable only through index.
EXTRA_KEYS = ["a-b", "é", "1", "", "A", "a.b", "_x"]

STRING_VALUES = [
    "", "a", "b", "x", "hello", "Hello World", "x y", "1", "0", "true", "nil",
    "<b>&'\"", "é", "日本語", "a\nb", "tab\there", "%d", "{{ x }}", "a=b&c d",
    " ", "0x10", "😀", "\u2028", "back\\slash", "a", "m", "l", "<no value>", "<nil>",
    "%!d(MISSING)", "a\r\n", "\t", "-", "+1", "1e3", "a\u0000b", "\u00a0", "\x7f",
    "\u2029", "\ufffd", "e\u0301", "=", "</script>", "a\\u0041",
]
NUMBER_VALUES = [
    0, 1, -1, 2, 3, 10, 255, 1.5, -2.5, 0.1, 1e6, 1e21, 1e-7, 123456789,
    3.14159, -0.0, 2 ** 53, 1e100, 0.5, 100, 1e20, 4.0, 65,
    5e-324, 1.7976931348623157e308, 0.30000000000000004, 1 / 3, 12345678.9, -1e-7,
    2.5e-5, 1e300, 2 ** 53 + 1, 10 ** 30, 2 ** 64 + 1, 1e15, 1e16, 123456.0, 0.001,
]


def gen_scalar(rng: random.Random) -> Any:
    """A random JSON scalar: string, number, bool or null."""
    r = rng.random()
    if r < 0.4:
        return rng.choice(STRING_VALUES)
    if r < 0.75:
        return rng.choice(NUMBER_VALUES)
    if r < 0.9:
        return rng.choice([True, False])
    return None


def gen_value(rng: random.Random, depth: int) -> Any:
    """A random JSON value of any kind, nesting at most ``depth`` deep."""
    r = rng.random()
    if depth > 0 and r < 0.25:
        return gen_map(rng, depth - 1)
    if depth > 0 and r < 0.45:
        return gen_list(rng, depth - 1)
    return gen_scalar(rng)


def gen_list(rng: random.Random, depth: int) -> list[Any]:
    """A short list; half of the time its items are maps of the usual schema."""
    maps = rng.random() < 0.7 and depth > 0
    return [gen_map(rng, depth - 1) if maps else gen_value(rng, depth)
            for _ in range(rng.randint(0, 3))]


def gen_kind(rng: random.Random, kind: str, depth: int) -> Any:
    """A value of the given schema kind."""
    if kind == "string":
        return rng.choice(STRING_VALUES)
    if kind == "number":
        return rng.choice(NUMBER_VALUES)
    if kind == "bool":
        return rng.choice([True, False, True, False, None])
    if kind == "list":
        return gen_list(rng, depth - 1) if depth > 0 else []
    if kind == "map":
        return gen_map(rng, depth - 1) if depth > 0 else {}
    return gen_value(rng, depth)


def gen_map(rng: random.Random, depth: int, min_size: int = 0) -> dict[str, Any]:
    """A map with keys from the pool, mostly holding values of the key's kind."""
    keys = [k for k in KEYS if rng.random() < (0.95 if k == "m" else 0.7)]
    if len(keys) < min_size:
        keys = rng.sample(KEYS, min_size)
    out = {}
    if rng.random() < 0.1:
        keys.append(rng.choice(EXTRA_KEYS))
    for key in keys:
        kind = KEY_KINDS.get(key, "any") if rng.random() < 0.88 else "any"
        # Values of loosely typed keys nest less, to keep documents small.
        out[key] = gen_kind(rng, kind, depth if kind != "any" else depth // 2)
    return out


def gen_values(rng: random.Random) -> dict[str, Any]:
    """Values for ``.Values``: most pool keys present, nested up to three levels."""
    return gen_map(rng, 4, min_size=4)


# ---------------------------------------------------------------------------
# Random literals (as Go template source text)
# ---------------------------------------------------------------------------

INT_LITERALS = [
    "0", "1", "2", "3", "42", "-7", "+3", "-0", "1_000", "0x1F", "0X_ff", "-0xff",
    "0o17", "0O7", "017", "0b1011", "0B_1", "0x_1_0", "255", "65",
]
# Edge cases that overflow or do not parse: rare, or they would dominate the results.
RARE_INT_LITERALS = [
    "9223372036854775807", "-9223372036854775808", "18446744073709551615",
    "99999999999999999999", "1__0", "09", "0x", "1_", "0b2", "-0x8000000000000000",
]
FLOAT_LITERALS = [
    "1.5", "-2.25", ".5", "1.", "1e3", "1E-3", "1.5e+2", "0x1p-2", "0x1.8p3",
    "1_0.5", "6.02e23", "0.1", "1e21", "1e-7", "-0.0", "2.0", "3.14159",
    "1e6", "100.0", "0x1P+4", "1e20", "123456789.0", "0.000001", "1e-5",
]
RARE_FLOAT_LITERALS = ["1e309", "1e-320", "1e", "1.5e+", "0x1p", "1.2.3", "1e1_0", "0x.p1"]
IMAGINARY_LITERALS = ["1i", "2.5i", "0i", "1e3i", "1+2i", "-1-1i", "1.5-0.5i"]
RARE_IMAGINARY_LITERALS = ["0x10i", "1_0i", "0b1i", "1+2", "1i+2"]
CHAR_LITERALS = [
    "'a'", "'\\n'", "'\\''", "'\\x41'", "'\\u00e9'", "'\\U0001F600'", "'é'",
    "'\\\\'", "'\\101'", "'\"'", "' '", "'%'", "'😀'",
]
STRING_PIECES = [
    "a", "b", "x", "hello", " ", "Hello", "é", "日本", "😀", "%", "<", ">", "&", "'",
    "=", "}}", "{{", "\\n", "\\t", "\\\\", "\\\"", "\\x41", "\\u00e9", "\\U0001F600",
    "\\101", "\\a", "\\r", "\\v", "1", "true", "-", "/", "?", "+",
]
RARE_STRING_PIECES = ["\\xff", "\\xc3", "\\q", "\\'", "\\u12"]
RAW_PIECES = ["a", "\\n", "\"q\"", "\n", "x y", "é", "{{ 1 }}", "\\", "%d", "\t"]
# Verbs of fmt that do not depend on memory addresses (no %p).
PRINTF_VERBS = "vvvvdddssqxXobeEfFgGtcUT%"
PRINTF_FLAGS = "+-# 0"


def string_literal(rng: random.Random) -> str:
    """An interpreted or raw Go string literal with a few random pieces."""
    n = rng.choice([0, 1, 1, 2, 3])
    if rng.random() < 0.15:
        return "`" + "".join(rng.choice(RAW_PIECES) for _ in range(n)) + "`"
    pieces = [rng.choice(STRING_PIECES) for _ in range(n)]
    if rng.random() < 0.05:
        pieces.append(rng.choice(RARE_STRING_PIECES))
    return '"' + "".join(pieces) + '"'


def key_string_literal(rng: random.Random) -> str:
    """A string literal naming a (possibly missing) map key, for ``index``."""
    r = rng.random()
    key = rng.choice(KEYS) if r < 0.8 else rng.choice(MISSING_KEYS + EXTRA_KEYS)
    return f'"{key}"'


def pick(rng: random.Random, common: list[str], rare: list[str], p_rare: float = 0.03) -> str:
    """Mostly a common item, sometimes a rare one."""
    return rng.choice(rare if rng.random() < p_rare else common)


def number_literal(rng: random.Random) -> str:
    """An int, float or (rarely) imaginary literal in any of Go's notations."""
    r = rng.random()
    if r < 0.55:
        return pick(rng, INT_LITERALS, RARE_INT_LITERALS)
    if r < 0.93:
        return pick(rng, FLOAT_LITERALS, RARE_FLOAT_LITERALS)
    return pick(rng, IMAGINARY_LITERALS, RARE_IMAGINARY_LITERALS, 0.1)


def literal(rng: random.Random) -> str:
    """Any literal constant: string, raw string, char, number, bool or nil."""
    r = rng.random()
    if r < 0.35:
        return string_literal(rng)
    if r < 0.7:
        return number_literal(rng)
    if r < 0.8:
        return rng.choice(CHAR_LITERALS)
    if r < 0.95:
        return rng.choice(["true", "false"])
    return "nil"


def printf_format(rng: random.Random) -> tuple[str, int]:
    """A random printf format (source text of a string literal) and its argument count."""
    parts: list[str] = []
    needed = 0
    for _ in range(rng.randint(1, 3)):
        if rng.random() < 0.35:
            parts.append(rng.choice(["a", " ", "|", "x=", "é", "[", "]"]))
        spec = "%"
        spec += "".join(rng.choice(PRINTF_FLAGS) for _ in range(rng.choice([0, 0, 0, 1, 2])))
        if rng.random() < 0.08:
            spec += f"[{rng.randint(1, 3)}]"
        if rng.random() < 0.3:
            if rng.random() < 0.2:
                spec += "*"
                needed += 1
            else:
                spec += str(rng.randint(0, 12))
        if rng.random() < 0.3:
            r = rng.random()
            if r < 0.2:
                spec += "."
            elif r < 0.35:
                spec += ".*"
                needed += 1
            else:
                spec += "." + str(rng.randint(0, 8))
        verb = rng.choice(PRINTF_VERBS)
        if rng.random() < 0.03:
            verb = rng.choice(["z", "!", "w", ""])
        spec += verb
        if verb not in ("%", ""):
            needed += 1
        parts.append(spec)
    text = "".join(parts)
    if rng.random() < 0.1:
        return "`" + text + "`", needed
    return '"' + text + '"', needed


# ---------------------------------------------------------------------------
# Random templates
# ---------------------------------------------------------------------------

TEXT_PIECES = [
    "a", "b", "xyz", " ", "  ", "\n", "\n  ", "\t", "\r\n", "é", "<p>", "k: ", "- ",
    "}", "{ ", "%", "\\", ";", "|", "\n\n", " \n ", "\u00a0", "\v", "\f", "\r",
    "}}", "-", "*/",
]
TEMPLATE_NAMES = ["t1", "t2", "x", "helper.name", "a b", "T"]
PARTIAL_NAMES = ["helpers", "a", "z"]
VARIABLE_NAMES = ["$x", "$y", "$v", "$i", "$k", "$e"]

# name -> (min, max) explicit arguments when the function starts a command.
FUNCTION_ARITY = {
    "and": (1, 3), "or": (1, 3), "not": (1, 1), "len": (1, 1), "index": (1, 3),
    "print": (0, 3), "println": (0, 3), "printf": (1, 1),
    "eq": (2, 3), "ne": (2, 2), "lt": (2, 2), "le": (2, 2), "gt": (2, 2), "ge": (2, 2),
    "html": (1, 2), "js": (1, 2), "urlquery": (1, 2),
}
FUNCTION_WEIGHTS = {
    "and": 4, "or": 4, "not": 3, "len": 4, "index": 6, "print": 5, "println": 2,
    "printf": 9, "eq": 5, "ne": 2, "lt": 2, "le": 2, "gt": 2, "ge": 2,
    "html": 2, "js": 2, "urlquery": 2,
}


@dataclass
class Scope:
    """What the generator knows at one point of a template."""

    variables: list[str] = field(default_factory=list)  # declared, visible here
    in_range: bool = False        # break/continue allowed
    dot_is_root: bool = True      # dot is Helm's top-level object: never print it bare
    dollar_is_root: bool = True   # same for $
    dot_is_map: bool = False      # dot is (probably) a map of the usual schema
    depth: int = 0                # control-structure nesting so far
    callable: list[str] = field(default_factory=list)  # templates safe to call from here
    top_level: bool = True        # {{define}} allowed


@dataclass
class GenConfig:
    """Knobs of the template generator."""

    max_depth: int = 3
    max_bytes: int = 500
    mutate: float = 0.15
    functions: bool = False       # also call Helm's function library


class TemplateGenerator:
    """Generates one random case (template, values, partials) from an RNG.

    Templates are built top-down from a :class:`Scope` so that most are well-formed and
    execute meaningfully: variables are used only after their declaration, break and
    continue only inside range, template calls only go "downwards" (no unbounded
    recursion) and Helm's top-level object (which carries Release, Chart, Capabilities
    and more that our side does not model) is never printed, ranged over or compared
    as a whole.
    """

    def __init__(self, rng: random.Random, config: GenConfig):
        self.rng = rng
        self.config = config
        self.defined: list[str] = []   # template names in definition order
        self.pending: set[str] = set()  # names whose body is being generated

    # -- entry point -----------------------------------------------------

    def case(self) -> Case:
        """A random case; a configurable fraction is syntax-mutated."""
        for _ in range(20):
            self.defined = []
            partials = self.partials()
            count = self.rng.choice([1, 1, 2, 2, 3, 4, 5])
            template = self.body(Scope(callable=list(self.defined)), count)
            if len(template) + sum(len(t) for t in partials.values()) <= self.config.max_bytes:
                break
        case: Case = {"template": template, "values": gen_values(self.rng), "partials": partials}
        if self.rng.random() < self.config.mutate:
            case = mutate_case(self.rng, case)
        return case

    def partials(self) -> dict[str, str]:
        """Zero to two partial files, each holding a few definitions."""
        partials: dict[str, str] = {}
        r = self.rng.random()
        count = 0 if r < 0.6 else (1 if r < 0.9 else 2)
        for name in self.rng.sample(PARTIAL_NAMES, count):
            parts = []
            for _ in range(self.rng.randint(1, 2)):
                parts.append(self.define(Scope(callable=list(self.defined))))
                if self.rng.random() < 0.3:
                    parts.append(self.text())
            partials[name] = "".join(parts)
        return partials

    # -- delimiters --------------------------------------------------------

    def open(self) -> str:
        """A left delimiter, with or without trim marker and padding."""
        return self.rng.choice(["{{", "{{ ", "{{ ", "{{- ", "{{-  "])

    def close(self) -> str:
        """A right delimiter, with or without trim marker and padding."""
        return self.rng.choice(["}}", " }}", " }}", " -}}", "\n}}"])

    def action(self, inner: str) -> str:
        return self.open() + inner + self.close()

    # -- lists of nodes ------------------------------------------------------

    def body(self, scope: Scope, count: int) -> str:
        """A list of nodes; declarations extend the scope for the rest of the list."""
        scope = replace(scope, variables=list(scope.variables))
        return "".join(self.node(scope) for _ in range(count))

    def node(self, scope: Scope) -> str:
        """One random node of a list: text, action, comment or control structure."""
        rng = self.rng
        nested_ok = scope.depth < self.config.max_depth
        choices: list[tuple[float, Callable[[], str]]] = [
            (30, self.text),
            (30, lambda: self.action(self.pipeline(scope))),
            (3, self.comment),
            (6, lambda: self.declaration(scope)),
            (3 if scope.variables else 0, lambda: self.assignment(scope)),
            (8 if nested_ok else 0, lambda: self.if_node(scope)),
            (8 if nested_ok else 0, lambda: self.range_node(scope)),
            (6 if nested_ok else 0, lambda: self.with_node(scope)),
            ((4 if scope.callable else 0.3) if nested_ok else 0,
             lambda: self.template_call(scope)),
            (2 if nested_ok else 0, lambda: self.block_node(scope)),
            (4 if scope.in_range else 0, lambda: self.break_continue(scope)),
            (3 if scope.top_level and nested_ok else 0, lambda: self.define(scope)),
        ]
        total = sum(w for w, _ in choices)
        pick = rng.random() * total
        for weight, make in choices:
            pick -= weight
            if pick < 0 and weight > 0:
                return make()
        return self.text()

    def text(self) -> str:
        return "".join(self.rng.choice(TEXT_PIECES) for _ in range(self.rng.randint(1, 3)))

    def comment(self) -> str:
        inner = self.rng.choice(["/* c */", "/**/", "/* multi\nline */", "/* {{ x }} */"])
        if self.rng.random() < 0.05:     # malformed comments: parse errors in Go
            return self.rng.choice(["{{/* c */ }}", "{{ /* c */}}", "{{/* c }}", "{{-/* c */-}}"])
        if self.rng.random() < 0.4:
            return "{{- " + inner + " -}}"
        return "{{" + inner + "}}"

    def nested(self, scope: Scope, **changes: Any) -> Scope:
        """The scope of a nested list: one level deeper, no define allowed."""
        return replace(scope, depth=scope.depth + 1, top_level=False,
                       variables=list(scope.variables), **changes)

    def declaration(self, scope: Scope) -> str:
        """``{{ $x := pipeline }}``; the variable is visible afterwards in this list."""
        name = self.rng.choice(VARIABLE_NAMES)
        text = self.action(f"{name} := {self.pipeline(scope)}")
        scope.variables.append(name)
        return text

    def assignment(self, scope: Scope) -> str:
        name = self.rng.choice(scope.variables)
        return self.action(f"{name} = {self.pipeline(scope)}")

    def break_continue(self, scope: Scope) -> str:
        word = self.rng.choice(["break", "continue"])
        if self.rng.random() < 0.5:
            return self.action(f"if {self.pipeline(scope)}") + self.action(word) + self.action("end")
        return self.action(word)

    # -- control structures --------------------------------------------------

    def control_pipeline(self, scope: Scope, inner: Scope) -> str:
        """The pipeline of if/with, sometimes declaring a variable for the whole structure."""
        if self.rng.random() < 0.15:
            name = self.rng.choice(VARIABLE_NAMES)
            inner.variables.append(name)
            return f"{name} := {self.pipeline(scope)}"
        return self.pipeline(scope)

    def if_node(self, scope: Scope) -> str:
        inner = self.nested(scope)
        out = self.action("if " + self.control_pipeline(scope, inner))
        out += self.body(inner, self.rng.randint(0, 3))
        for _ in range(self.rng.choice([0, 0, 1, 2])):
            if self.rng.random() < 0.03:   # if ... else with ... end: a parse error in Go
                out += self.action("else with " + self.pipeline(inner))
                out += self.body(replace(inner, dot_is_root=False, dot_is_map=False),
                                 self.rng.randint(0, 2))
            else:
                out += self.action("else if " + self.pipeline(inner))
                out += self.body(inner, self.rng.randint(0, 2))
        if self.rng.random() < 0.4:
            out += self.action("else") + self.body(inner, self.rng.randint(0, 2))
        return out + self.action("end")

    def with_node(self, scope: Scope) -> str:
        inner = self.nested(scope, dot_is_root=False, dot_is_map=False)
        outer = self.nested(scope)
        if self.rng.random() < 0.5:
            subject = self.field_chain(scope, prefer=["m"])
            inner.dot_is_map = subject.endswith((".m", ".Values"))
        else:
            subject = self.control_pipeline(scope, inner)
        out = self.action("with " + subject)
        out += self.body(inner, self.rng.randint(0, 3))
        for _ in range(self.rng.choice([0, 0, 1])):
            if self.rng.random() < 0.03:   # with ... else if ... end: a parse error in Go
                out += self.action("else if " + self.pipeline(outer))
                out += self.body(outer, self.rng.randint(0, 2))
            else:
                out += self.action("else with " + self.pipeline(outer))
                out += self.body(replace(inner, dot_is_map=False), self.rng.randint(0, 2))
        if self.rng.random() < 0.4:
            out += self.action("else") + self.body(outer, self.rng.randint(0, 2))
        return out + self.action("end")

    def range_subject(self, scope: Scope) -> str:
        """What to range over: mostly lists and maps from values, sometimes ints."""
        r = self.rng.random()
        if r < 0.2:
            return self.rng.choice(["0", "1", "2", "3", "-1", "(len .Values.l)"
                                    if scope.dot_is_root else "(len .)"])
        if r < 0.3 and scope.variables:
            return self.rng.choice(scope.variables)
        if r < 0.35:
            return self.operand(scope)
        return self.field_chain(scope, prefer=["l", "m"])

    def range_node(self, scope: Scope) -> str:
        inner = self.nested(scope, dot_is_root=False, dot_is_map=False, in_range=True)
        outer = self.nested(scope)
        head = "range "
        r = self.rng.random()
        if r < 0.35:
            a, b = self.rng.sample(VARIABLE_NAMES, 2)
            head += f"{a}, {b} := "
            inner.variables += [a, b]
        elif r < 0.65:
            a = self.rng.choice(VARIABLE_NAMES)
            head += f"{a} := "
            inner.variables.append(a)
        elif r < 0.68 and len(scope.variables) >= 2:
            a, b = self.rng.sample(scope.variables, 2)
            head += f"{a}, {b} = "
        out = self.action(head + self.range_subject(scope))
        out += self.body(inner, self.rng.randint(0, 3))
        if self.rng.random() < 0.3:
            out += self.action("else") + self.body(outer, self.rng.randint(0, 2))
        return out + self.action("end")

    def template_argument(self, scope: Scope, required: bool = False) -> str:
        """Data for a template call (never Helm's top-level object)."""
        r = self.rng.random()
        if r < 0.15 and not required:
            return ""
        if r < 0.7:
            return " " + self.field_chain(scope, prefer=["m"])
        return " " + self.pipeline(scope, allow_pipes=self.rng.random() < 0.2)

    def template_call(self, scope: Scope) -> str:
        if scope.callable and self.rng.random() < 0.9:
            name = self.rng.choice(scope.callable)
        else:
            name = self.rng.choice(TEMPLATE_NAMES)
        return self.action(f'template "{name}"' + self.template_argument(scope))

    def new_template_name(self) -> str:
        """A name for define/block; occasionally one already defined (redefinition)."""
        redefinable = [n for n in self.defined if n not in self.pending]
        if redefinable and self.rng.random() < 0.1:
            return self.rng.choice(redefinable)
        fresh = [n for n in TEMPLATE_NAMES if n not in self.defined and n not in self.pending]
        return self.rng.choice(fresh) if fresh else self.rng.choice(TEMPLATE_NAMES)

    def template_scope(self, name: str) -> Scope:
        """The scope of a define/block body: dot is the call's argument, never the root."""
        # A redefinition calls nothing: calls to earlier templates could close a cycle.
        callable_names = [] if name in self.defined else list(self.defined)
        if self.rng.random() < 0.01:
            callable_names.append(name)     # rare direct recursion: Go's depth limit
        return Scope(dot_is_root=False, dollar_is_root=False, depth=1, top_level=False,
                     callable=callable_names)

    def define(self, scope: Scope) -> str:
        name = self.new_template_name()
        self.pending.add(name)    # a nested block must not reuse it: endless recursion
        body = self.body(self.template_scope(name), self.rng.randint(0, 3))
        self.pending.discard(name)
        self.defined.append(name)
        scope.callable.append(name)
        return self.action(f'define "{name}"') + body + self.action("end")

    def block_node(self, scope: Scope) -> str:
        name = self.new_template_name()
        arg = self.template_argument(scope, required=True)
        self.pending.add(name)
        body = self.body(self.template_scope(name), self.rng.randint(0, 2))
        self.pending.discard(name)
        self.defined.append(name)
        scope.callable.append(name)
        return self.action(f'block "{name}"{arg}') + body + self.action("end")

    # -- pipelines, commands, operands ---------------------------------------

    def pipeline(self, scope: Scope, allow_pipes: bool = True) -> str:
        """``command | command ...``; later stages receive the previous result."""
        commands = [self.command(scope)]
        if allow_pipes:
            for _ in range(self.rng.choice([0, 0, 0, 0, 1, 1, 2])):
                commands.append(self.function_call(scope, piped=True))
        return self.rng.choice([" | ", " | ", "|"]).join(commands)

    def command(self, scope: Scope) -> str:
        r = self.rng.random()
        if r < 0.4:
            operand = self.operand(scope)
            # A lone nil is a (deliberate) error in Go; keep it rare.
            return operand if operand != "nil" or self.rng.random() < 0.1 else "true"
        if r < 0.42:
            # A field given arguments, or call on a non-function: both execution errors.
            return self.rng.choice(["call ", self.field_chain(scope) + " "]) + self.operand(scope)
        return self.function_call(scope, piped=False)

    def function_call(self, scope: Scope, piped: bool) -> str:
        """A builtin with arguments; when piped, the last argument comes from the pipe."""
        rng = self.rng
        if self.config.functions and rng.random() < 0.7:
            return self.library_call(scope, piped)
        names = list(FUNCTION_WEIGHTS)
        name = rng.choices(names, weights=[FUNCTION_WEIGHTS[n] for n in names])[0]
        low, high = FUNCTION_ARITY[name]
        count = rng.randint(low, high)
        if piped:
            count = max(0, count - 1) if name != "printf" else 1
        if rng.random() < 0.05:
            count = rng.randint(0, 4)            # wrong arity on purpose
        args = self.arguments(scope, name, count)
        return " ".join([name] + args)

    def library_call(self, scope: Scope, piped: bool) -> str:
        """A call of one of Helm's functions, arguments mostly shaped for it."""
        rng = self.rng
        names = [n for n in function_calls.SHAPES
                 if not (piped and n in function_calls.STRICT)]
        name = rng.choice(names)
        wrong_arity = rng.random() < 0.05 and name not in function_calls.STRICT
        args = function_calls.arguments(
            name, rng.randint(0, 4) if wrong_arity else None, rng,
            lambda prefer: self.field_chain(scope, prefer=prefer or None),
            lambda: self.operand(scope), scope.callable, piped)
        return " ".join([name] + args)

    def arguments(self, scope: Scope, name: str, count: int) -> list[str]:
        """Arguments shaped for the function so calls mostly succeed."""
        rng = self.rng
        if name == "printf" and count >= 1:
            fmt, needed = printf_format(rng)
            extra = max(0, needed + rng.choice([0, 0, 0, 0, -1, 1]))
            return [fmt] + [self.operand(scope) for _ in range(min(extra, 4))]
        if name == "index" and count >= 1:
            args = [self.field_chain(scope, prefer=["l", "m"]) if rng.random() < 0.8
                    else self.operand(scope)]
            for _ in range(count - 1):
                args.append(self.index_key(scope))
            return args
        if name == "len" and count >= 1:
            return [self.field_chain(scope, prefer=["l", "m", "s"]) if rng.random() < 0.8
                    else self.operand(scope)] + [self.operand(scope) for _ in range(count - 1)]
        if name in ("eq", "ne", "lt", "le", "gt", "ge"):
            return self.comparison_arguments(scope, name, count)
        return [self.operand(scope) for _ in range(count)]

    def index_key(self, scope: Scope) -> str:
        r = self.rng.random()
        if r < 0.4:
            return self.rng.choice(["0", "1", "2", "-1", "5", "1.0", "nil", "'a'"])
        if r < 0.8:
            return key_string_literal(self.rng)
        return self.operand(scope)

    def comparison_arguments(self, scope: Scope, name: str, count: int) -> list[str]:
        """Arguments of eq/ne/lt/...: mostly of one type (values hold float64s)."""
        rng = self.rng
        kinds = ["number", "number", "string", "int", "any"]
        kind = rng.choice(kinds + ["bool"] if name in ("eq", "ne") else kinds)
        def one() -> str:
            r = rng.random()
            if kind == "number":
                return (self.field_chain(scope, prefer=["n"]) if r < 0.5
                        else rng.choice(["1.5", "1.0", "0.0", "-2.5", "3.0", "1e6", "255.0",
                                         "0x1p-2", "100.0"]))
            if kind == "string":
                return (self.field_chain(scope, prefer=["s"]) if r < 0.5
                        else rng.choice(['"a"', '"x"', '""', '"hello"', '"é"', "`a`"]))
            if kind == "int":
                return (rng.choice(["(len .Values.l)", "(len .Values.s)"]) if r < 0.3
                        and scope.dot_is_root else
                        rng.choice(["1", "0", "2", "-1", "65", "'a'", "0x10", "3"]))
            if kind == "bool":
                return (self.field_chain(scope, prefer=["b"]) if r < 0.4
                        else rng.choice(["true", "false", "(not 0)"]))
            return (self.field_chain(scope) if r < 0.4 else
                    rng.choice(["1", "1.5", '"a"', "true", "nil", "'a'"]) if r < 0.8
                    else self.operand(scope))
        return [one() for _ in range(count)]

    def operand(self, scope: Scope) -> str:
        """A term: literal, field chain, variable or parenthesised pipeline."""
        r = self.rng.random()
        if r < 0.3:
            return literal(self.rng)
        if r < 0.8:
            return self.field_chain(scope)
        if r < 0.9 and scope.variables:
            return self.rng.choice(scope.variables) + self.chain(0, 1)
        if scope.depth < self.config.max_depth + 2:
            deeper = replace(scope, depth=scope.depth + 1)
            inner = self.pipeline(deeper, allow_pipes=self.rng.random() < 0.3)
            return f"({inner})" + (self.chain(1, 2) if self.rng.random() < 0.15 else "")
        return literal(self.rng)

    def chain(self, low: int, high: int, prefer: list[str] | None = None) -> str:
        """``.k1.k2``: inner keys mostly maps, the last one from ``prefer`` or any key."""
        rng = self.rng
        count = rng.choice([low, low, low + 1, high]) if high > low else low
        inner = ["m"] * 20 + ["a", "l"]
        keys = [rng.choice(inner) for _ in range(max(0, count - 1))]
        if count > 0:
            r = rng.random()
            if prefer and r < 0.75:
                keys.append(rng.choice(prefer))
            elif r < 0.92:
                keys.append(rng.choice(KEYS))
            else:
                keys.append(rng.choice(MISSING_KEYS + ["é", "A", "_x"]))
        return "".join("." + k for k in keys)

    def field_chain(self, scope: Scope, prefer: list[str] | None = None) -> str:
        """A field chain rooted at dot, ``$`` or a variable that never prints the root."""
        rng = self.rng
        r = rng.random()
        if scope.variables and r < 0.15:
            return rng.choice(scope.variables) + self.chain(0, 2, prefer)
        if scope.dot_is_root:
            if r < 0.2 and scope.dollar_is_root:
                return "$.Values" + self.chain(1 if rng.random() < 0.9 else 0, 2, prefer)
            if r < 0.23:
                return rng.choice([".Template.Name", ".Template.BasePath"])
            return ".Values" + self.chain(1 if rng.random() < 0.9 else 0, 3, prefer)
        if r < (0.2 if scope.dot_is_map else 0.45):
            return "."
        if r < 0.55 and not scope.dollar_is_root:
            return "$" + self.chain(0, 2, prefer)
        if r < 0.55 and scope.dollar_is_root:
            return "$.Values" + self.chain(1, 2, prefer)
        return self.chain(1, 2, prefer)


# ---------------------------------------------------------------------------
# Template text utilities: chunks (text/actions) and tokens, for mutation and shrinking
# ---------------------------------------------------------------------------


def _skip_quoted(text: str, i: int) -> int:
    """Index just after the quoted literal starting at ``text[i]`` (or the end of text)."""
    quote = text[i]
    j = i + 1
    while j < len(text):
        c = text[j]
        if c == "\\" and quote != "`":
            j += 2
            continue
        if c == quote:
            return j + 1
        if c == "\n" and quote != "`":
            return j          # unterminated: Go stops here too
        j += 1
    return len(text)


def split_chunks(text: str) -> list[str]:
    """Splits a template into text chunks and whole actions (``{{ ... }}``, comments).

    The concatenation of the chunks is the original text. Quotes inside actions are
    respected so ``{{ "}}" }}`` stays one chunk; an unterminated action runs to the end.
    """
    chunks: list[str] = []
    i = 0
    while i < len(text):
        start = text.find("{{", i)
        if start < 0:
            chunks.append(text[i:])
            break
        if start > i:
            chunks.append(text[i:start])
        j = start + 2
        end = len(text)
        while j < len(text):
            if text.startswith("/*", j):
                k = text.find("*/", j + 2)
                j = len(text) if k < 0 else k + 2
            elif text[j] in "\"'`":
                j = _skip_quoted(text, j)
            elif text.startswith("}}", j):
                end = j + 2
                break
            else:
                j += 1
        chunks.append(text[start:end])
        i = end
    return chunks


TOKEN_RE = re.compile(
    r"""\{\{-?|-?\}\}|"(?:\\.|[^"\\\n])*"?|`[^`]*`?|'(?:\\.|[^'\\\n])*'?|/\*.*?\*/"""
    r"""|:=|[$.]?[\w.$+-]+|\s+|.""",
    re.S,
)


def tokenize(text: str) -> list[str]:
    """A rough Go-template tokenisation; the tokens concatenate back to ``text``."""
    return TOKEN_RE.findall(text)


MUTATION_TOKENS = ["{{", "}}", "{{-", "-}}", "end", "else", "if", "range", "with", "(", ")",
                   "|", ":=", "=", ",", '"', "`", "'", "$x.", ".a", "-", " ", "define", "break",
                   "nil", "$x", ".Values", "/*", "*/", "else if", "template", "\n"]


def mutate_text(rng: random.Random, text: str) -> str:
    """Applies one or two random token-level edits to break the syntax."""
    for _ in range(rng.randint(1, 2)):
        tokens = tokenize(text)
        if not tokens:
            tokens = [""]
        i = rng.randrange(len(tokens))
        op = rng.choice(["drop", "drop", "dup", "swap", "insert", "replace", "truncate"])
        if op == "drop":
            del tokens[i]
        elif op == "dup":
            tokens.insert(i, tokens[i])
        elif op == "swap" and i + 1 < len(tokens):
            tokens[i], tokens[i + 1] = tokens[i + 1], tokens[i]
        elif op == "insert":
            tokens.insert(i, rng.choice(MUTATION_TOKENS))
        elif op == "replace":
            tokens[i] = rng.choice(MUTATION_TOKENS)
        elif op == "truncate":
            joined = "".join(tokens)
            tokens = [joined[: rng.randint(0, len(joined))]]
        text = "".join(tokens)
    return text


def mutate_case(rng: random.Random, case: Case) -> Case:
    """Mutates the main template, or sometimes a partial."""
    case = json.loads(json.dumps(case))
    if case["partials"] and rng.random() < 0.25:
        name = rng.choice(sorted(case["partials"]))
        case["partials"][name] = mutate_text(rng, case["partials"][name])
    else:
        case["template"] = mutate_text(rng, case["template"])
    return case


# ---------------------------------------------------------------------------
# The two renderers
# ---------------------------------------------------------------------------


def _write_text(path: Path, text: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(text)


def render_with_helm(helm: Any, workdir: Path, index: int, case: Case) -> Result:
    """Renders one case with Helm the way scripts/oracle/render_goldens.py does."""
    chart = workdir / f"c{index}"
    templates = chart / "templates"
    templates.mkdir(parents=True)
    try:
        _write_text(chart / "Chart.yaml", CHART_YAML)
        _write_text(templates / "case.yaml", case["template"])
        for name, text in (case.get("partials") or {}).items():
            _write_text(templates / f"_{name}.tpl", text)
        with helm.Chart.load(str(chart)) as loaded:
            manifests = loaded.render(values=case.get("values") or {},
                                      name=RELEASE_NAME, namespace=NAMESPACE)
    except helm.HelmError as exc:
        return {"error": str(exc)}
    except Exception as exc:  # noqa: BLE001 - anything else is a harness problem
        return {"skip": f"helm harness: {type(exc).__name__}: {exc}"}
    finally:
        shutil.rmtree(chart, ignore_errors=True)
    if OUTPUT_KEY not in manifests:
        return {"skip": f"helm returned no {OUTPUT_KEY}"}
    return {"output": manifests[OUTPUT_KEY]}


def helm_worker(conn: Any, workdir: str) -> None:
    """Child process: renders the cases it receives until the pipe closes."""
    import helm_python as helm  # imported here only: the Go runtime must not be forked

    index = 0
    while True:
        try:
            case = conn.recv()
        except (EOFError, OSError):
            return
        index += 1
        conn.send(render_with_helm(helm, Path(workdir), index, case))


class HelmOracle:
    """Helm in a child process, restarted when a case hangs or kills it."""

    def __init__(self, timeout: float):
        self.timeout = timeout
        self.context = multiprocessing.get_context("spawn")
        base = "/dev/shm" if os.path.isdir("/dev/shm") and os.access("/dev/shm", os.W_OK) else None
        self.workdir = tempfile.mkdtemp(prefix="helmpilot-fuzz-", dir=base)
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        parent, child = self.context.Pipe()
        self.process = self.context.Process(target=helm_worker, args=(child, self.workdir),
                                            daemon=True)
        self.process.start()
        child.close()
        self.conn = parent

    def restart(self) -> None:
        self.restarts += 1
        self.process.kill()
        self.process.join()
        self.conn.close()
        shutil.rmtree(self.workdir, ignore_errors=True)
        os.makedirs(self.workdir, exist_ok=True)
        self._start()

    def submit(self, case: Case) -> None:
        self.conn.send(case)

    def result(self) -> Result:
        """The result of the submitted case, or ``{"skip": ...}`` on timeout or crash."""
        try:
            if self.conn.poll(self.timeout):
                return self.conn.recv()
        except (EOFError, OSError):
            self.restart()
            return {"skip": "helm worker died"}
        self.restart()
        return {"skip": f"helm timed out after {self.timeout:g}s"}

    def close(self) -> None:
        self.conn.close()
        self.process.join(timeout=5)
        if self.process.is_alive():
            self.process.kill()
        shutil.rmtree(self.workdir, ignore_errors=True)


class OurRenderer:
    """The ``render_cases`` binary as a long-lived subprocess fed one JSON line per case."""

    def __init__(self, binary: Path, timeout: float):
        self.binary = binary
        self.timeout = timeout
        self.restarts = 0
        self._start()

    def _start(self) -> None:
        self.process = subprocess.Popen(
            [str(self.binary)], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, env={**os.environ, "RUST_BACKTRACE": "0"})
        self.lines: queue.Queue[bytes | None] = queue.Queue()
        self.stderr: collections.deque[str] = collections.deque(maxlen=40)
        threading.Thread(target=self._pump_stdout, args=(self.process, self.lines),
                         daemon=True).start()
        threading.Thread(target=self._pump_stderr, args=(self.process, self.stderr),
                         daemon=True).start()

    @staticmethod
    def _pump_stdout(process: subprocess.Popen, lines: queue.Queue) -> None:
        for line in process.stdout:
            lines.put(line)
        lines.put(None)

    @staticmethod
    def _pump_stderr(process: subprocess.Popen, sink: collections.deque) -> None:
        for line in process.stderr:
            sink.append(line.decode("utf-8", "replace").rstrip("\n"))

    def restart(self) -> None:
        self.restarts += 1
        self.process.kill()
        self.process.wait()
        self._start()

    def submit(self, case: Case) -> None:
        self.stderr.clear()
        line = json.dumps(case, ensure_ascii=True) + "\n"
        try:
            self.process.stdin.write(line.encode("ascii"))
            self.process.stdin.flush()
        except (BrokenPipeError, OSError):
            pass   # noticed in result() as a crash

    def _stderr_text(self) -> str:
        time.sleep(0.05)   # let the stderr pump catch up with the panic message
        return "\n".join(self.stderr)

    def result(self) -> Result:
        """Our result for the submitted case; crashes and hangs restart the binary."""
        try:
            line = self.lines.get(timeout=self.timeout)
        except queue.Empty:
            self.restart()
            return {"hang": f"no answer within {self.timeout:g}s"}
        if line is None:
            self.process.wait()
            result = {"crash": f"exit status {self.process.returncode}",
                      "stderr": self._stderr_text()}
            self.restart()
            return result
        result = json.loads(line)
        if "panic" in result:
            result["stderr"] = self._stderr_text()
        return result

    def close(self) -> None:
        try:
            self.process.stdin.close()
            self.process.wait(timeout=5)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()


class Renderers:
    """Both renderers; a case is sent to both before waiting, so they run in parallel."""

    def __init__(self, binary: Path, our_timeout: float, helm_timeout: float):
        self.helm = HelmOracle(helm_timeout)
        self.ours = OurRenderer(binary, our_timeout)

    def render(self, case: Case) -> tuple[Result, Result]:
        self.ours.submit(case)
        self.helm.submit(case)
        helm = self.helm.result()
        ours = self.ours.result()
        return helm, ours

    def helm_varies(self, case: Case, first: Result, tries: int = 7) -> bool:
        """Whether Helm renders ``case`` differently on one of ``tries`` more attempts:
        Go's map iteration order is random, so a few cases (keys, values, merges of maps
        that share storage) have no single right answer."""
        for _ in range(tries):
            self.helm.submit(case)
            if self.helm.result() != first:
                return True
        return False

    def close(self) -> None:
        self.ours.close()
        self.helm.close()


# ---------------------------------------------------------------------------
# Signatures: which class of bug a mismatch belongs to
# ---------------------------------------------------------------------------


def collapse_composites(text: str) -> str:
    """Replaces printed maps and lists (``map[k:v ...]``, ``[a b]``) by ``map[…]``/``[…]``."""
    out: list[str] = []
    i = 0
    while i < len(text):
        if text[i] == "[" and not text.startswith(("[string]", "[]"), i):
            depth, j = 0, i
            while j < len(text):
                depth += {"[": 1, "]": -1}.get(text[j], 0)
                if depth == 0:
                    break
                j += 1
            out.append("[…]")
            i = j + 1
        else:
            out.append(text[i])
            i += 1
    return "".join(out)


def normalize_message(line: str, limit: int = 160) -> str:
    """Erases the incidental parts of an error line: numbers, names, values, long quotes."""
    line = collapse_composites(line.strip())
    line = re.sub(r"<[^<>]*>", "<…>", line)
    line = re.sub(r'"(?:[^"\\]|\\.){13,}"', '"…"', line)
    line = re.sub(r"\b(field|variable|function|template:?|key|method) [$\w.\"-]+", r"\1 X", line)
    line = re.sub(r"\$\w+", "$V", line)
    line = re.sub(r"\d+", "N", line)
    return line[:limit]


EXEC_ONE_LINE_RE = re.compile(r'template: [^\n]*?: executing "[^"\n]*" at <.*?>: ', re.S)
EXEC_MULTI_LINE_RE = re.compile(r'[^\n]*\n  executing "[^"\n]*" at <.*?>:\n    ', re.S)
PARSE_RE = re.compile(r"(?:template: )?parse error at \([^)\n]*\): ")


def split_error(message: str) -> tuple[str, str]:
    """Splits a Helm error text into its framing (where) and its core (what went wrong).

    Helm shows errors as ``template: NAME:L:C: executing "NAME" at <NODE>: MSG``,
    as ``NAME:L:C\n  executing "NAME" at <NODE>:\n    MSG`` or as
    ``parse error at (NAME:L): MSG``; the core is ``MSG`` (which may span lines when
    it prints values holding newlines).
    """
    for pattern in (EXEC_ONE_LINE_RE, EXEC_MULTI_LINE_RE, PARSE_RE):
        m = pattern.match(message)
        if m:
            return message[: m.end()], message[m.end():]
    return "", message


def error_core(message: str) -> str:
    return split_error(message)[1]


def middle_difference(a: str, b: str, width: int = 40) -> tuple[str, str]:
    """The parts of ``a`` and ``b`` between their common prefix and common suffix."""
    start = 0
    while start < min(len(a), len(b)) and a[start] == b[start]:
        start += 1
    end = 0
    while end < min(len(a), len(b)) - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    return a[start: len(a) - end][:width], b[start: len(b) - end][:width]


def output_difference(helm: str, ours: str) -> str:
    """The differing middle parts of two outputs, normalised (digits -> N)."""
    h, o = middle_difference(helm, ours, width=60)
    hn, on = re.sub(r"\d+", "N", h)[:24], re.sub(r"\d+", "N", o)[:24]
    if hn == on:     # only digits differ: show them
        hn, on = h[:24], o[:24]
    return f"helm {hn!r} vs ours {on!r}"


def error_kind(message: str) -> str:
    return "parse error" if "parse error" in message.split("\n")[0] else "exec error"


def panic_message(stderr: str) -> str:
    """The panic message of a Rust panic report (the line after 'panicked at')."""
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if "panicked at" in line:
            where = re.sub(r":\d+:\d+:?$", "", line.split("panicked at", 1)[1].strip())
            msg = lines[i + 1] if i + 1 < len(lines) else ""
            return f"{where}: {normalize_message(msg)}"
    return normalize_message(lines[-1]) if lines else "(no stderr)"


def signature(helm: Result, ours: Result) -> str:
    """A short description of a mismatch that groups mismatches of one cause."""
    if "panic" in ours:
        return "ours panics: " + panic_message(ours.get("stderr", ""))
    if "crash" in ours:
        return "ours crashes: " + panic_message(ours.get("stderr", ""))
    if "hang" in ours:
        return "ours hangs"
    if "invalid_input" in ours:
        return "ours rejects the input: " + normalize_message(ours["invalid_input"])
    if "error" in helm and "error" in ours:
        h, o = helm["error"], ours["error"]
        (h_frame, h_core), (o_frame, o_core) = split_error(h), split_error(o)
        hc, oc = normalize_message(h_core, 100_000), normalize_message(o_core, 100_000)
        if error_kind(h) != error_kind(o):
            return (f"{error_kind(h)} vs {error_kind(o)}: helm {hc[:100]!r} vs ours {oc[:100]!r}")
        if hc != oc:
            hd, od = middle_difference(hc, oc)
            return f"{error_kind(h)} message differs: helm {hd!r} vs ours {od!r}"
        hf, of = normalize_message(h_frame, 100_000), normalize_message(o_frame, 100_000)
        if hf != of:
            hd, od = middle_difference(hf, of)
            return f"{error_kind(h)} framing differs: helm {hd!r} vs ours {od!r}"
        return f"{error_kind(h)} location or names differ: {hc[:100]}"
    if "error" in helm:
        return (f"only helm fails ({error_kind(helm['error'])}): "
                f"{normalize_message(error_core(helm['error']))}")
    if "error" in ours:
        return (f"only ours fails ({error_kind(ours['error'])}): "
                f"{normalize_message(error_core(ours['error']))}")
    return "output differs: " + output_difference(helm.get("output", ""), ours.get("output", ""))


def shrink_class(helm: Result, ours: Result) -> str:
    """What minimisation must preserve. For errors, panics and hangs: the signature. For
    differing outputs only that they differ, since the exact difference changes as the
    template shrinks (the signature is recomputed on the result)."""
    sig = signature(helm, ours)
    return "output differs" if sig.startswith("output differs") else sig


def is_mismatch(helm: Result, ours: Result) -> bool:
    """Whether the results differ (for a case Helm did not skip).

    helm-python-sdk passes error texts through a C string, so Helm's error ends at the
    first NUL byte; ours is compared up to its first NUL too.
    """
    if "skip" in helm:
        return False
    if "error" in helm and "error" in ours and "\0" in ours["error"]:
        return helm["error"] != ours["error"].split("\0", 1)[0]
    return helm != ours


# Templates whose result can depend on the wall clock in Helm (a date function given a
# non-time value formats "now"). Our side reads the system clock too when fuzzing, so
# such a case can only differ when the two renders straddle a clock tick: it is
# re-rendered once before counting as a mismatch.
CLOCK_FUNCTIONS = re.compile(
    r"\b(date|dateInZone|date_in_zone|htmlDate|htmlDateInZone|durationRound|ago|now)\b")

# Escapes that put bytes which are not UTF-8 into a Go string literal: Go strings are
# byte strings, ours are UTF-8 (a documented divergence, see README), so a mismatch on
# such a template is counted apart instead of as a new class.
NON_UTF8_ESCAPE = re.compile(r"\\x[89a-fA-F][0-9a-fA-F]|\\[23][0-7][0-7]")
# Functions that cut strings by bytes (or decode bytes), making invalid UTF-8 from
# multi-byte characters.
BYTE_CUTTERS = re.compile(
    r"\b(trunc|substr|abbrev|abbrevboth|wrap|wrapWith|b64dec|b32dec|slice|mustSlice)\b")


def is_byte_string_case(case: Case, ours: Result) -> bool:
    """Whether a mismatch comes from Go's byte strings (see ``NON_UTF8_ESCAPE``)."""
    texts = [case["template"], *(case.get("partials") or {}).values()]
    if any(NON_UTF8_ESCAPE.search(text) for text in texts):
        return True
    ours_text = json.dumps(ours, ensure_ascii=False)
    if "\ufffd" in ours_text:
        return True
    text = json.dumps(case, ensure_ascii=False)
    return any(BYTE_CUTTERS.search(t) for t in texts) and not text.isascii()


# Fields of Helm's top-level object that the harness does not model.
ROOT_ONLY_FIELDS = {"Release", "Chart", "Capabilities", "Files", "Subcharts"}


def uses_root(template: str) -> bool:
    """Whether the main template uses Helm's top-level object as a whole (bare ``.`` where
    dot is the root, bare ``$`` outside template bodies) or one of its fields that the
    harness does not model. Our side's top-level object only has Values and Template, so
    such cases differ for no interesting reason; mutations and shrinking can create them.
    """
    stack: list[list[Any]] = []   # [keyword, in an else branch that keeps the outer dot]
    for chunk in split_chunks(template):
        if not chunk.startswith("{{") or re.match(r"\{\{-?\s*/\*", chunk):
            continue
        in_body = any(kw in ("define", "block") for kw, _ in stack)
        rebound = in_body or any(kw in ("with", "range") and not in_else
                                 for kw, in_else in stack)
        for tok in tokenize(chunk):
            first = tok[2:].split(".")[0] if tok.startswith("$.") else tok[1:].split(".")[0]
            if not in_body and (tok == "$" or (tok.startswith("$.") and first in ROOT_ONLY_FIELDS)):
                return True
            if not rebound and (tok == "." or (tok.startswith(".") and first in ROOT_ONLY_FIELDS)):
                return True
        keyword = action_keyword(chunk)
        if keyword in OPENERS:
            stack.append([keyword, False])
        elif keyword == "else" and stack:
            stack[-1][1] = not re.match(r"\{\{-?\s*else\s+with\b", chunk)
        elif keyword == "end" and stack:
            stack.pop()
    return False


def leaks_root(helm: Result) -> bool:
    """Whether Helm printed its top-level object, whose Release/Chart/Capabilities (with
    memory addresses) our harness does not model. Such cases are skipped, not compared."""
    text = helm.get("output") or helm.get("error") or ""
    return "Capabilities:" in text


# ---------------------------------------------------------------------------
# Minimisation
# ---------------------------------------------------------------------------

OPENERS = ("if", "range", "with", "define", "block")


def action_keyword(chunk: str) -> str | None:
    """The keyword of an action chunk (``if``, ``else``, ``end``...), if it has one."""
    m = re.match(r"\{\{-?\s*(\w+)", chunk)
    return m.group(1) if m and chunk.startswith("{{") else None


def matching_end(chunks: list[str], i: int) -> int | None:
    """Index of the ``{{end}}`` closing the structure opened at chunk ``i``."""
    depth = 0
    for j in range(i, len(chunks)):
        kw = action_keyword(chunks[j])
        if kw in OPENERS:
            depth += 1
        elif kw == "end":
            depth -= 1
            if depth == 0:
                return j
    return None


def branch_starts(chunks: list[str], i: int, end: int) -> list[int]:
    """Indexes of the top-level ``else`` chunks of the structure chunks[i..end]."""
    depth = 0
    starts = []
    for j in range(i + 1, end):
        kw = action_keyword(chunks[j])
        if kw in OPENERS:
            depth += 1
        elif kw == "end":
            depth -= 1
        elif kw == "else" and depth == 0:
            starts.append(j)
    return starts


def chunk_candidates(text: str) -> Iterator[str]:
    """Smaller variants of a template: whole chunks, blocks and branches removed."""
    chunks = split_chunks(text)
    n = len(chunks)
    size = n // 2
    while size >= 1:
        for i in range(0, n - size + 1):
            yield "".join(chunks[:i] + chunks[i + size:])
        size //= 2
    for i, chunk in enumerate(chunks):
        if action_keyword(chunk) not in OPENERS:
            continue
        end = matching_end(chunks, i)
        if end is None:
            continue
        elses = branch_starts(chunks, i, end)
        # The whole structure, then each branch body alone in its place.
        yield "".join(chunks[:i] + chunks[end + 1:])
        bounds = [i] + elses + [end]
        for a, b in zip(bounds, bounds[1:]):
            yield "".join(chunks[:i] + chunks[a + 1:b] + chunks[end + 1:])
        # Drop one else branch.
        for k, start in enumerate(elses):
            stop = elses[k + 1] if k + 1 < len(elses) else end
            yield "".join(chunks[:start] + chunks[stop:])


SIMPLE_LITERALS = ['""', "0", "1", '"a"', "true", "nil"]


def token_candidates(text: str) -> Iterator[str]:
    """Smaller variants from inside actions: tokens, groups and pipe stages removed."""
    chunks = split_chunks(text)
    for ci, chunk in enumerate(chunks):
        if not chunk.startswith("{{"):
            if len(chunk) > 1:
                yield "".join(chunks[:ci] + [chunk[: len(chunk) // 2]] + chunks[ci + 1:])
                yield "".join(chunks[:ci] + [chunk[-1]] + chunks[ci + 1:])
            continue
        tokens = tokenize(chunk)
        def rebuild(new_tokens: list[str]) -> str:
            return "".join(chunks[:ci] + ["".join(new_tokens)] + chunks[ci + 1:])
        for ti in range(1, len(tokens) - 1):
            tok = tokens[ti]
            if tok.isspace():
                continue
            yield rebuild(tokens[:ti] + tokens[ti + 1:])
            if tok == "(":
                close = _matching_paren(tokens, ti)
                if close is not None:
                    yield rebuild(tokens[:ti] + tokens[close + 1:])
                    yield rebuild(tokens[:ti] + tokens[ti + 1:close] + tokens[close + 1:])
            if tok == "|":
                stop = ti + 1
                while stop < len(tokens) - 1 and tokens[stop] not in ("|", ")"):
                    stop += 1
                yield rebuild(tokens[:ti] + tokens[stop:])
            if tok[0] in "\"'`" and len(tok) > 2:
                yield rebuild(tokens[:ti] + [tok[0] + tok[-1]] + tokens[ti + 1:])
            if re.fullmatch(r"[$.]?[\w.$]+", tok) and "." in tok[1:]:
                shorter = tok.rsplit(".", 1)[0]
                if shorter not in ("", "$"):  # never print the root object
                    yield rebuild(tokens[:ti] + [shorter] + tokens[ti + 1:])
            if tok not in SIMPLE_LITERALS and (tok[0] in "\"'`0123456789+-" or tok in ("true", "false")):
                for simple in SIMPLE_LITERALS:
                    yield rebuild(tokens[:ti] + [simple] + tokens[ti + 1:])
        if tokens[0] == "{{-":
            yield rebuild(["{{"] + tokens[1:])
        if tokens[-1] == "-}}":
            yield rebuild(tokens[:-1] + ["}}"])


def _matching_paren(tokens: list[str], i: int) -> int | None:
    depth = 0
    for j in range(i, len(tokens)):
        if tokens[j] == "(":
            depth += 1
        elif tokens[j] == ")":
            depth -= 1
            if depth == 0:
                return j
    return None


def value_candidates(values: Any) -> Iterator[Any]:
    """Smaller variants of a values document: keys and items removed, scalars simplified."""
    if isinstance(values, dict):
        for key in list(values):
            yield {k: v for k, v in values.items() if k != key}
        for key, item in values.items():
            for smaller in value_candidates(item):
                yield {**values, key: smaller}
    elif isinstance(values, list):
        for i in range(len(values)):
            yield values[:i] + values[i + 1:]
        for i, item in enumerate(values):
            for smaller in value_candidates(item):
                yield values[:i] + [smaller] + values[i + 1:]
    elif isinstance(values, str) and len(values) > 1:
        yield values[0]


def case_candidates(case: Case) -> Iterator[Case]:
    """All one-step reductions of a case, biggest reductions first."""
    for name in sorted(case["partials"]):
        yield {**case, "partials": {k: v for k, v in case["partials"].items() if k != name}}
    for smaller in chunk_candidates(case["template"]):
        yield {**case, "template": smaller}
    for name, text in sorted(case["partials"].items()):
        for smaller in chunk_candidates(text):
            yield {**case, "partials": {**case["partials"], name: smaller}}
    for smaller in value_candidates(case["values"]):
        yield {**case, "values": smaller}
    for smaller in token_candidates(case["template"]):
        yield {**case, "template": smaller}
    for name, text in sorted(case["partials"].items()):
        for smaller in token_candidates(text):
            yield {**case, "partials": {**case["partials"], name: smaller}}


def case_size(case: Case) -> int:
    return (len(case["template"]) + sum(len(t) + len(n) for n, t in case["partials"].items())
            + len(json.dumps(case["values"])))


def minimize(case: Case, still_fails: Callable[[Case], bool], max_trials: int,
             max_seconds: float) -> tuple[Case, int]:
    """Greedily shrinks ``case`` while ``still_fails`` holds; returns it and the trial count."""
    deadline = time.monotonic() + max_seconds
    trials = 0
    progress = True
    while progress:
        progress = False
        for candidate in case_candidates(case):
            if trials >= max_trials or time.monotonic() > deadline:
                return case, trials
            if case_size(candidate) >= case_size(case):
                continue
            trials += 1
            if still_fails(candidate):
                case = candidate
                progress = True
                break
    return case, trials


# ---------------------------------------------------------------------------
# The fuzzing loop and its records
# ---------------------------------------------------------------------------


@dataclass
class SignatureRecord:
    """Counts of one signature and its smallest recorded example."""

    count: int = 0
    recorded: int = 0
    example: dict[str, Any] | None = None    # the smallest recorded mismatch


def short(value: Any, limit: int = 400) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[:limit] + f"… ({len(text)} chars)"


class Fuzzer:
    """Runs cases, records mismatches and keeps the per-signature summary."""

    def __init__(self, args: argparse.Namespace, renderers: Renderers):
        self.args = args
        self.renderers = renderers
        self.out: Path = args.out
        self.out.mkdir(parents=True, exist_ok=True)
        self.mismatch_file = (self.out / "mismatches.jsonl").open("w", encoding="utf-8")
        self.skipped_file = (self.out / "skipped.jsonl").open("w", encoding="utf-8")
        self.signatures: dict[str, SignatureRecord] = {}
        self.shrunk: collections.Counter[str] = collections.Counter()  # by raw signature
        self.cases = self.mismatches = self.skipped = self.ignored = self.trials = 0
        self.clock_races = self.byte_strings = self.helm_varies = 0
        self.started = time.monotonic()

    def check(self, case: Case, origin: dict[str, Any]) -> None:
        """Renders one case with both engines and records it if they disagree."""
        if uses_root(case["template"]):
            self.skipped += 1
            return
        helm, ours = self.renderers.render(case)
        self.cases += 1
        if "skip" in helm or leaks_root(helm):
            self.skipped += 1
            entry = {**case, "reason": helm.get("skip", "Helm printed its top-level object"),
                     "ours": ours, **origin}
            self.skipped_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.skipped_file.flush()
            return
        if not is_mismatch(helm, ours):
            return
        if CLOCK_FUNCTIONS.search(case["template"]):
            helm, ours = self.renderers.render(case)
            if not is_mismatch(helm, ours):
                self.clock_races += 1
                return
        if is_byte_string_case(case, ours):
            self.byte_strings += 1
            return
        if self.renderers.helm_varies(case, helm):
            self.helm_varies += 1
            return
        sig = signature(helm, ours)
        if self.is_ignored(sig):
            return
        minimized = False
        if (self.args.minimize and self.shrunk[sig] < self.args.minimize_per_signature
                and sum(self.shrunk.values()) < self.args.minimize_max):
            self.shrunk[sig] += 1
            small, small_helm, small_ours = self.shrink(case, shrink_class(helm, ours))
            if is_mismatch(small_helm, small_ours):
                case, helm, ours = small, small_helm, small_ours
                sig = signature(helm, ours)
                minimized = True
                if self.is_ignored(sig):
                    return
        self.mismatches += 1
        record = self.signatures.setdefault(sig, SignatureRecord())
        record.count += 1
        if record.recorded < self.args.per_signature:
            record.recorded += 1
            entry = {"template": case["template"], "values": case["values"],
                     "partials": case["partials"], "helm": helm, "ours": ours,
                     "signature": sig, "minimized": minimized, **origin}
            self.mismatch_file.write(json.dumps(entry, ensure_ascii=False) + "\n")
            self.mismatch_file.flush()
            if record.example is None or case_size(case) < case_size(record.example):
                record.example = entry

    def is_ignored(self, sig: str) -> bool:
        """Whether --ignore covers this signature (then it is only counted)."""
        if any(pattern.search(sig) for pattern in self.args.ignore):
            self.ignored += 1
            return True
        return False

    def shrink(self, case: Case, cls: str) -> tuple[Case, Result, Result]:
        """Minimises a mismatching case while its :func:`shrink_class` stays ``cls``."""
        def still_fails(candidate: Case) -> bool:
            if uses_root(candidate["template"]):
                return False
            helm, ours = self.renderers.render(candidate)
            return (is_mismatch(helm, ours) and not leaks_root(helm)
                    and shrink_class(helm, ours) == cls)
        case, trials = minimize(case, still_fails, self.args.minimize_trials,
                                self.args.minimize_seconds)
        self.trials += trials
        helm, ours = self.renderers.render(case)
        return case, helm, ours

    def progress(self) -> str:
        elapsed = time.monotonic() - self.started
        rate = self.cases / elapsed if elapsed > 0 else 0.0
        return (f"[{elapsed:6.0f}s] {self.cases} cases, {self.mismatches} mismatches, "
                f"{len(self.signatures)} signatures, {self.skipped} skipped, "
                + (f"{self.ignored} ignored, " if self.ignored else "")
                + (f"{self.byte_strings} byte-string, " if self.byte_strings else "")
                + (f"{self.clock_races} clock races, " if self.clock_races else "")
                + (f"{self.helm_varies} Helm-nondeterministic, " if self.helm_varies else "") +
                f"{rate:.0f} cases/s, restarts helm {self.renderers.helm.restarts} "
                f"ours {self.renderers.ours.restarts}")

    def write_summary(self) -> None:
        """Writes OUT/summary.txt: one block per signature, most frequent first."""
        lines = [
            "helmpilot differential fuzzing against Helm",
            f"seed {self.args.seed}: {self.cases} cases, {self.mismatches} mismatches, "
            f"{len(self.signatures)} distinct signatures, {self.skipped} skipped by Helm, "
            f"{self.ignored} ignored (--ignore)",
            "",
        ]
        ranked = sorted(self.signatures.items(), key=lambda kv: (-kv[1].count, kv[0]))
        for sig, record in ranked:
            lines.append(f"== {record.count} x {sig}")
            ex = record.example
            if ex is not None:
                lines.append(f"   template: {short(ex['template'])}")
                if ex["values"]:
                    lines.append(f"   values:   {short(ex['values'])}")
                if ex["partials"]:
                    lines.append(f"   partials: {short(ex['partials'])}")
                lines.append(f"   helm:     {short(ex['helm'])}")
                lines.append(f"   ours:     {short(ex['ours'])}")
            lines.append("")
        (self.out / "summary.txt").write_text("\n".join(lines), encoding="utf-8")

    def close(self) -> None:
        self.mismatch_file.close()
        self.skipped_file.close()
        self.write_summary()


def run_fuzzer(args: argparse.Namespace, renderers: Renderers) -> int:
    """Generates and checks cases until the time or case budget is spent."""
    fuzzer = Fuzzer(args, renderers)
    config = GenConfig(max_depth=args.max_depth, max_bytes=args.max_bytes, mutate=args.mutate,
                       functions=args.functions)
    deadline = time.monotonic() + args.minutes * 60 if args.minutes else None
    next_report = time.monotonic() + 10
    index = 0
    try:
        while True:
            if args.cases is not None and index >= args.cases:
                break
            if deadline is not None and time.monotonic() >= deadline:
                break
            rng = random.Random(f"{args.seed}:{index}")
            case = TemplateGenerator(rng, config).case()
            fuzzer.check(case, {"seed": args.seed, "index": index})
            index += 1
            if time.monotonic() >= next_report:
                print(fuzzer.progress(), flush=True)
                fuzzer.write_summary()
                next_report = time.monotonic() + 10
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
    finally:
        fuzzer.close()
    print(fuzzer.progress())
    print(f"done: {fuzzer.cases} cases run, {fuzzer.mismatches} mismatches, "
          f"{len(fuzzer.signatures)} distinct signatures, {fuzzer.skipped} skipped"
          + (f", {fuzzer.ignored} ignored" if fuzzer.ignored else "")
          + (f", {fuzzer.trials} minimisation renders" if args.minimize else ""))
    ranked = sorted(fuzzer.signatures.items(), key=lambda kv: -kv[1].count)
    for sig, record in ranked[:40]:
        print(f"  {record.count:6d}  {sig}")
    if len(ranked) > 40:
        print(f"  … {len(ranked) - 40} more")
    print(f"details: {args.out / 'summary.txt'} and {args.out / 'mismatches.jsonl'}")
    return 1 if fuzzer.mismatches else 0


def run_replay(args: argparse.Namespace, renderers: Renderers) -> int:
    """Re-renders recorded cases (a mismatches.jsonl) and reports which still differ."""
    still = fixed = byte_strings = varies = 0
    with open(args.replay, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            entry = json.loads(line)
            case = {"template": entry["template"], "values": entry.get("values") or {},
                    "partials": entry.get("partials") or {}}
            helm, ours = renderers.render(case)
            if not is_mismatch(helm, ours):
                fixed += 1
            elif is_byte_string_case(case, ours):
                byte_strings += 1
                print(f"line {n}: byte strings (documented): {signature(helm, ours)}")
            elif renderers.helm_varies(case, helm):
                varies += 1
                print(f"line {n}: Helm itself varies: {signature(helm, ours)}")
            else:
                still += 1
                print(f"line {n}: still differs: {signature(helm, ours)}")
    print(f"replay: {still} still differ, {fixed} agree now, {byte_strings} byte-string, "
          f"{varies} Helm-nondeterministic")
    return 1 if still else 0


# ---------------------------------------------------------------------------
# Command line
# ---------------------------------------------------------------------------


def target_dir() -> Path:
    env = os.environ.get("CARGO_TARGET_DIR")
    return Path(env) if env else REPO / "target"


def example_name(functions: bool) -> str:
    """The renderer binary: the bare engine, or the engine with Helm's functions."""
    return "render_chart_cases" if functions else "render_cases"


def build_binary(functions: bool) -> None:
    """Builds the renderer example in release mode (honours CARGO_TARGET_DIR)."""
    package = "helmpilot-chart" if functions else "helmpilot-template"
    cmd = ["cargo", "build", "--release", "--example", example_name(functions), "-p", package]
    print("building:", " ".join(cmd), flush=True)
    subprocess.run(cmd, cwd=REPO, check=True)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=None,
                        help="time budget in minutes (default: 1 unless --cases is given)")
    parser.add_argument("--cases", type=int, default=None, help="stop after this many cases")
    parser.add_argument("--seed", default=None, help="random seed (default: random)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output directory (default: %(default)s)")
    parser.add_argument("--no-build", action="store_true", help="do not run cargo build first")
    parser.add_argument("--functions", action="store_true",
                        help="also generate calls of Helm's function library (Sprig and "
                             "Helm's own) and render with helmpilot-chart")
    parser.add_argument("--binary", type=Path, default=None,
                        help="render_cases binary (default: $CARGO_TARGET_DIR or target/, "
                             "release/examples/render_cases)")
    parser.add_argument("--minimize", action="store_true",
                        help="shrink mismatches before recording them")
    parser.add_argument("--minimize-per-signature", type=int, default=2,
                        help="how many mismatches of one signature to shrink (default: %(default)s)")
    parser.add_argument("--minimize-max", type=int, default=100,
                        help="cases shrunk in one run at most (default: %(default)s)")
    parser.add_argument("--minimize-trials", type=int, default=3000,
                        help="renders allowed to shrink one case (default: %(default)s)")
    parser.add_argument("--minimize-seconds", type=float, default=60.0,
                        help="time allowed to shrink one case (default: %(default)s)")
    parser.add_argument("--per-signature", type=int, default=5,
                        help="mismatches of one signature written to mismatches.jsonl "
                             "(default: %(default)s)")
    parser.add_argument("--mutate", type=float, default=0.15,
                        help="fraction of syntax-mutated templates (default: %(default)s)")
    parser.add_argument("--max-depth", type=int, default=3,
                        help="nesting depth of control structures (default: %(default)s)")
    parser.add_argument("--max-bytes", type=int, default=500,
                        help="size bound of generated templates (default: %(default)s)")
    parser.add_argument("--timeout", type=float, default=5.0,
                        help="seconds our binary gets per case (default: %(default)s)")
    parser.add_argument("--helm-timeout", type=float, default=10.0,
                        help="seconds Helm gets per case before it is skipped "
                             "(default: %(default)s)")
    parser.add_argument("--ignore", action="append", type=re.compile, default=[],
                        metavar="REGEX",
                        help="do not record mismatches whose signature matches (repeatable; "
                             "for known, not yet fixed classes)")
    parser.add_argument("--replay", type=Path, default=None,
                        help="re-check the cases of a mismatches.jsonl instead of fuzzing")
    parser.add_argument("--show", type=int, nargs="*", metavar="INDEX", default=None,
                        help="print the generated cases with these indexes (with --seed) and exit")
    args = parser.parse_args(argv)
    if args.seed is None:
        args.seed = str(random.SystemRandom().randrange(1 << 32))
    if args.minutes is None and args.cases is None:
        args.minutes = 1.0
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.show is not None:
        config = GenConfig(max_depth=args.max_depth, max_bytes=args.max_bytes,
                           mutate=args.mutate, functions=args.functions)
        for index in args.show or range(10):
            rng = random.Random(f"{args.seed}:{index}")
            print(json.dumps(TemplateGenerator(rng, config).case(), ensure_ascii=False))
        return 0
    binary = args.binary or target_dir() / "release" / "examples" / example_name(args.functions)
    if not args.no_build and args.binary is None:
        build_binary(args.functions)
    if not binary.exists():
        print(f"error: {binary} does not exist (build it or pass --binary)", file=sys.stderr)
        return 2
    print(f"seed {args.seed}; ours: {binary}; output: {args.out}", flush=True)
    renderers = Renderers(binary, args.timeout, args.helm_timeout)
    try:
        if args.replay:
            return run_replay(args, renderers)
        return run_fuzzer(args, renderers)
    finally:
        renderers.close()


if __name__ == "__main__":
    sys.exit(main())
