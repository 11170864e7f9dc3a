"""Calls of Helm's template functions (Sprig and Helm's own) for the differential fuzzer.

With ``--functions``, the fuzzer's templates call these functions besides Go's
builtins. Each function has an argument shape: a list of kinds, one per parameter
(``*`` marks a variadic tail). Most calls follow the shape, so they reach the
function's real work; some get random operands of any type, so type conversions and
error paths are exercised too.

Functions whose result Helm draws from randomness, the clock or the network differ
from run to run in Helm itself, so they are left out (their goldens and property tests
cover them): random strings and numbers, uuids, keys, certificates, bcrypt/htpasswd
salts, AES IVs, ``now``/``ago`` and ``date`` on a non-time value, DNS, and ``keys``/
``values`` of multi-key maps (Go's map order).
"""

from __future__ import annotations

import random
from typing import Callable

# name -> argument kinds; a trailing "*" repeats the last kind 0-3 times.
SHAPES: dict[str, list[str]] = {
    # strings
    "abbrev": ["int", "str"], "abbrevboth": ["int", "int", "str"], "camelcase": ["str"],
    "cat": ["any", "any*"], "contains": ["str", "str"], "hasPrefix": ["str", "str"],
    "hasSuffix": ["str", "str"], "hello": [], "indent": ["int", "str"],
    "nindent": ["int", "str"], "initials": ["str"], "join": ["str", "list"],
    "kebabcase": ["str"], "lower": ["str"], "nospace": ["str"], "plural": ["str", "str", "int"],
    "quote": ["any", "any*"], "squote": ["any", "any*"], "repeat": ["int", "str"],
    "replace": ["str", "str", "str"], "snakecase": ["str"], "split": ["str", "str"],
    "splitList": ["str", "str"], "splitn": ["str", "int", "str"], "substr": ["int", "int", "str"],
    "swapcase": ["str"], "title": ["str"], "toString": ["any"], "toStrings": ["any"],
    "trim": ["str"], "trimAll": ["str", "str"], "trimall": ["str", "str"],
    "trimPrefix": ["str", "str"], "trimSuffix": ["str", "str"], "trunc": ["int", "str"],
    "untitle": ["str"], "upper": ["str"], "wrap": ["int", "str"], "wrapWith": ["int", "str", "str"],
    # regular expressions
    "regexFind": ["regex", "str"], "regexFindAll": ["regex", "str", "int"],
    "regexMatch": ["regex", "str"], "regexQuoteMeta": ["str"],
    "regexReplaceAll": ["regex", "str", "str"], "regexReplaceAllLiteral": ["regex", "str", "str"],
    "regexSplit": ["regex", "str", "int"], "mustRegexFind": ["regex", "str"],
    "mustRegexFindAll": ["regex", "str", "int"], "mustRegexMatch": ["regex", "str"],
    "mustRegexReplaceAll": ["regex", "str", "str"],
    "mustRegexReplaceAllLiteral": ["regex", "str", "str"], "mustRegexSplit": ["regex", "str", "int"],
    # encodings and hashes
    "b64enc": ["str"], "b64dec": ["b64"], "b32enc": ["str"], "b32dec": ["b32"],
    "sha1sum": ["str"], "sha256sum": ["str"], "sha512sum": ["str"], "adler32sum": ["str"],
    # math
    "add": ["num", "num*"], "add1": ["num"], "add1f": ["num"], "addf": ["num", "num*"],
    "sub": ["num", "num"], "subf": ["num", "num*"], "mul": ["num", "num*"], "mulf": ["num", "num*"],
    "div": ["num", "num"], "divf": ["num", "num*"], "mod": ["num", "num"],
    "max": ["num", "num*"], "maxf": ["num", "num*"], "min": ["num", "num*"], "minf": ["num", "num*"],
    "biggest": ["num", "num*"], "floor": ["num"], "ceil": ["num"], "round": ["num", "int"],
    "int": ["any"], "int64": ["any"], "float64": ["any"], "atoi": ["str"], "toDecimal": ["any"],
    "seq": ["int", "int*"], "until": ["small"], "untilStep": ["small", "small", "small"],
    # defaults
    "default": ["any", "any"], "empty": ["any"], "coalesce": ["any", "any*"], "all": ["any*"],
    "any": ["any*"], "ternary": ["any", "any", "bool"],
    # lists
    "list": ["any*"], "tuple": ["any*"], "append": ["list", "any"], "mustAppend": ["list", "any"],
    "push": ["list", "any"], "mustPush": ["list", "any"],
    "prepend": ["list", "any"], "mustPrepend": ["list", "any"], "first": ["list"],
    "mustFirst": ["list"], "rest": ["list"], "mustRest": ["list"], "last": ["list"],
    "mustLast": ["list"], "initial": ["list"], "mustInitial": ["list"], "reverse": ["list"],
    "mustReverse": ["list"], "uniq": ["list"], "mustUniq": ["list"], "without": ["list", "any*"],
    "mustWithout": ["list", "any*"], "has": ["any", "list"], "mustHas": ["any", "list"],
    "compact": ["list"], "mustCompact": ["list"], "chunk": ["int", "list"],
    "mustChunk": ["int", "list"], "concat": ["list", "list*"], "sortAlpha": ["list"],
    "slice": ["list", "int*"], "mustSlice": ["list", "int*"],
    # dicts
    "dict": ["key", "any", "key", "any"], "get": ["map", "key"], "set": ["map", "key", "any"],
    "unset": ["map", "key"], "hasKey": ["map", "key"], "pluck": ["key", "map", "map*"],
    "pick": ["map", "key*"], "omit": ["map", "key*"], "merge": ["map", "map", "map*"],
    "mustMerge": ["map", "map*"], "mergeOverwrite": ["map", "map", "map*"],
    "mustMergeOverwrite": ["map", "map*"], "deepCopy": ["any"], "mustDeepCopy": ["any"],
    "dig": ["key", "any", "map"],
    # serialisation
    "toJson": ["any"], "mustToJson": ["any"], "toPrettyJson": ["any"], "mustToPrettyJson": ["any"],
    "toRawJson": ["any"], "mustToRawJson": ["any"], "fromJson": ["json"], "mustFromJson": ["json"],
    "fromJsonArray": ["json"], "toYaml": ["any"], "toYamlPretty": ["any"], "mustToYaml": ["any"],
    "fromYaml": ["yaml"], "fromYamlArray": ["yaml"], "toToml": ["map"], "mustToToml": ["map"],
    "fromToml": ["toml"],
    # semver and dates (fixed instants only: the clock differs between Helm and us)
    "semver": ["version"], "semverCompare": ["constraint", "version"],
    "date": ["layout", "epoch"], "dateInZone": ["layout", "epoch", "zone"],
    "date_in_zone": ["layout", "epoch", "zone"], "htmlDate": ["epoch"],
    "htmlDateInZone": ["epoch", "zone"], "toDate": ["layout", "datestr"],
    "mustToDate": ["layout", "datestr"], "duration": ["any"], "durationRound": ["any"],
    # paths, urls, reflection
    "base": ["path"], "clean": ["path"], "dir": ["path"], "ext": ["path"], "isAbs": ["path"],
    "osBase": ["path"], "osClean": ["path"], "osDir": ["path"], "osExt": ["path"],
    "osIsAbs": ["path"], "urlParse": ["url"], "urlJoin": ["map"], "typeOf": ["any"],
    "kindOf": ["any"], "typeIs": ["type", "any"], "typeIsLike": ["type", "any"],
    "kindIs": ["kind", "any"], "deepEqual": ["any", "any"],
    # Helm's own
    "include": ["tname", "any"], "tpl": ["tpltext", "any"], "required": ["str", "any"],
    "fail": ["str"], "lookup": ["str", "str", "str", "str"], "derivePassword": [
        "small", "pwtype", "str", "str", "str"],
}

# Functions whose arguments must follow the shape: a random operand would make Helm's
# output depend on the clock (date of a non-time value is "now").
STRICT = {"date", "dateInZone", "date_in_zone", "htmlDate", "htmlDateInZone"}

STRINGS = ['""', '"a"', '"hello world"', '"Hello World"', '"x-y_z"', '"fooBar"', '"FOO_BAR"',
           '"a b  c"', '"  pad "', '"é日本😀"', '"1"', '"-2"', '"1.5"', '"0x10"', '"true"',
           '"a\\nb\\n"', '"a,b,c"', '"a.b.c"', '"ABCdef12"', '"x"', '"$1"', '"%d"', '"<&>"',
           '"line one\\nline two"', '"a\\tb"', '"007"', '"1e3"', '"null"']
REGEXES = ['"a"', '"[a-z]+"', '"(\\\\w+)-(\\\\d+)"', '"^$"', '""', '"."', '"\\\\s+"', '"b*"',
           '"(?i)hello"', '"(?P<k>[a-z])"', '"["', '"a|b"', '"\\\\bx"', '"[[:alpha:]]+"']
NUMBERS = ["0", "1", "2", "3", "-1", "-7", "10", "100", "1.5", "-2.5", "0.1", "1e3", "7.0",
           '"3"', '"2.5"', '"x"', "nil", "true", "9223372036854775807"]
SMALL = ["0", "1", "2", "3", "5", "-1", "-3", "1.5", "0.5"]
VERSIONS = ['"1.2.3"', '"v1.2.3"', '"1.2"', '"1"', '"1.2.3-alpha.1"', '"1.2.3+build.5"',
            '"v1.29.3-gke.1234"', '"01.2.3"', '"1.2.3.4"', '"x"', '""', '"2.0.0-rc.1"',
            '"1.20.0"', '"1.10.2"']
CONSTRAINTS = ['">=1.2.0"', '"^1.2"', '"~1.2.3"', '">=1.21-0"', '"1.2 - 1.4.5"', '"1.x"',
               '"*"', '"<2.0.0, >=1.0"', '">1.0 || <0.5"', '"!=1.2.3"', '"=1.2.3"', '">= 1.2"',
               '"~>1.2"', '"^0.0.1"', '"bad"', '""', '">=1.19.0-0 <1.30.0-0"']
LAYOUTS = ['"2006-01-02"', '"2006-01-02T15:04:05Z07:00"', '"Jan 2, 2006 at 3:04pm (MST)"',
           '"Mon Jan _2 15:04:05 2006"', '"15:04:05.000"', '"2006"', '"02/01/06 03PM"',
           '"x"', '""', '"20060102150405"', '"Monday January 2 .999999999"']
# Integer constants only: Sprig's date functions format "now" for any other type.
EPOCHS = ["0", "1700000000", "1234567890", "-1", "86400", "2147483647"]
ZONES = ['"UTC"', '"America/New_York"', '"Asia/Kolkata"', '"Europe/Berlin"', '"Nope/Zone"',
         '""', '"Local"']
DATE_STRINGS = ['"2024-02-29"', '"2023-13-01"', '"2024-01-02T03:04:05Z"', '"x"', '""',
                '"2024-01-02T03:04:05+05:30"', '"1999-12-31"']
PATHS = ['""', '"/"', '"a/b/c.txt"', '"/a//b/../c/"', '"."', '".."', '"x.tar.gz"',
         '".hidden"', '"a/"', '"/a/b"', '"c:\\\\x"']
URLS = ['"https://user:pw@example.com:8443/p/a?q=1&r=2#frag"', '"http://h/"', '"mailto:x@y"',
        '"/relative/path?x"', '""', '"%zz"', '"https://[::1]:80/"', '"a b"']
JSON_TEXTS = ['"{\\"a\\": 1, \\"b\\": [true, null]}"', '"[1, 2.5, \\"x\\"]"', '"{}"', '"[]"',
              '"1"', '"{bad"', '""', '"{\\"a\\": {\\"b\\": 1e21}}"']
YAML_TEXTS = ['"a: 1\\nb: [x, y]\\n"', '"- 1\\n- two\\n"', '"a: yes\\nb: 0755\\nc: ~\\n"',
              '"a: b: c"', '""', '"k: \\"1\\"\\n"', '"x"', '"a:\\n  - {b: 1.5}\\n"']
TOML_TEXTS = ['"a = 1\\nb = \\"x\\"\\n"', '"[t]\\nk = [1, 2]\\n"', '"bad ="', '""',
              '"f = 1.5\\nd = 1979-05-27\\n"']
TYPES = ['"string"', '"int"', '"float64"', '"map[string]interface {}"', '"[]interface {}"',
         '"bool"', '"int64"', '"[]string"', '"common.Values"', '"*semver.Version"']
KINDS = ['"string"', '"int"', '"float64"', '"map"', '"slice"', '"bool"', '"int64"',
         '"invalid"', '"ptr"', '"struct"']
KEYS = ['"a"', '"b"', '"s"', '"m"', '"n"', '"nope"', '""']
PASSWORD_TYPES = ['"long"', '"maximum"', '"medium"', '"short"', '"basic"', '"pin"', '"x"']
TPL_TEXTS = ['"{{ . }}"', '"x{{ .a }}y"', '"{{ include \\"t1\\" . }}"', '"{{"', '"plain"',
             '"{{ define \\"d\\" }}D{{ end }}{{ template \\"d\\" }}"', '"{{ fail \\"no\\" }}"']

FIXED: dict[str, list[str]] = {
    "str": STRINGS, "regex": REGEXES, "num": NUMBERS, "small": SMALL, "int": SMALL,
    "version": VERSIONS, "constraint": CONSTRAINTS, "layout": LAYOUTS, "epoch": EPOCHS,
    "zone": ZONES, "datestr": DATE_STRINGS, "path": PATHS, "url": URLS, "json": JSON_TEXTS,
    "yaml": YAML_TEXTS, "toml": TOML_TEXTS, "type": TYPES, "kind": KINDS, "key": KEYS,
    "pwtype": PASSWORD_TYPES, "tpltext": TPL_TEXTS, "bool": ["true", "false"],
    "b64": ['"aGVsbG8="', '"aGVsbG8"', '"!!"', '""'],
    "b32": ['"NBSWY3DP"', '"NBSWY3D"', '"!!"', '""'],
}
LIST_LITERALS = ["(list 1 2 3)", '(list "b" "a" "b")', "(list)", '(list 1 "1" 1.0 nil)',
                 '(splitList "," "x,y,,z")', "(list (list 1) (dict))", '(list "a" 2 "c")']
MAP_LITERALS = ['(dict "a" 1 "b" "x")', "(dict)", '(dict "a" (dict "b" 2))',
                '(dict "s" "v" "l" (list 1 2))', '(dict "a" nil)']


def argument(kind: str, rng: random.Random, field: Callable[[list[str]], str],
             operand: Callable[[], str], callable_names: list[str]) -> str:
    """Source text for one argument of the given kind."""
    if kind == "any":
        r = rng.random()
        if r < 0.4:
            return field([])
        if r < 0.55:
            return rng.choice(LIST_LITERALS + MAP_LITERALS)
        return operand()
    if kind == "list":
        return field(["l"]) if rng.random() < 0.5 else rng.choice(LIST_LITERALS)
    if kind == "map":
        return field(["m"]) if rng.random() < 0.4 else rng.choice(MAP_LITERALS)
    if kind == "tname":
        names = callable_names or ["t1"]
        return f'"{rng.choice(names)}"' if rng.random() < 0.85 else '"missing"'
    if kind in ("str", "num") and rng.random() < 0.3:
        return field(["s"] if kind == "str" else ["n"])
    return rng.choice(FIXED[kind])


def arguments(name: str, count: int | None, rng: random.Random,
              field: Callable[[list[str]], str], operand: Callable[[], str],
              callable_names: list[str], piped: bool) -> list[str]:
    """Arguments for a call of ``name``; a piped call leaves out the last one."""
    shape = SHAPES[name]
    kinds = [k.rstrip("*") for k in shape]
    if shape and shape[-1].endswith("*"):
        kinds = kinds[:-1] + [kinds[-1]] * rng.choice([0, 0, 1, 1, 2, 3])
    if count is not None:                       # wrong arity on purpose
        kinds = (kinds + ["any"] * count)[:count]
    if piped and kinds:
        kinds = kinds[:-1]
    typed = name in STRICT or rng.random() < 0.8
    return [argument(k, rng, field, operand, callable_names) if typed or rng.random() < 0.5
            else operand() for k in kinds]
