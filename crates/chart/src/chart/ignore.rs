//! `.helmignore`: which files of a chart directory the loader skips, with Helm's rule
//! syntax and its (sometimes surprising) matching.
//!
//! Each non-blank line that does not start with `#` is a rule, trimmed of surrounding
//! spaces. A rule is a Go `filepath.Match` pattern (`*`, `?`, `[...]`, `\` escapes; `*`
//! never crosses a `/`); `**` is refused. Then:
//!
//! - a trailing `/` makes the rule apply to directories only;
//! - a leading `/` anchors it at the chart root; a rule containing another `/` is matched
//!   against the whole relative path; a rule without `/` against the base name only;
//! - a leading `!` negates the rule. Unlike `.gitignore`, Helm evaluates the rules in
//!   order and stops at the first decision: a path that does *not* match a negated rule
//!   is ignored right there. So `!keep.txt` ignores every other file, Chart.yaml included.
//!
//! Helm adds one rule after the file's own: `templates/.?*`, hidden files and
//! directories directly under `templates/`.
//!
//! ```
//! use helmpilot_chart::chart::ignore::Rules;
//! let mut rules = Rules::parse("# build output\n*.tmp\nsecrets/\n").unwrap();
//! rules.add_defaults();
//! assert!(rules.ignore("files/a.tmp", false));
//! assert!(rules.ignore("secrets", true));
//! assert!(!rules.ignore("secrets", false));
//! assert!(rules.ignore("templates/.draft.yaml", false));
//! assert!(!rules.ignore("templates/app.yaml", false));
//! ```

/// The name of the ignore file in a chart directory.
pub const HELM_IGNORE: &str = ".helmignore";

/// A `.helmignore` rule Helm refuses; the message is Helm's.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum IgnoreError {
    #[error("double-star (**) syntax is not supported")]
    DoubleStar,
    /// Go's `filepath.ErrBadPattern`.
    #[error("syntax error in pattern")]
    BadPattern,
}

/// Where a rule's pattern is matched.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Scope {
    /// Against the base name only (the rule has no `/`).
    BaseName,
    /// Against the whole path relative to the chart root.
    FullPath,
}

#[derive(Clone, Debug, PartialEq, Eq)]
struct Rule {
    pattern: String,
    scope: Scope,
    negate: bool,
    dir_only: bool,
}

/// An ordered list of ignore rules.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Rules {
    rules: Vec<Rule>,
}

impl Rules {
    /// No rules: nothing is ignored.
    pub fn empty() -> Rules {
        Rules::default()
    }

    /// Parses the text of a `.helmignore` file (a UTF-8 byte order mark is skipped).
    pub fn parse(text: &str) -> Result<Rules, IgnoreError> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut rules = Rules::empty();
        // Go's bufio.Scanner splits on "\n" and drops one trailing "\r"; the trim below
        // removes it anyway.
        for line in text.split('\n') {
            rules.add_rule(line)?;
        }
        Ok(rules)
    }

    /// Parses a `.helmignore` file's bytes. Invalid UTF-8 is kept byte for byte as far
    /// as patterns go: lossy decoding only affects rules that could never match a
    /// file name Helm would compare them with.
    pub fn parse_bytes(data: &[u8]) -> Result<Rules, IgnoreError> {
        Rules::parse(&String::from_utf8_lossy(data))
    }

    /// Adds Helm's default rule, after the file's own: hidden entries directly under
    /// `templates/` are ignored.
    pub fn add_defaults(&mut self) {
        // The default rule is valid; a failure here would be a bug in this constant.
        let _ = self.add_rule("templates/.?*");
    }

    /// Adds one rule (one line of the file).
    pub fn add_rule(&mut self, line: &str) -> Result<(), IgnoreError> {
        let rule = go_trim_space(line);
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err(IgnoreError::DoubleStar);
        }
        // Helm compiles the whole line, `!` and trailing `/` included, once against a
        // sample name so that malformed patterns fail at parse time.
        go_match(rule, "abc")?;
        let mut pattern = rule;
        let negate = match pattern.strip_prefix('!') {
            Some(rest) => {
                pattern = rest;
                true
            }
            None => false,
        };
        let dir_only = match pattern.strip_suffix('/') {
            Some(rest) => {
                pattern = rest;
                true
            }
            None => false,
        };
        let (pattern, scope) = if let Some(rest) = pattern.strip_prefix('/') {
            (rest, Scope::FullPath)
        } else if pattern.contains('/') {
            (pattern, Scope::FullPath)
        } else {
            (pattern, Scope::BaseName)
        };
        self.rules.push(Rule {
            pattern: pattern.to_string(),
            scope,
            negate,
            dir_only,
        });
        Ok(())
    }

    /// Whether the entry at `path` (relative to the chart root, `/`-separated) is
    /// ignored. The first rule that decides wins.
    pub fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for rule in &self.rules {
            if rule.negate {
                // Helm's order of checks: a directory-only negated rule ignores every
                // file, and a negated rule ignores whatever it does not match.
                if rule.dir_only && !is_dir {
                    return true;
                }
                if !rule.matches(path) {
                    return true;
                }
                continue;
            }
            if rule.dir_only && !is_dir {
                continue;
            }
            if rule.matches(path) {
                return true;
            }
        }
        false
    }
}

impl Rule {
    fn matches(&self, path: &str) -> bool {
        let name = match self.scope {
            Scope::FullPath => path,
            Scope::BaseName => crate::funcs::paths::base(path),
        };
        // A pattern that fails to compile here only matches nothing (Helm logs it).
        go_match(&self.pattern, name).unwrap_or(false)
    }
}

/// Go's `strings.TrimSpace`: ASCII and Unicode white space at both ends.
fn go_trim_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace())
}

/// Go's `filepath.Match` on Unix: `*` is any run of non-`/` characters, `?` one
/// non-`/` character, `[...]` a class (`^` negates, `a-z` ranges, `\` escapes), `\x`
/// the literal `x`. A malformed pattern is an error, also when the part of it that
/// matching reached was fine.
pub fn go_match(pattern: &str, name: &str) -> Result<bool, IgnoreError> {
    let mut pattern = pattern;
    let mut name = name;
    'outer: while !pattern.is_empty() {
        let (star, chunk, rest) = scan_chunk(pattern);
        pattern = rest;
        if star && chunk.is_empty() {
            // A trailing `*` matches the rest unless it has a separator.
            return Ok(!name.contains('/'));
        }
        let attempt = match_chunk(chunk, name);
        if let Ok(Some(t)) = attempt {
            if t.is_empty() || !pattern.is_empty() {
                name = t;
                continue;
            }
        }
        attempt?;
        if star {
            // Try the chunk at each later position; the star cannot swallow a `/`.
            let bytes = name.as_bytes();
            let mut i = 0;
            while i < bytes.len() && bytes[i] != b'/' {
                let Some(next) = name.get(i + 1..) else {
                    i += 1;
                    continue;
                };
                if let Some(t) = match_chunk(chunk, next)? {
                    // The last chunk must consume the rest of the name.
                    if !pattern.is_empty() || t.is_empty() {
                        name = t;
                        continue 'outer;
                    }
                }
                i += 1;
            }
        }
        // No match: the rest of the pattern must still be well formed.
        while !pattern.is_empty() {
            let (_, chunk, rest) = scan_chunk(pattern);
            pattern = rest;
            match_chunk(chunk, "")?;
        }
        return Ok(false);
    }
    Ok(name.is_empty())
}

/// Splits off a leading run of stars and the following chunk up to the next
/// unescaped star outside a class.
fn scan_chunk(pattern: &str) -> (bool, &str, &str) {
    let trimmed = pattern.trim_start_matches('*');
    let star = trimmed.len() != pattern.len();
    let bytes = trimmed.as_bytes();
    let mut in_range = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' if i + 1 < bytes.len() => i += 1,
            b'[' => in_range = true,
            b']' => in_range = false,
            b'*' if !in_range => break,
            _ => {}
        }
        i += 1;
    }
    (star, &trimmed[..i], &trimmed[i..])
}

/// Matches one star-free chunk at the start of `s`: the rest of `s` when it matches,
/// `None` when it does not, an error when the chunk is malformed.
fn match_chunk<'s>(chunk: &str, s: &'s str) -> Result<Option<&'s str>, IgnoreError> {
    let mut chunk = chunk;
    let mut s = s;
    // After a mismatch, keep scanning the chunk only to validate its syntax.
    let mut failed = false;
    while let Some(c) = chunk.chars().next() {
        if !failed && s.is_empty() {
            failed = true;
        }
        match c {
            '[' => {
                let mut r = '\0';
                if !failed {
                    if let Some(ch) = s.chars().next() {
                        r = ch;
                        s = &s[ch.len_utf8()..];
                    }
                }
                chunk = &chunk[1..];
                let negated = chunk.starts_with('^');
                if negated {
                    chunk = &chunk[1..];
                }
                let mut matched = false;
                let mut ranges = 0;
                loop {
                    if chunk.starts_with(']') && ranges > 0 {
                        chunk = &chunk[1..];
                        break;
                    }
                    let (lo, rest) = get_escaped(chunk)?;
                    chunk = rest;
                    let mut hi = lo;
                    if let Some(rest) = chunk.strip_prefix('-') {
                        let (h, rest) = get_escaped(rest)?;
                        hi = h;
                        chunk = rest;
                    }
                    if lo <= r && r <= hi {
                        matched = true;
                    }
                    ranges += 1;
                }
                if matched == negated {
                    failed = true;
                }
            }
            '?' => {
                if !failed {
                    if let Some(ch) = s.chars().next() {
                        if ch == '/' {
                            failed = true;
                        }
                        s = &s[ch.len_utf8()..];
                    }
                }
                chunk = &chunk[1..];
            }
            '\\' => {
                chunk = &chunk[1..];
                let Some(lit) = chunk.chars().next() else {
                    return Err(IgnoreError::BadPattern);
                };
                literal(lit, &mut chunk, &mut s, &mut failed);
            }
            _ => literal(c, &mut chunk, &mut s, &mut failed),
        }
    }
    if failed {
        return Ok(None);
    }
    Ok(Some(s))
}

/// One literal character of a chunk. Go compares bytes here; comparing whole
/// characters is the same for valid UTF-8 on both sides.
fn literal(c: char, chunk: &mut &str, s: &mut &str, failed: &mut bool) {
    if !*failed {
        match s.chars().next() {
            Some(sc) if sc == c => *s = &s[sc.len_utf8()..],
            _ => *failed = true,
        }
    }
    *chunk = &chunk[c.len_utf8()..];
}

/// One possibly escaped character of a class; it must be followed by more pattern.
fn get_escaped(chunk: &str) -> Result<(char, &str), IgnoreError> {
    if chunk.is_empty() || chunk.starts_with('-') || chunk.starts_with(']') {
        return Err(IgnoreError::BadPattern);
    }
    let chunk = match chunk.strip_prefix('\\') {
        Some("") => return Err(IgnoreError::BadPattern),
        Some(rest) => rest,
        None => chunk,
    };
    let Some(c) = chunk.chars().next() else {
        return Err(IgnoreError::BadPattern);
    };
    let rest = &chunk[c.len_utf8()..];
    if rest.is_empty() {
        return Err(IgnoreError::BadPattern);
    }
    Ok((c, rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_match_cases() {
        // (pattern, name, expected) as Go's filepath.Match answers them.
        let cases: &[(&str, &str, Result<bool, IgnoreError>)] = &[
            ("values.yaml", "values.yaml", Ok(true)),
            ("*", "notes.txt", Ok(true)),
            ("*.txt", "notes.txt", Ok(true)),
            ("n*", "n", Ok(true)),
            ("n*", "files/notes", Ok(false)),
            ("f*/n*", "files/notes", Ok(true)),
            ("f*/n*", "f/x/notes", Ok(false)),
            ("*o*e*", "notes", Ok(true)),
            ("*s", "sss", Ok(true)),
            ("c?t*g", "cat.cfg", Ok(true)),
            ("c?t*g", "cat.cfh", Ok(false)),
            ("v[a]l", "val", Ok(true)),
            ("v[0-9a-c]l", "val", Ok(true)),
            ("v[x-z]l", "val", Ok(false)),
            ("v[^a]l", "val", Ok(false)),
            ("v[^x-z]l", "val", Ok(true)),
            ("x\\?y", "x?y", Ok(true)),
            ("x\\?y", "xay", Ok(false)),
            ("x?y", "x\u{e9}y", Ok(true)),
            ("x??y", "x\u{e9}y", Ok(false)),
            ("[\u{e0}-\u{ff}]", "\u{e9}", Ok(true)),
            ("x?y", "x/y", Ok(false)),
            ("x*y", "x/y", Ok(false)),
            ("[\\]q]", "]", Ok(true)),
            ("[q\\-]", "-", Ok(true)),
            ("[q\\-]", "r", Ok(false)),
            ("[]q]", "]", Err(IgnoreError::BadPattern)),
            ("[-]", "-", Err(IgnoreError::BadPattern)),
            ("[q-]", "q", Err(IgnoreError::BadPattern)),
            ("[-q]", "q", Err(IgnoreError::BadPattern)),
            ("\\", "q", Err(IgnoreError::BadPattern)),
            ("[a-c-e]", "b", Err(IgnoreError::BadPattern)),
            ("[", "q", Err(IgnoreError::BadPattern)),
            ("[^", "q", Err(IgnoreError::BadPattern)),
            ("q[", "q", Err(IgnoreError::BadPattern)),
            // A mismatch early on still reports the malformed rest.
            ("z/w[", "q", Err(IgnoreError::BadPattern)),
        ];
        for (pattern, name, want) in cases {
            assert_eq!(&go_match(pattern, name), want, "{pattern} vs {name}");
        }
    }

    #[test]
    fn rule_parsing() {
        assert_eq!(Rules::parse("a/**/b"), Err(IgnoreError::DoubleStar));
        assert_eq!(Rules::parse("ok\n[x-"), Err(IgnoreError::BadPattern));
        let rules = Rules::parse("\u{feff}# comment\n\n  spaced.txt  \r\n").unwrap();
        assert!(rules.ignore("dir/spaced.txt", false));
        assert_eq!(rules.rules.len(), 1);
    }

    #[test]
    fn matching_like_helm() {
        let rules = Rules::parse("*.cfg\n/top.txt\nsub/x\nbuild/\n").unwrap();
        assert!(rules.ignore("a/b/c.cfg", false));
        assert!(rules.ignore("top.txt", false));
        assert!(!rules.ignore("d/top.txt", false));
        assert!(rules.ignore("sub/x", false));
        assert!(!rules.ignore("a/sub/x", false));
        assert!(rules.ignore("a/build", true));
        assert!(!rules.ignore("a/build", false));
        assert!(!rules.ignore(".", true));
        assert!(!rules.ignore("", true));
        // Negation decides at once: what does not match is ignored.
        let rules = Rules::parse("!keep.txt\n*.txt\n").unwrap();
        assert!(rules.ignore("Chart.yaml", false));
        assert!(rules.ignore("keep.txt", false));
        let rules = Rules::parse("!dir/\n").unwrap();
        assert!(rules.ignore("file", false));
        assert!(!rules.ignore("dir", true));
        assert!(rules.ignore("other", true));
    }
}
