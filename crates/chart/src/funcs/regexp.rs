//! Sprig's regular-expression functions: `regexMatch`, `regexFind`, `regexFindAll`,
//! `regexReplaceAll`, `regexReplaceAllLiteral`, `regexSplit`, `regexQuoteMeta` and their
//! `must*` variants, with Go's RE2 syntax and Go's `regexp` semantics.
//!
//! Patterns are parsed as Go parses them and translated for Rust's `regex` crate
//! ([`syntax`]); the iteration over matches is Go's own, not the crate's:
//! - `FindAll` and `Split` skip an empty match right after the previous match, and
//!   `n < 0` means all matches, `n == 0` none.
//! - `ReplaceAll` inserts the replacement for an empty match right after a match only
//!   at the start of the text, and expands `$1`, `${1}`, `$name`, `${name}` and `$$` with
//!   Go's rules: a name is the longest run of letters, digits and `_` (`$1x` is the
//!   group named `1x`, which does not exist, so it expands to nothing).
//! - `Split` keeps Go's quirks (`regexSplit "," "a," -1` is `[a ]`, an empty pattern on
//!   an empty text gives `[]`).
//!
//! Errors: the `must*` functions fail with Go's `error parsing regexp: ...`; the others
//! (except `regexMatch`, which just answers false) fail as `regexp.MustCompile` panics:
//! ``regexp: Compile(`[`): error parsing regexp: ...``.

mod classes;
mod syntax;

use crate::funcs::cast::{int_arg, str_arg};
use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use helmpilot_template::{
    gofmt, Error, Function, Functions, GoType, List, ListType, Signature, Value,
};
use regex::Regex;

use super::strings::gounicode::{is_digit, is_letter};
use super::FunctionEnv;
use syntax::{SyntaxError, ERR_LARGE};

/// The largest text a replacement builds: the engine's output limit. Go has none and
/// runs out of memory on what exceeds it.
const MAX_RESULT_BYTES: usize = 256 << 20;

/// Go's limit on a compiled program is 128 MiB; Rust's compiled forms differ in size,
/// so this only keeps a hostile pattern from taking unbounded memory.
const COMPILED_SIZE_LIMIT: usize = 128 << 20;

/// Patterns longer than this compile on a stack of [`DEEP_PATTERN_STACK`] bytes.
const DEEP_PATTERN_BYTES: usize = 64;
const DEEP_PATTERN_STACK: usize = 64 << 20;

/// A compiled Go regexp.
#[derive(Debug)]
struct GoRegexp {
    expr: String,
    re: Regex,
    /// Capture names by group number, as Go's `SubexpNames`.
    names: Vec<Option<String>>,
}

type Compiled = Result<Arc<GoRegexp>, SyntaxError>;

/// Compiled patterns by text: charts apply the same few patterns many times.
static CACHE: LazyLock<Mutex<HashMap<String, Compiled>>> = LazyLock::new(Default::default);
const CACHE_CAPACITY: usize = 512;

/// Go's `regexp.Compile`.
fn compile(expr: &str) -> Compiled {
    let cache = || {
        CACHE
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    };
    if let Some(hit) = cache().get(expr) {
        return hit.clone();
    }
    // The parse tree can be as deep as the pattern is long (Go allows 1000 levels), and
    // our translation and the regex compiler recurse over it: long patterns get a stack
    // of their own.
    let compiled = if expr.len() > DEEP_PATTERN_BYTES {
        stacker::grow(DEEP_PATTERN_STACK, || compile_uncached(expr))
    } else {
        compile_uncached(expr)
    };
    let mut cache = cache();
    if cache.len() >= CACHE_CAPACITY {
        cache.clear();
    }
    cache.insert(expr.to_string(), compiled.clone());
    compiled
}

fn compile_uncached(expr: &str) -> Compiled {
    let translated = syntax::translate(expr)?;
    let re = regex::RegexBuilder::new(&translated.pattern)
        .size_limit(COMPILED_SIZE_LIMIT)
        .nest_limit(10_000)
        .build()
        // Every pattern Go accepts translates to one Rust accepts; what remains is
        // Rust's size limit, Go's "too large" in spirit.
        .map_err(|_| SyntaxError {
            code: ERR_LARGE,
            expr: expr.to_string(),
        })?;
    Ok(Arc::new(GoRegexp {
        expr: expr.to_string(),
        re,
        names: translated.names,
    }))
}

/// The `must*` flavour: Go's syntax error as the function's error.
fn must_compile(expr: &str) -> Result<Arc<GoRegexp>, Error> {
    compile(expr).map_err(|e| Error::function(e.to_string()))
}

/// The plain flavour: `regexp.MustCompile`'s panic text as the function's error.
fn compile_or_panic(expr: &str) -> Result<Arc<GoRegexp>, Error> {
    compile(expr).map_err(|e| {
        let quoted = if gofmt::can_backquote(expr) {
            format!("`{expr}`")
        } else {
            gofmt::quote(expr)
        };
        Error::function(format!("regexp: Compile({quoted}): {e}"))
    })
}

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    use GoType::{Int, String as S};
    let fixed = Signature::fixed;
    type Compiler = fn(&str) -> Result<Arc<GoRegexp>, Error>;
    let flavours: [(&str, Compiler); 2] = [("", compile_or_panic), ("must", must_compile)];
    for (prefix, compile) in flavours {
        let name = |base: &str| {
            if prefix.is_empty() {
                format!("regex{base}")
            } else {
                format!("mustRegex{base}")
            }
        };
        if !prefix.is_empty() {
            funcs.insert(
                name("Match"),
                Function::new(fixed(&[S, S]), move |_, args| {
                    let re = compile(str_arg(&args[0]))?;
                    Ok(Value::Bool(re.re.is_match(str_arg(&args[1]))))
                }),
            );
        }
        funcs.insert(
            name("Find"),
            Function::new(fixed(&[S, S]), move |_, args| {
                let re = compile(str_arg(&args[0]))?;
                let found = re.re.find(str_arg(&args[1])).map_or("", |m| m.as_str());
                Ok(Value::from(found))
            }),
        );
        funcs.insert(
            name("FindAll"),
            Function::new(fixed(&[S, S, Int]), move |_, args| {
                let re = compile(str_arg(&args[0]))?;
                let s = str_arg(&args[1]);
                let found = find_all(&re.re, s, int_arg(&args[2]));
                // Go's FindAllString gives a nil slice when nothing matches.
                if found.is_empty() {
                    return Ok(Value::List(List::nil(ListType::String)));
                }
                Ok(Value::List(List::strings(
                    found.into_iter().map(|(a, b)| &s[a..b]),
                )))
            }),
        );
        funcs.insert(
            name("ReplaceAll"),
            Function::new(fixed(&[S, S, S]), move |_, args| {
                let re = compile(str_arg(&args[0]))?;
                replace_all(&re, str_arg(&args[1]), str_arg(&args[2]), true).map(Value::from)
            }),
        );
        funcs.insert(
            name("ReplaceAllLiteral"),
            Function::new(fixed(&[S, S, S]), move |_, args| {
                let re = compile(str_arg(&args[0]))?;
                replace_all(&re, str_arg(&args[1]), str_arg(&args[2]), false).map(Value::from)
            }),
        );
        funcs.insert(
            name("Split"),
            Function::new(fixed(&[S, S, Int]), move |_, args| {
                let re = compile(str_arg(&args[0]))?;
                // Go's Split gives a nil slice for n == 0.
                if int_arg(&args[2]) == 0 {
                    return Ok(Value::List(List::nil(ListType::String)));
                }
                Ok(Value::List(List::strings(split(
                    &re,
                    str_arg(&args[1]),
                    int_arg(&args[2]),
                ))))
            }),
        );
    }
    // regexMatch ignores a bad pattern: it is simply no match.
    funcs.insert(
        "regexMatch",
        Function::new(fixed(&[S, S]), |_, args| {
            let matched =
                compile(str_arg(&args[0])).is_ok_and(|re| re.re.is_match(str_arg(&args[1])));
            Ok(Value::Bool(matched))
        }),
    );
    funcs.insert(
        "regexQuoteMeta",
        Function::new(fixed(&[S]), |_, args| {
            Ok(Value::from(quote_meta(str_arg(&args[0]))))
        }),
    );
}

/// The width of the character at `pos`, 0 at the end.
fn char_width(s: &str, pos: usize) -> usize {
    s[pos..].chars().next().map_or(0, char::len_utf8)
}

/// Go's `FindAllStringIndex(s, n)`: successive non-overlapping matches, at most `n` of
/// them (all when `n < 0`), skipping an empty match that abuts the previous match.
fn find_all(re: &Regex, s: &str, n: i64) -> Vec<(usize, usize)> {
    let limit = if n < 0 { usize::MAX } else { n as usize };
    let mut found = Vec::new();
    let mut pos = 0;
    let mut prev_end: Option<usize> = None;
    while found.len() < limit && pos <= s.len() {
        let Some(m) = re.find_at(s, pos) else {
            break;
        };
        let mut accept = true;
        if m.end() == pos {
            // An empty match: not right after the previous match, and move on a rune.
            if prev_end == Some(m.start()) {
                accept = false;
            }
            pos += char_width(s, pos).max(1);
        } else {
            pos = m.end();
        }
        prev_end = Some(m.end());
        if accept {
            found.push((m.start(), m.end()));
        }
    }
    found
}

/// Go's `Regexp.Split(s, n)`.
fn split(re: &GoRegexp, s: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    if !re.expr.is_empty() && s.is_empty() {
        return vec![String::new()];
    }
    let mut parts = Vec::new();
    let (mut beg, mut end) = (0, 0);
    for (start, stop) in find_all(&re.re, s, n) {
        if n > 0 && parts.len() as i64 == n - 1 {
            break;
        }
        end = start;
        if stop != 0 {
            parts.push(s[beg..end].to_string());
        }
        beg = stop;
    }
    // Go compares where the last match started, not where it ended.
    if end != s.len() {
        parts.push(s[beg..].to_string());
    }
    parts
}

/// Go's `ReplaceAllString` (`expand`) or `ReplaceAllLiteralString`.
fn replace_all(re: &GoRegexp, s: &str, repl: &str, expand: bool) -> Result<String, Error> {
    let expand = expand && repl.contains('$');
    let mut out = String::with_capacity(s.len());
    let mut last_match_end = 0;
    let mut search_pos = 0;
    let mut locations = re.re.capture_locations();
    while search_pos <= s.len() {
        let Some(m) = re.re.captures_read_at(&mut locations, s, search_pos) else {
            break;
        };
        let (start, end) = (m.start(), m.end());
        out.push_str(&s[last_match_end..start]);
        // No replacement for an empty match right after a match (except at the start),
        // or patterns matching both empty and non-empty text would replace twice.
        if end > last_match_end || start == 0 {
            if expand {
                expand_template(&mut out, repl, s, &locations, &re.names);
            } else {
                out.push_str(repl);
            }
        }
        if out.len() > MAX_RESULT_BYTES {
            return Err(Error::function(format!(
                "result exceeds helmpilot's limit of {MAX_RESULT_BYTES} bytes \
                 (Helm would run out of memory)"
            )));
        }
        last_match_end = end;
        // Advance past the match, and at least one rune.
        let width = char_width(s, search_pos);
        if search_pos + width > end {
            search_pos += width;
        } else if search_pos + 1 > end {
            search_pos += 1;
        } else {
            search_pos = end;
        }
    }
    out.push_str(&s[last_match_end..]);
    Ok(out)
}

/// Go's `Regexp.expand`: `$$` is `$`, `$name`/`${name}` a group by number or name
/// (nothing when it did not take part or does not exist), a malformed reference a
/// literal `$`.
fn expand_template(
    out: &mut String,
    template: &str,
    s: &str,
    locations: &regex::CaptureLocations,
    names: &[Option<String>],
) {
    let group = |i: usize| locations.get(i).map(|(a, b)| &s[a..b]);
    let mut rest = template;
    while let Some(dollar) = rest.find('$') {
        out.push_str(&rest[..dollar]);
        rest = &rest[dollar + 1..];
        if let Some(after) = rest.strip_prefix('$') {
            out.push('$');
            rest = after;
            continue;
        }
        let Some((name, after)) = extract_name(rest) else {
            out.push('$');
            continue;
        };
        rest = after;
        let value = match group_number(name) {
            Some(number) => group(number),
            // The first group of that name.
            None => names
                .iter()
                .position(|n| n.as_deref() == Some(name))
                .and_then(group),
        };
        out.push_str(value.unwrap_or_default());
    }
    out.push_str(rest);
}

/// Go's `extract`: the name after a `$` (braced or not) and the rest; `None` when
/// malformed (empty, or a missing `}`).
fn extract_name(s: &str) -> Option<(&str, &str)> {
    let (braced, body) = match s.strip_prefix('{') {
        Some(body) => (true, body),
        None => (false, s),
    };
    let len: usize = body
        .chars()
        .take_while(|&c| is_letter(c) || is_digit(c) || c == '_')
        .map(char::len_utf8)
        .sum();
    if len == 0 {
        return None;
    }
    let name = &body[..len];
    let rest = &body[len..];
    if braced {
        return rest.strip_prefix('}').map(|rest| (name, rest));
    }
    Some((name, rest))
}

/// A group reference by number: ASCII digits only, no leading zero, below 1e8 as Go
/// parses them.
fn group_number(name: &str) -> Option<usize> {
    if !name.bytes().all(|b| b.is_ascii_digit()) || name.len() > 1 && name.starts_with('0') {
        return None;
    }
    let mut num: usize = 0;
    for b in name.bytes() {
        if num >= 100_000_000 {
            return None;
        }
        num = num * 10 + usize::from(b - b'0');
    }
    Some(num)
}

/// Go's `regexp.QuoteMeta`: a backslash before each of `\.+*?()|[]{}^$`.
fn quote_meta(s: &str) -> String {
    let mut out = String::with_capacity(s.len() * 2);
    for c in s.chars() {
        if r"\.+*?()|[]{}^$".contains(c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn re(expr: &str) -> Arc<GoRegexp> {
        compile(expr).unwrap()
    }

    fn find_all_strings(expr: &str, s: &str, n: i64) -> Vec<String> {
        find_all(&re(expr).re, s, n)
            .into_iter()
            .map(|(a, b)| s[a..b].to_string())
            .collect()
    }

    #[test]
    fn empty_matches_like_go() {
        assert_eq!(find_all_strings("a*", "baaab", -1), ["", "aaa", ""]);
        assert_eq!(find_all_strings("", "héy", -1), ["", "", "", ""]);
        assert_eq!(
            replace_all(&re("a*"), "baaab", "-", false).unwrap(),
            "-b-b-"
        );
        assert_eq!(replace_all(&re(""), "ab", "-", false).unwrap(), "-a-b-");
    }

    #[test]
    fn go_expansion() {
        let r = re(r"(?P<first>\w+) (\w+)");
        let expand = |t: &str| replace_all(&r, "hello world", t, true).unwrap();
        assert_eq!(expand("$2 $1"), "world hello");
        assert_eq!(expand("${first}!"), "hello!");
        assert_eq!(expand("$1x"), "");
        assert_eq!(expand("${1}x"), "hellox");
        assert_eq!(expand("$$1 $"), "$1 $");
        assert_eq!(expand("${first"), "${first");
    }

    #[test]
    fn split_like_go() {
        assert_eq!(split(&re(","), "a,", -1), ["a", ""]);
        assert_eq!(split(&re(","), "a,b,c", 2), ["a", "b,c"]);
        assert_eq!(split(&re(""), "", -1), Vec::<String>::new());
        assert_eq!(split(&re("x*"), "", -1), [""]);
        assert_eq!(split(&re(""), "abc", -1), ["a", "b", "c"]);
    }

    #[test]
    fn deep_and_large_patterns_compile_without_overflow() {
        let deep = format!("{}a{}", "(".repeat(999), ")".repeat(999));
        assert!(re(&deep).re.is_match("a"));
        let groups = format!("{}a{}", "(?:".repeat(100_000), ")".repeat(100_000));
        assert!(re(&groups).re.is_match("a"));
        let unclosed = "(".repeat(100_000);
        assert_eq!(compile(&unclosed).unwrap_err().code, "missing closing )");
        let alternatives = vec!["ab"; 50_000].join("|");
        assert!(re(&alternatives).re.is_match("ab"));
        assert!(re(r"\pL{1000}").re.is_match(&"é".repeat(1000)));
    }

    #[test]
    fn ascii_classes_and_boundaries() {
        assert!(!re(r"^\d$").re.is_match("٣"));
        assert!(!re(r"^\w$").re.is_match("é"));
        assert!(!re(r"^\s$").re.is_match("\u{a0}"));
        assert!(!re(r"^\s$").re.is_match("\u{b}"));
        assert_eq!(find_all_strings(r"\b\w+\b", "été ok", -1), ["t", "ok"]);
        assert!(re(r"^\<$").re.is_match("<"));
        assert!(re("^[^\\x{0}-\\x{10FFFF}]?$").re.is_match(""));
    }
}
