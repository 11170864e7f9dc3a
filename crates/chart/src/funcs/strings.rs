//! Sprig's string functions: Go's `strings` package (`upper`, `trim`, `replace`, ...),
//! Sprig's own helpers (`quote`, `indent`, `substr`, `split`, ...), huandu/xstrings
//! (`camelcase`, `snakecase`, `kebabcase`, `shuffle`) and Masterminds/goutils (`abbrev`,
//! `wrap`, `initials`, `nospace`, `swapcase`, `untitle`).
//!
//! Go quirks we reproduce:
//! - Go strings are bytes: `trunc`, `substr`, `abbrev` and `wrapWith` count and cut bytes,
//!   so they can split a multi-byte character; each invalid byte then becomes U+FFFD, as
//!   Helm's output shows it (our strings are UTF-8). `substr` with bounds Go cannot slice fails with
//!   Go's runtime panic text (`slice bounds out of range [3:1]`).
//! - Case mappings are Go's simple one-to-one ones (`upper "ß"` is `ß`), `title` is Go's
//!   deprecated `strings.Title` (a word starts after anything but a letter, digit or `_`,
//!   and gets title case: `ǆ` → `ǅ`).
//! - `quote`, `squote` and `cat` skip nil arguments; `join` and `toStrings` drop nils from
//!   lists and turn a lone value into a one-element list.
//! - `split` and `splitn` return a `map[string]string` keyed `_0`, `_1`, ...
//! - `repeat` and `indent` with a negative count fail as Go's `strings.Repeat` panics do.
//!   A result Helm would need more memory than any machine has fails here with a clear
//!   error instead (see [`MAX_RESULT_BYTES`]).

pub(super) mod gounicode;
mod goutils;
mod xstrings;

use crate::funcs::cast::{int_arg, str_arg};
use std::collections::BTreeMap;
use std::sync::Arc;

use helmpilot_template::{
    gofmt, Error, Function, Functions, GoType, List, ListType, Map, Signature, Str, Value,
};

use super::cast::strval;
use super::FunctionEnv;
use gounicode::{go_lossy, is_digit, is_letter, is_space, to_lower, to_title, to_upper};

/// The largest string `repeat` and `indent` build: the engine's own output limit. Helm
/// has none and dies of memory exhaustion (a Go runtime fatal error, not an error
/// message) long before anything much larger could be written.
const MAX_RESULT_BYTES: u64 = 256 << 20;

/// `func(string) string`.
type Unary = fn(&str) -> String;
/// `func(string, string) bool`.
type Test = fn(&str, &str) -> bool;
/// `func(string, string) string`.
type Binary = fn(&str, &str) -> String;

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    use GoType::{Any, Int, String as S};
    let fixed = Signature::fixed;

    funcs.insert(
        "hello",
        Function::new(fixed(&[]), |_, _| Ok(Value::from("Hello!"))),
    );

    // func(string) string functions.
    let unary: [(&str, Unary); 11] = [
        ("upper", |s| s.chars().map(to_upper).collect()),
        ("lower", |s| s.chars().map(to_lower).collect()),
        ("title", title),
        ("untitle", goutils::uncapitalize),
        ("swapcase", goutils::swap_case),
        ("initials", goutils::initials),
        ("nospace", goutils::delete_white_space),
        ("trim", |s| s.trim().to_string()),
        ("camelcase", xstrings::to_pascal_case),
        ("snakecase", xstrings::to_snake_case),
        ("kebabcase", xstrings::to_kebab_case),
    ];
    for (name, f) in unary {
        funcs.insert(
            name,
            Function::new(fixed(&[S]), move |_, args| {
                Ok(Value::from(f(str_arg(&args[0]))))
            }),
        );
    }
    let env_for_shuffle = Arc::clone(env);
    funcs.insert(
        "shuffle",
        Function::new(fixed(&[S]), move |ctx, args| {
            let mut rng = env_for_shuffle.rng(&ctx.call_site());
            Ok(Value::from(xstrings::shuffle(str_arg(&args[0]), &mut rng)))
        }),
    );

    // Sprig swaps the arguments of Go's two-string functions so the subject comes last
    // and can be piped: `"foobar" | contains "foo"`.
    let tests: [(&str, Test); 3] = [
        ("contains", |sub, s| s.contains(sub)),
        ("hasPrefix", |prefix, s| s.starts_with(prefix)),
        ("hasSuffix", |suffix, s| s.ends_with(suffix)),
    ];
    for (name, f) in tests {
        funcs.insert(
            name,
            Function::new(fixed(&[S, S]), move |_, args| {
                Ok(Value::Bool(f(str_arg(&args[0]), str_arg(&args[1]))))
            }),
        );
    }
    let trims: [(&str, Binary); 4] = [
        ("trimAll", trim_all),
        ("trimall", trim_all),
        ("trimPrefix", |prefix, s| {
            s.strip_prefix(prefix).unwrap_or(s).to_string()
        }),
        ("trimSuffix", |suffix, s| {
            s.strip_suffix(suffix).unwrap_or(s).to_string()
        }),
    ];
    for (name, f) in trims {
        funcs.insert(
            name,
            Function::new(fixed(&[S, S]), move |_, args| {
                Ok(Value::from(f(str_arg(&args[0]), str_arg(&args[1]))))
            }),
        );
    }

    funcs.insert(
        "toString",
        Function::new(fixed(&[Any]), |_, args| Ok(Value::from(strval(&args[0])))),
    );
    funcs.insert(
        "toStrings",
        Function::new(fixed(&[Any]), |_, args| {
            Ok(Value::List(List::strings(strslice(&args[0]))))
        }),
    );
    funcs.insert(
        "join",
        Function::new(fixed(&[S, Any]), |_, args| {
            Ok(Value::from(strslice(&args[1]).join(str_arg(&args[0]))))
        }),
    );
    funcs.insert(
        "quote",
        Function::new(Signature::variadic(&[], Any), |_, args| {
            Ok(Value::from(join_non_nil(args, |v| {
                gofmt::quote(&strval(v))
            })))
        }),
    );
    // squote formats the value itself with %v, not its strval (a []byte prints as
    // numbers here, as text in quote).
    funcs.insert(
        "squote",
        Function::new(Signature::variadic(&[], Any), |_, args| {
            Ok(Value::from(join_non_nil(args, |v| {
                format!("'{}'", sprint(v))
            })))
        }),
    );
    funcs.insert(
        "cat",
        Function::new(Signature::variadic(&[], Any), |_, args| {
            Ok(Value::from(join_non_nil(args, sprint)))
        }),
    );
    funcs.insert(
        "replace",
        Function::new(fixed(&[S, S, S]), |_, args| {
            Ok(Value::from(replace_all(
                str_arg(&args[2]),
                str_arg(&args[0]),
                str_arg(&args[1]),
            )))
        }),
    );
    funcs.insert(
        "plural",
        Function::new(fixed(&[S, S, Int]), |_, args| {
            let chosen = if int_arg(&args[2]) == 1 {
                &args[0]
            } else {
                &args[1]
            };
            Ok(chosen.clone())
        }),
    );
    funcs.insert(
        "repeat",
        Function::new(fixed(&[Int, S]), |_, args| {
            repeat(str_arg(&args[1]), int_arg(&args[0])).map(Value::from)
        }),
    );
    funcs.insert(
        "indent",
        Function::new(fixed(&[Int, S]), |_, args| {
            indent(int_arg(&args[0]), str_arg(&args[1])).map(Value::from)
        }),
    );
    funcs.insert(
        "nindent",
        Function::new(fixed(&[Int, S]), |_, args| {
            indent(int_arg(&args[0]), str_arg(&args[1])).map(|s| Value::from(format!("\n{s}")))
        }),
    );
    funcs.insert(
        "trunc",
        Function::new(fixed(&[Int, S]), |_, args| {
            Ok(Value::from(trunc(int_arg(&args[0]), str_arg(&args[1]))))
        }),
    );
    funcs.insert(
        "substr",
        Function::new(fixed(&[Int, Int, S]), |_, args| {
            substr(int_arg(&args[0]), int_arg(&args[1]), str_arg(&args[2])).map(Value::from)
        }),
    );
    funcs.insert(
        "abbrev",
        Function::new(fixed(&[Int, S]), |_, args| {
            let (width, s) = (int_arg(&args[0]), str_arg(&args[1]));
            if width < 4 {
                return Ok(args[1].clone());
            }
            Ok(Value::from(
                goutils::abbreviate_full(s, 0, width).unwrap_or_default(),
            ))
        }),
    );
    funcs.insert(
        "abbrevboth",
        Function::new(fixed(&[Int, Int, S]), |_, args| {
            let (left, right, s) = (int_arg(&args[0]), int_arg(&args[1]), str_arg(&args[2]));
            // Sprig returns the text as it is where goutils would refuse the widths.
            if right < 4 || left > 0 && right < 7 {
                return Ok(args[2].clone());
            }
            Ok(Value::from(
                goutils::abbreviate_full(s, left, right).unwrap_or_default(),
            ))
        }),
    );
    funcs.insert(
        "wrap",
        Function::new(fixed(&[Int, S]), |_, args| {
            Ok(Value::from(goutils::wrap_custom(
                str_arg(&args[1]),
                int_arg(&args[0]),
                "",
                false,
            )))
        }),
    );
    funcs.insert(
        "wrapWith",
        Function::new(fixed(&[Int, S, S]), |_, args| {
            let (width, newline, s) = (int_arg(&args[0]), str_arg(&args[1]), str_arg(&args[2]));
            Ok(Value::from(goutils::wrap_custom(s, width, newline, true)))
        }),
    );
    funcs.insert(
        "split",
        Function::new(fixed(&[S, S]), |_, args| {
            Ok(indexed_map(go_split(
                str_arg(&args[1]),
                str_arg(&args[0]),
                -1,
            )))
        }),
    );
    funcs.insert(
        "splitn",
        Function::new(fixed(&[S, Int, S]), |_, args| {
            Ok(indexed_map(go_split(
                str_arg(&args[2]),
                str_arg(&args[0]),
                int_arg(&args[1]),
            )))
        }),
    );
    funcs.insert(
        "splitList",
        Function::new(fixed(&[S, S]), |_, args| {
            Ok(Value::List(List::strings(go_split(
                str_arg(&args[1]),
                str_arg(&args[0]),
                -1,
            ))))
        }),
    );
}

fn sprint(v: &Value) -> String {
    gofmt::sprint(std::slice::from_ref(v))
}

fn join_non_nil(args: &[Value], format: impl Fn(&Value) -> String) -> String {
    args.iter()
        .filter(|v| !v.is_nil())
        .map(format)
        .collect::<Vec<_>>()
        .join(" ")
}

fn trim_all(cutset: &str, s: &str) -> String {
    s.trim_matches(|c| cutset.contains(c)).to_string()
}

/// Go's deprecated `strings.Title`: the first rune of each word in title case, where a
/// word starts after a separator: any ASCII rune but letters, digits and `_`, and
/// beyond ASCII only white space.
///
/// For example `o'neil foo_bar` becomes `O'Neil Foo_bar`.
fn title(s: &str) -> String {
    fn is_separator(c: char) -> bool {
        if c.is_ascii() {
            return !(c.is_ascii_alphanumeric() || c == '_');
        }
        !(is_letter(c) || is_digit(c)) && is_space(c)
    }
    let mut prev = ' ';
    s.chars()
        .map(|c| {
            let out = if is_separator(prev) { to_title(c) } else { c };
            prev = c;
            out
        })
        .collect()
}

/// Sprig's `strslice`: a `[]string` as it is, the non-nil items of any other list as
/// their `strval`, nil as an empty list and anything else as a one-item list.
///
/// For example `(list 1 nil "a")` gives `["1", "a"]` and `5` gives `["5"]`.
fn strslice(v: &Value) -> Vec<Str> {
    match v {
        Value::List(list) if list.list_type() == ListType::String => list
            .items()
            .iter()
            .map(|item| Str::from(str_arg(item)))
            .collect(),
        Value::List(list) => list
            .items()
            .iter()
            .filter(|item| !item.is_nil())
            .map(|item| strval(item).into())
            .collect(),
        // A []byte is a slice of uint8 to reflection: each byte prints as a number.
        Value::Bytes(bytes) => bytes.iter().map(|b| b.to_string().into()).collect(),
        Value::Nil => Vec::new(),
        other => vec![strval(other).into()],
    }
}

/// Go's `strings.Replace(s, old, new, -1)`. An empty `old` matches before every rune
/// and at the end, as Rust's `str::replace` does too.
fn replace_all(s: &str, old: &str, new: &str) -> String {
    s.replace(old, new)
}

/// Go's `strings.Repeat`, with its panics as errors.
fn repeat(s: &str, count: i64) -> Result<String, Error> {
    if count < 0 {
        return Err(Error::function("strings: negative Repeat count"));
    }
    let total = (s.len() as u128) * (count as u128);
    if total > i64::MAX as u128 {
        return Err(Error::function("strings: Repeat output length overflow"));
    }
    check_size(total)?;
    Ok(s.repeat(count as usize))
}

fn check_size(bytes: u128) -> Result<(), Error> {
    if bytes > u128::from(MAX_RESULT_BYTES) {
        return Err(Error::function(format!(
            "result of {bytes} bytes exceeds helmpilot's limit of {MAX_RESULT_BYTES} bytes \
             (Helm would run out of memory)"
        )));
    }
    Ok(())
}

/// Sprig's `indent`: `spaces` blanks before every line, empty lines included (and after
/// a trailing newline).
fn indent(spaces: i64, s: &str) -> Result<String, Error> {
    if spaces < 0 {
        return Err(Error::function("strings: negative Repeat count"));
    }
    let lines = s.bytes().filter(|&b| b == b'\n').count() as u128 + 1;
    check_size(lines * spaces as u128 + s.len() as u128)?;
    let pad = " ".repeat(spaces as usize);
    Ok(format!("{pad}{}", s.replace('\n', &format!("\n{pad}"))))
}

/// Sprig's `trunc`: the first `c` bytes, or with a negative `c` the last `-c` bytes.
fn trunc(c: i64, s: &str) -> String {
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    if c < 0 && len + c > 0 {
        return go_lossy(&bytes[(len + c) as usize..]);
    }
    if c >= 0 && len > c {
        return go_lossy(&bytes[..c as usize]);
    }
    s.to_string()
}

/// Sprig's `substr`: `s[:end]` when `start < 0`, `s[start:]` when `end < 0` or past the
/// end, else `s[start:end]`, in bytes. Bounds Go cannot slice with fail with the text of
/// Go's runtime panic, which text/template reports as the function's error.
fn substr(start: i64, end: i64, s: &str) -> Result<String, Error> {
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    let out_of_range = |detail: String| {
        Err(Error::function(format!(
            "runtime error: slice bounds out of range {detail}"
        )))
    };
    if start < 0 {
        if end < 0 {
            return out_of_range(format!("[:{end}]"));
        }
        if end > len {
            return out_of_range(format!("[:{end}] with length {len}"));
        }
        return Ok(go_lossy(&bytes[..end as usize]));
    }
    if end < 0 || end > len {
        if start > len {
            return out_of_range(format!("[{start}:{len}]"));
        }
        return Ok(go_lossy(&bytes[start as usize..]));
    }
    if start > end {
        return out_of_range(format!("[{start}:{end}]"));
    }
    Ok(go_lossy(&bytes[start as usize..end as usize]))
}

/// Go's `strings.SplitN(s, sep, n)` (`n < 0`: all parts; `n == 0`: none). An empty `sep`
/// splits into single runes, the last part taking the rest when `n` limits them.
fn go_split(s: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return Vec::new();
    }
    let limit = if n < 0 { usize::MAX } else { n as usize };
    if sep.is_empty() {
        let mut parts = Vec::new();
        let mut rest = s;
        while let Some(c) = rest.chars().next() {
            if parts.len() + 1 == limit {
                parts.push(rest.to_string());
                break;
            }
            parts.push(c.to_string());
            rest = &rest[c.len_utf8()..];
        }
        return parts;
    }
    s.splitn(limit, sep).map(str::to_string).collect()
}

/// Sprig's `split` result: a `map[string]string` with keys `_0`, `_1`, ...
fn indexed_map(parts: Vec<String>) -> Value {
    let entries: BTreeMap<Str, Value> = parts
        .into_iter()
        .enumerate()
        .map(|(i, part)| (Str::from(format!("_{i}")), Value::from(part)))
        .collect();
    Value::Map(Map::from_entries(entries).with_type_name("map[string]string"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_title() {
        assert_eq!(
            title("hello wORLD foo-bar foo_bar o'neil ǆa 1st"),
            "Hello WORLD Foo-Bar Foo_bar O'Neil ǅa 1st"
        );
    }

    #[test]
    fn byte_slicing() {
        assert_eq!(trunc(2, "héllo"), "h\u{FFFD}");
        assert_eq!(trunc(-4, "héllo"), "\u{FFFD}llo");
        assert_eq!(substr(2, 4, "héllo").unwrap(), "\u{FFFD}l");
        assert!(substr(3, 1, "hello").is_err());
    }

    #[test]
    fn splitting() {
        assert_eq!(go_split("héy", "", -1), ["h", "é", "y"]);
        assert_eq!(go_split("héy", "", 2), ["h", "éy"]);
        assert!(go_split("", "", -1).is_empty());
        assert_eq!(go_split("", ",", -1), [""]);
        assert_eq!(go_split("a,b,c", ",", 2), ["a", "b,c"]);
    }

    /// A call context that only knows where the call is.
    struct At(helmpilot_template::CallSite);

    impl helmpilot_template::CallContext for At {
        fn execute_template(&mut self, _: &str, _: &Value) -> Result<String, Error> {
            Err(Error::function("not in a template"))
        }
        fn execute_text(&mut self, _: &str, _: &str, _: &Value) -> Result<String, Error> {
            Err(Error::function("not in a template"))
        }
        fn call_site(&mut self) -> helmpilot_template::CallSite {
            self.0.clone()
        }
    }

    #[test]
    fn shuffle_is_seeded_by_the_call_site() {
        let mut funcs = Functions::new();
        register(
            &mut funcs,
            &Arc::new(FunctionEnv::for_release("r", "ns", "c")),
        );
        let shuffle = funcs.get("shuffle").expect("registered");
        let text = "abcdefghijklmnopqrstuvwxyz ✓ é 日本";
        let run = |occurrence| {
            let site = helmpilot_template::CallSite {
                entry: "c/templates/a.yaml".into(),
                template: "c/templates/a.yaml".into(),
                offset: 12,
                occurrence,
            };
            let out = shuffle.call(&mut At(site), &[Value::from(text)]).unwrap();
            out.as_str().unwrap().to_string()
        };
        assert_eq!(run(0), run(0));
        assert_ne!(run(0), run(1));
        let sorted = |s: &str| {
            let mut chars: Vec<char> = s.chars().collect();
            chars.sort_unstable();
            chars
        };
        assert_eq!(sorted(&run(0)), sorted(text));
    }

    #[test]
    fn huge_repeats_fail_cleanly() {
        assert!(repeat("ab", i64::MAX).is_err());
        assert!(repeat("a", 1 << 40).is_err());
        assert_eq!(repeat("", i64::MAX).unwrap(), "");
        assert!(indent(1 << 40, "a").is_err());
    }
}
