//! Sprig's path functions: `base`, `clean`, `dir`, `ext`, `isAbs` (Go's `path`, slash
//! separated paths) and `osBase`, `osClean`, `osDir`, `osExt`, `osIsAbs` (Go's
//! `path/filepath`). Helm runs on Linux for every chart we render, where `path/filepath`
//! behaves exactly as `path` (separator `/`, no volume names), so both sets share one
//! implementation.
//!
//! Go's rules, which differ from Rust's `std::path`: the empty path is `.` for `base`,
//! `clean` and `dir`; trailing slashes are ignored by `base` (`base "a/b/"` is `b`) but
//! make `dir` return the whole path; `..` above the root is dropped (`/../a` is `/a`) but
//! kept in relative paths (`../a` stays); `ext` takes the last dot of the last element,
//! so a dotfile's whole name is its extension (`ext ".bashrc"` is `.bashrc`).

use std::sync::Arc;

use helmpilot_template::{Function, Functions, GoType, Signature, Value};

use super::FunctionEnv;

/// A `func(path string) string`.
type PathFn = fn(&str) -> String;

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    // Each func(path string) string, under its `path` and its `path/filepath` name.
    let string_fns: [(&str, &str, PathFn); 4] = [
        ("base", "osBase", |path| base(path).to_string()),
        ("clean", "osClean", clean),
        ("dir", "osDir", dir),
        ("ext", "osExt", |p| ext(p).to_string()),
    ];
    for (name, os_name, f) in string_fns {
        for name in [name, os_name] {
            funcs.insert(
                name,
                Function::new(Signature::fixed(&[GoType::String]), move |_, args| {
                    Ok(Value::from(f(args[0].as_str().unwrap_or_default())))
                }),
            );
        }
    }
    for name in ["isAbs", "osIsAbs"] {
        funcs.insert(
            name,
            Function::new(Signature::fixed(&[GoType::String]), |_, args| {
                Ok(Value::Bool(
                    args[0].as_str().unwrap_or_default().starts_with('/'),
                ))
            }),
        );
    }
}

/// Go's `path.Clean`: the shortest equivalent path, by purely lexical processing.
///
/// ```text
/// clean("a//b/../c/.") == "a/c"    clean("/../x") == "/x"    clean("") == "."
/// ```
pub(crate) fn clean(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let rooted = path.starts_with('/');
    let mut parts: Vec<&str> = Vec::new();
    // How many leading parts are `..` that cannot be cancelled (relative paths only).
    let mut fixed = 0;
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if parts.len() > fixed {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                    fixed += 1;
                }
            }
            name => parts.push(name),
        }
    }
    let joined = parts.join("/");
    match (rooted, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".to_string(),
        (false, false) => joined,
    }
}

/// Go's `path.Base`: the last element, trailing slashes ignored; `.` for the empty path
/// and `/` for a path of slashes only.
pub(crate) fn base(path: &str) -> &str {
    if path.is_empty() {
        return ".";
    }
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        return "/";
    }
    match trimmed.rfind('/') {
        Some(slash) => &trimmed[slash + 1..],
        None => trimmed,
    }
}

/// Go's `path.Dir`: everything up to the last slash, cleaned.
fn dir(path: &str) -> String {
    let end = path.rfind('/').map_or(0, |slash| slash + 1);
    clean(&path[..end])
}

/// Go's `path.Ext`: from the last dot of the last element, or empty.
fn ext(path: &str) -> &str {
    for (i, b) in path.bytes().enumerate().rev() {
        match b {
            b'/' => break,
            b'.' => return &path[i..],
            _ => {}
        }
    }
    ""
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_matches_go() {
        // From Go's path tests.
        let cases = [
            ("", "."),
            ("abc", "abc"),
            ("abc/def", "abc/def"),
            (".", "."),
            ("..", ".."),
            ("../..", "../.."),
            ("../../abc", "../../abc"),
            ("/abc", "/abc"),
            ("/", "/"),
            ("abc/", "abc"),
            ("abc/def/", "abc/def"),
            ("//abc", "/abc"),
            ("///abc", "/abc"),
            ("abc//def//ghi", "abc/def/ghi"),
            ("abc/./def", "abc/def"),
            ("/./abc/def", "/abc/def"),
            ("abc/.", "abc"),
            ("abc/def/ghi/../jkl", "abc/def/jkl"),
            ("abc/def/../ghi/../jkl", "abc/jkl"),
            ("abc/def/..", "abc"),
            ("abc/def/../..", "."),
            ("/abc/def/../..", "/"),
            ("abc/def/../../..", ".."),
            ("/abc/def/../../..", "/"),
            ("abc/def/../../../ghi/jkl/../../../mno", "../../mno"),
            ("abc/./../def", "def"),
            ("abc//./../def", "def"),
            ("abc/../../././../def", "../../def"),
        ];
        for (input, expected) in cases {
            assert_eq!(clean(input), expected, "{input:?}");
        }
    }

    #[test]
    fn base_dir_ext() {
        assert_eq!(base("a/b/"), "b");
        assert_eq!(base("///"), "/");
        assert_eq!(dir("a/b/"), "a/b");
        assert_eq!(dir("abc"), ".");
        assert_eq!(dir("/"), "/");
        assert_eq!(ext("a.b/c"), "");
        assert_eq!(ext("x.tar.gz"), ".gz");
    }
}
