//! Go's `path/filepath.Match` (Unix flavour), which `helm template --show-only` matches
//! template paths with: `*` and `?` never match `/`, `[...]` classes with ranges and
//! `^` negation, `\` escapes. A malformed pattern matches nothing, as Helm ignores the
//! error.

/// Whether `name` matches the shell pattern `pattern`, as Go's `filepath.Match` says
/// (a malformed pattern never matches).
///
/// ```
/// use helmpilot_chart::manifest::glob_match;
/// assert!(glob_match("templates/*.yaml", "templates/cm.yaml"));
/// assert!(!glob_match("templates/*", "templates/sub/cm.yaml"));
/// assert!(!glob_match("templates/[", "templates/["));
/// ```
pub fn glob_match(pattern: &str, name: &str) -> bool {
    // One port of filepath.Match serves .helmignore and --show-only alike.
    crate::chart::ignore::go_match(pattern, name).unwrap_or(false)
}

#[cfg(test)]
mod tests {
    use super::glob_match;

    #[test]
    fn matches_like_go() {
        // Cases from Go's documented semantics of filepath.Match.
        let cases: &[(&str, &str, bool)] = &[
            ("abc", "abc", true),
            ("*", "abc", true),
            ("*c", "abc", true),
            ("a*", "a", true),
            ("a*/b", "abc/b", true),
            ("a*/b", "a/c/b", false),
            ("a*b*c*d*e*/f", "axbxcxdxe/f", true),
            ("a*b?c*x", "abxbbxdbxebxczzx", true),
            ("a*b?c*x", "abxbbxdbxebxczzy", false),
            ("ab[c]", "abc", true),
            ("ab[b-d]", "abc", true),
            ("ab[e-g]", "abc", false),
            ("ab[^c]", "abc", false),
            ("ab[^e-g]", "abc", true),
            ("a\\*b", "a*b", true),
            ("a\\*b", "ab", false),
            ("a?b", "a☺b", true),
            ("a[^a]b", "a☺b", true),
            ("a???b", "a☺b", false),
            ("*x", "xxx", true),
            ("[", "a", false),
            ("[^", "a", false),
            ("a[", "x", false),
            ("*", "a/b", false),
            ("templates/*", "templates/a.yaml", true),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(glob_match(pattern, name), *want, "{pattern} vs {name}");
        }
    }
}
