//! Glob patterns for environment names and git refs: `*` (any run of characters but `/`),
//! `**` (any run, `/` included) and `?` (one character but `/`); everything else is
//! literal. The same small language as GitHub's branch filters, without classes, so a
//! pattern in the policy reads the way it does in a workflow file.

/// Whether `text` matches `pattern`.
///
/// A table over (pattern position, text position), filled from the ends: quadratic in
/// the lengths at worst, with no recursion and no backtracking blow-up, so a hostile
/// pattern in a pull request cannot stall the gate. Names and refs are short.
pub(crate) fn matches(pattern: &str, text: &str) -> bool {
    let tokens = tokenize(pattern);
    let t: Vec<char> = text.chars().collect();
    // `next[j]`: whether tokens[i + 1..] match t[j..]; `cur[j]` the same for tokens[i..].
    let mut next = vec![false; t.len() + 1];
    next[t.len()] = true;
    for token in tokens.iter().rev() {
        let mut cur = vec![false; t.len() + 1];
        for j in (0..=t.len()).rev() {
            cur[j] = match token {
                Token::Char(c) => j < t.len() && t[j] == *c && next[j + 1],
                Token::One => j < t.len() && t[j] != '/' && next[j + 1],
                // Empty, or one character more and still the same star.
                Token::Star => next[j] || (j < t.len() && t[j] != '/' && cur[j + 1]),
                Token::DoubleStar => next[j] || (j < t.len() && cur[j + 1]),
            };
        }
        next = cur;
    }
    next[0]
}

enum Token {
    Char(char),
    One,
    Star,
    DoubleStar,
}

fn tokenize(pattern: &str) -> Vec<Token> {
    let mut out = Vec::new();
    let mut chars = pattern.chars().peekable();
    while let Some(c) = chars.next() {
        out.push(match c {
            '*' if chars.peek() == Some(&'*') => {
                // Any longer run of stars is one `**`.
                while chars.peek() == Some(&'*') {
                    chars.next();
                }
                Token::DoubleStar
            }
            '*' => Token::Star,
            '?' => Token::One,
            c => Token::Char(c),
        });
    }
    out
}

/// Whether the pattern has any wildcard (otherwise it is a plain name).
pub(crate) fn is_glob(pattern: &str) -> bool {
    pattern.contains(['*', '?'])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stars_stop_at_slashes_double_stars_do_not() {
        let cases = [
            ("main", "main", true),
            ("main", "mainline", false),
            ("release/*", "release/1.2", true),
            ("release/*", "release/1.2/hotfix", false),
            ("release/**", "release/1.2/hotfix", true),
            ("release/**", "release/", true),
            ("refs/tags/v*", "refs/tags/v1.2.3", true),
            ("refs/tags/v*", "refs/tags/x1", false),
            ("*", "feature/x", false),
            ("**", "feature/x", true),
            ("*", "", true),
            ("prod-?", "prod-1", true),
            ("prod-?", "prod-12", false),
            ("prod-?", "prod-/", false),
            ("*-eu", "prod-eu", true),
            ("*-eu", "prod-us", false),
            ("a*b*c", "aXXbYYc", true),
            ("a*b*c", "aXXbYY", false),
            ("a**c", "a/b/c", true),
            ("a**b*c", "ab/bc", true),
            ("**/x*y", "a/b/xzy", true),
            ("**/x*y", "a/b/xz/y", false),
        ];
        for (pattern, text, want) in cases {
            assert_eq!(matches(pattern, text), want, "{pattern} ~ {text}");
        }
    }

    #[test]
    fn a_pathological_pattern_finishes() {
        let pattern = "*a".repeat(30);
        let text = "a".repeat(29) + "b";
        assert!(!matches(&pattern, &text));
    }
}
