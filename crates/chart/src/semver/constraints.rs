//! [`Constraints`]: Masterminds' constraint grammar and its matching rules.
//!
//! Masterminds parses constraints with Go regular expressions; this module recognizes the
//! same language by hand. A constraint version (`CV`) is
//! `v?X(\.X)?(\.X)?(-IDS)?(\+IDS)?` where `X` is `[0-9xX*|]+` (the pipe is in Go's
//! character class by accident, and stays accepted here) and `IDS` dot-separated
//! `[0-9A-Za-z-]+`. Because none of these characters is a space, a comma or an operator,
//! the greedy reading of a `CV` is the only one that can be followed by what the grammar
//! requires, so the regular expressions' backtracking never changes the outcome.

use std::cmp::Ordering;
use std::fmt;

use super::version::compare_prerelease;
use super::{Error, Version};

/// One or more constraints: `||`-separated OR groups of AND-ed constraints.
///
/// ```
/// use helmpilot_chart::semver::{Constraints, Version};
/// let c = Constraints::parse(">= 1.2, < 2 || ~3.1").unwrap();
/// let ok = |v| c.check(&Version::parse(v).unwrap());
/// assert!(ok("1.9.9") && ok("3.1.7") && !ok("2.0.0") && !ok("3.2.0"));
/// assert_eq!(c.to_string(), ">=1.2 <2 || ~3.1");
/// ```
#[derive(Clone, Debug)]
pub struct Constraints {
    groups: Vec<Group>,
    /// Go's `IncludePrerelease`: let prerelease versions match every group.
    pub include_prerelease: bool,
}

#[derive(Clone, Debug)]
struct Group {
    constraints: Vec<Constraint>,
    /// Some constraint of the group names a prerelease, which opts the whole group in
    /// to matching prerelease versions.
    has_prerelease: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    /// `=` or no operator: equality, or a tilde range for a wildcard version.
    TildeOrEqual,
    NotEqual,
    Greater,
    Less,
    GreaterEqual,
    LessEqual,
    Tilde,
    Caret,
}

/// The operators, longest spelling first within each prefix.
const OPERATORS: [(&str, Op); 12] = [
    ("!=", Op::NotEqual),
    (">=", Op::GreaterEqual),
    ("=>", Op::GreaterEqual),
    ("<=", Op::LessEqual),
    ("=<", Op::LessEqual),
    ("~>", Op::Tilde),
    (">", Op::Greater),
    ("<", Op::Less),
    ("~", Op::Tilde),
    ("^", Op::Caret),
    ("=", Op::TildeOrEqual),
    ("", Op::TildeOrEqual),
];

#[derive(Clone, Debug)]
struct Constraint {
    op: Op,
    /// The operator as written, for `Display`.
    op_text: String,
    /// The version as written (`1.x`), for messages and `Display`.
    orig: String,
    /// The version compared against, wildcards as zeros (`1.x` -> `1.0.0`).
    con: Version,
    /// A wildcard somewhere (`*`, `1.x`, `1.2.x`, or a missing part).
    dirty: bool,
    /// The minor part is a wildcard (`1`, `1.x`).
    minor_dirty: bool,
    /// The patch part is a wildcard (`1.2`, `1.2.x`).
    patch_dirty: bool,
}

impl Constraints {
    /// Go's `semver.NewConstraint`.
    ///
    /// ```
    /// use helmpilot_chart::semver::Constraints;
    /// assert!(Constraints::parse("1.2 - 1.4.5").is_ok());
    /// assert_eq!(Constraints::parse("nope").unwrap_err().to_string(), r#"improper constraint: "nope""#);
    /// ```
    pub fn parse(text: &str) -> Result<Constraints, Error> {
        let rewritten = rewrite_ranges(text);
        let mut groups = Vec::new();
        for part in rewritten.split("||") {
            let pieces =
                split_and_group(part).ok_or_else(|| Error::ImproperConstraint(part.to_string()))?;
            let constraints = pieces
                .into_iter()
                .map(Constraint::new)
                .collect::<Result<Vec<_>, _>>()?;
            let has_prerelease = constraints.iter().any(|c| !c.con.prerelease().is_empty());
            groups.push(Group {
                constraints,
                has_prerelease,
            });
        }
        Ok(Constraints {
            groups,
            include_prerelease: false,
        })
    }

    /// Go's `Check`: whether some OR group accepts `version` entirely.
    pub fn check(&self, version: &Version) -> bool {
        self.groups.iter().any(|group| {
            let include_pre = self.include_prerelease || group.has_prerelease;
            group
                .constraints
                .iter()
                .all(|c| c.check(version, include_pre).is_ok())
        })
    }

    /// Go's `Validate`: like [`Constraints::check`], with Go's reasons when no group
    /// accepts the version.
    ///
    /// ```
    /// use helmpilot_chart::semver::{Constraints, Version};
    /// let c = Constraints::parse("<1.2").unwrap();
    /// let (ok, reasons) = c.validate(&Version::parse("1.3").unwrap());
    /// assert!(!ok);
    /// assert_eq!(reasons, [r#""1.3.0" is greater than or equal to "1.2""#]);
    /// ```
    pub fn validate(&self, version: &Version) -> (bool, Vec<String>) {
        let mut reasons = Vec::new();
        let mut told_prerelease = false;
        for group in &self.groups {
            let include_pre = self.include_prerelease || group.has_prerelease;
            let mut accepted = true;
            for c in &group.constraints {
                if !include_pre && !version.prerelease().is_empty() {
                    // Go reports the prerelease reason once for all groups.
                    if !told_prerelease {
                        reasons.push(prerelease_reason(version));
                        told_prerelease = true;
                    }
                    accepted = false;
                } else if let Err(reason) = c.check(version, include_pre) {
                    reasons.push(reason);
                    accepted = false;
                }
            }
            if accepted {
                return (true, Vec::new());
            }
        }
        (false, reasons)
    }
}

/// Go's `String()`: constraints of a group joined by spaces, groups by ` || `.
impl fmt::Display for Constraints {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, group) in self.groups.iter().enumerate() {
            if i > 0 {
                f.write_str(" || ")?;
            }
            for (j, c) in group.constraints.iter().enumerate() {
                if j > 0 {
                    f.write_str(" ")?;
                }
                write!(f, "{}{}", c.op_text, c.orig)?;
            }
        }
        Ok(())
    }
}

/// A constraint version as its pattern splits it (see the module doc).
#[derive(Clone, Copy, Debug)]
struct Cv<'a> {
    /// The whole version text, `v` and metadata included.
    text: &'a str,
    major: &'a str,
    minor: Option<&'a str>,
    patch: Option<&'a str>,
    /// The prerelease with its leading `-`.
    dashed_pre: Option<&'a str>,
}

/// One `OP CV` piece of an AND group.
struct Piece<'a> {
    op_text: &'a str,
    op: Op,
    cv: Cv<'a>,
}

fn is_space(b: u8) -> bool {
    // Go's `\s`: no vertical tab, no Unicode spaces.
    matches!(b, b' ' | b'\t' | b'\n' | b'\r' | b'\x0c')
}

fn is_x_char(b: u8) -> bool {
    b.is_ascii_digit() || matches!(b, b'x' | b'X' | b'*' | b'|')
}

fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'-'
}

fn is_op_char(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'<' | b'>' | b'~' | b'^')
}

fn skip_spaces(s: &[u8], mut i: usize) -> usize {
    while i < s.len() && is_space(s[i]) {
        i += 1;
    }
    i
}

fn skip_while(s: &[u8], mut i: usize, pred: fn(u8) -> bool) -> usize {
    while i < s.len() && pred(s[i]) {
        i += 1;
    }
    i
}

/// Matches a `CV` greedily at `start`; returns it and where it ends.
fn match_cv(text: &str, start: usize) -> Option<(Cv<'_>, usize)> {
    let s = text.as_bytes();
    let mut i = start;
    // `v?`: taken only when a version part follows.
    if s.get(i) == Some(&b'v') && s.get(i + 1).is_some_and(|&b| is_x_char(b)) {
        i += 1;
    }
    let major_start = i;
    i = skip_while(s, i, is_x_char);
    if i == major_start {
        return None;
    }
    let major = &text[major_start..i];
    // `(\.X)?` twice: a dot counts only when a part follows it.
    let mut parts = [None, None];
    for slot in &mut parts {
        if s.get(i) == Some(&b'.') && s.get(i + 1).is_some_and(|&b| is_x_char(b)) {
            let end = skip_while(s, i + 1, is_x_char);
            *slot = Some(&text[i + 1..end]);
            i = end;
        } else {
            break;
        }
    }
    let pre_start = i;
    let dashed_pre = match identifiers_after(s, i, b'-') {
        Some(end) => {
            i = end;
            Some(&text[pre_start..end])
        }
        None => None,
    };
    if let Some(end) = identifiers_after(s, i, b'+') {
        i = end;
    }
    let cv = Cv {
        text: &text[start..i],
        major,
        minor: parts[0],
        patch: parts[1],
        dashed_pre,
    };
    Some((cv, i))
}

/// `(LEAD[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*)?` at `i`: the end of the match, if it is there.
fn identifiers_after(s: &[u8], i: usize, lead: u8) -> Option<usize> {
    if s.get(i) != Some(&lead) || !s.get(i + 1).is_some_and(|&b| is_ident_char(b)) {
        return None;
    }
    let mut end = skip_while(s, i + 1, is_ident_char);
    while s.get(end) == Some(&b'.') && s.get(end + 1).is_some_and(|&b| is_ident_char(b)) {
        end = skip_while(s, end + 1, is_ident_char);
    }
    Some(end)
}

/// Splits one OR group into its pieces, or `None` when it does not match Masterminds'
/// validation pattern `^\s*OP\s*CV\s*((\s+|,\s*)OP\s*CV\s*)*$`.
fn split_and_group(group: &str) -> Option<Vec<Piece<'_>>> {
    let s = group.as_bytes();
    let mut pieces = Vec::new();
    let mut i = skip_spaces(s, 0);
    loop {
        // A CV never starts with an operator character, so the operator is the whole
        // run of them, and it must be one of the operators.
        let op_end = skip_while(s, i, is_op_char);
        let op_text = &group[i..op_end];
        let op = OPERATORS.iter().find(|(t, _)| *t == op_text)?.1;
        let (cv, cv_end) = match_cv(group, skip_spaces(s, op_end))?;
        pieces.push(Piece { op_text, op, cv });
        let after = skip_spaces(s, cv_end);
        if after == s.len() {
            return Some(pieces);
        }
        i = if s[after] == b',' {
            skip_spaces(s, after + 1)
        } else if after > cv_end {
            after
        } else {
            return None;
        };
    }
}

/// Masterminds' `rewriteRange`: every `A - B` (spaces around the hyphen required) becomes
/// `>= A, <= B `, replacing the first occurrence of each matched text in turn (as Go's
/// `strings.Replace(o, match, t, 1)` does, so the replaced occurrence may be an earlier
/// equal text). The matches are found in the original text, leftmost first, each
/// including the spaces around it, like Go's `FindAllStringSubmatch` of
/// `\s*(CV)\s+-\s+(CV)\s*`.
fn rewrite_ranges(text: &str) -> String {
    let s = text.as_bytes();
    // Cheap exit for the common case: a range needs a space before a hyphen.
    if !s.windows(2).any(|w| is_space(w[0]) && w[1] == b'-') {
        return text.to_string();
    }
    let mut matches = Vec::new();
    let mut from = 0;
    while from < s.len() {
        match (from..s.len()).find_map(|start| range_at(text, start)) {
            Some((whole, low, high, end)) => {
                matches.push((whole, low, high));
                from = end;
            }
            None => break,
        }
    }
    let mut out = text.to_string();
    for (whole, low, high) in matches {
        out = out.replacen(whole, &format!(">= {low}, <= {high} "), 1);
    }
    out
}

/// A hyphen range starting exactly at `start`: the matched text, both versions and the
/// end.
fn range_at(text: &str, start: usize) -> Option<(&str, &str, &str, usize)> {
    let s = text.as_bytes();
    let (low, low_end) = match_cv(text, skip_spaces(s, start))?;
    let hyphen = skip_spaces(s, low_end);
    if hyphen == low_end || s.get(hyphen) != Some(&b'-') {
        return None;
    }
    let high_start = skip_spaces(s, hyphen + 1);
    if high_start == hyphen + 1 {
        return None;
    }
    let (high, high_end) = match_cv(text, high_start)?;
    let end = skip_spaces(s, high_end);
    Some((&text[start..end], low.text, high.text, end))
}

fn is_wildcard(part: &str) -> bool {
    matches!(part, "x" | "X" | "*")
}

impl Constraint {
    /// Go's `parseConstraint`: wildcards and missing parts become zeros and mark the
    /// constraint dirty; the version must then parse (`1|2` does not: "constraint parser
    /// error").
    fn new(piece: Piece<'_>) -> Result<Constraint, Error> {
        let cv = piece.cv;
        let pre = cv.dashed_pre.unwrap_or("");
        let (version_text, minor_dirty, patch_dirty, dirty) = if is_wildcard(cv.major) {
            (format!("0.0.0{pre}"), false, false, true)
        } else if cv.minor.map_or(true, is_wildcard) {
            (format!("{}.0.0{pre}", cv.major), true, false, true)
        } else if cv.patch.map_or(true, is_wildcard) {
            let minor = cv.minor.unwrap_or_default();
            (format!("{}.{minor}.0{pre}", cv.major), false, true, true)
        } else {
            (cv.text.to_string(), false, false, false)
        };
        let con = Version::parse(&version_text).map_err(|_| Error::ConstraintParser)?;
        Ok(Constraint {
            op: piece.op,
            op_text: piece.op_text.to_string(),
            orig: cv.text.to_string(),
            con,
            dirty,
            minor_dirty,
            patch_dirty,
        })
    }

    /// Whether `v` satisfies this constraint; the error is Go's reason why not.
    fn check(&self, v: &Version, include_pre: bool) -> Result<(), String> {
        if !include_pre && !v.prerelease().is_empty() {
            return Err(prerelease_reason(v));
        }
        match self.op {
            Op::TildeOrEqual if self.dirty => self.check_tilde(v),
            Op::TildeOrEqual => self.expect(v.equal(&self.con), v, "is not equal to"),
            Op::NotEqual => self.check_not_equal(v),
            Op::Greater => self.check_greater(v),
            Op::Less => self.expect(v.less_than(&self.con), v, "is greater than or equal to"),
            Op::GreaterEqual => self.expect(!v.less_than(&self.con), v, "is less than"),
            Op::LessEqual => self.check_less_equal(v),
            Op::Tilde => self.check_tilde(v),
            Op::Caret => self.check_caret(v),
        }
    }

    /// `Ok` when `ok`, else Go's `"%q <relation> %q"` reason.
    fn expect(&self, ok: bool, v: &Version, relation: &str) -> Result<(), String> {
        if ok {
            Ok(())
        } else {
            Err(self.reason(v, relation))
        }
    }

    fn reason(&self, v: &Version, relation: &str) -> String {
        format!("{} {relation} {}", quote(&v.to_string()), quote(&self.orig))
    }

    fn check_not_equal(&self, v: &Version) -> Result<(), String> {
        let con = &self.con;
        if self.dirty {
            if con.major() != v.major() {
                return Ok(());
            }
            if con.minor() != v.minor() && !self.minor_dirty {
                return Ok(());
            }
            if self.minor_dirty {
                return Err(self.reason(v, "is equal to"));
            }
            if con.patch() != v.patch() && !self.patch_dirty {
                return Ok(());
            }
            if self.patch_dirty {
                let differs = (!v.prerelease().is_empty() || !con.prerelease().is_empty())
                    && compare_prerelease(v.prerelease(), con.prerelease()) != Ordering::Equal;
                return self.expect(differs, v, "is equal to");
            }
        }
        self.expect(!v.equal(con), v, "is equal to")
    }

    fn check_greater(&self, v: &Version) -> Result<(), String> {
        let con = &self.con;
        let relation = "is less than or equal to";
        if !self.dirty {
            return self.expect(v.greater_than(con), v, relation);
        }
        match v.major().cmp(&con.major()) {
            Ordering::Greater => Ok(()),
            Ordering::Less => Err(self.reason(v, relation)),
            // `>1` needs 2 or above; `>1.1` needs 1.2 or above.
            Ordering::Equal if self.minor_dirty => Err(self.reason(v, relation)),
            Ordering::Equal if self.patch_dirty => {
                self.expect(v.minor() > con.minor(), v, relation)
            }
            Ordering::Equal => self.expect(v.greater_than(con), v, relation),
        }
    }

    fn check_less_equal(&self, v: &Version) -> Result<(), String> {
        let con = &self.con;
        if !self.dirty {
            return self.expect(!v.greater_than(con), v, "is greater than");
        }
        let too_big = v.major() > con.major()
            || (v.major() == con.major() && v.minor() > con.minor() && !self.minor_dirty);
        self.expect(!too_big, v, "is greater than")
    }

    /// `~1.2.3` is `>=1.2.3 <1.3.0`, `~1` is `>=1.0.0 <2.0.0`, `~0`/`~*` anything.
    fn check_tilde(&self, v: &Version) -> Result<(), String> {
        let con = &self.con;
        if v.less_than(con) {
            return Err(self.reason(v, "is less than"));
        }
        let zero = con.major() == 0 && con.minor() == 0 && con.patch() == 0;
        if zero && !self.minor_dirty && !self.patch_dirty {
            return Ok(());
        }
        if v.major() != con.major() {
            return Err(self.reason(v, "does not have same major version as"));
        }
        if v.minor() != con.minor() && !self.minor_dirty {
            return Err(self.reason(v, "does not have same major and minor version as"));
        }
        Ok(())
    }

    /// `^1.2.3` is `>=1.2.3 <2.0.0`; with a zero major the minor must match (`^0.2`),
    /// with zero major and minor the patch too (`^0.0.3`).
    fn check_caret(&self, v: &Version) -> Result<(), String> {
        let con = &self.con;
        if v.less_than(con) {
            return Err(self.reason(v, "is less than"));
        }
        if con.major() > 0 || self.minor_dirty {
            return self.expect(
                v.major() == con.major(),
                v,
                "does not have same major version as",
            );
        }
        if v.major() > 0 {
            return Err(self.reason(v, "does not have same major version as"));
        }
        if con.minor() > 0 || self.patch_dirty {
            return self
                .expect(
                    v.minor() == con.minor(),
                    v,
                    "does not have same minor version as",
                )
                .map_err(|e| {
                    format!(
                        "{e}. Expected minor versions to match when constraint major version is 0"
                    )
                });
        }
        if v.minor() > 0 {
            return Err(self.reason(v, "does not have same minor version as"));
        }
        self.expect(v.patch() == con.patch(), v, "does not equal")
            .map_err(|e| {
                format!(
                "{e}. Expect version and constraint to equal when major and minor versions are 0"
            )
            })
    }
}

fn prerelease_reason(v: &Version) -> String {
    format!(
        "{} is a prerelease version and the constraint is only looking for release versions",
        quote(&v.to_string())
    )
}

fn quote(s: &str) -> String {
    helmpilot_template::gofmt::quote(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(constraint: &str, version: &str) -> bool {
        Constraints::parse(constraint)
            .unwrap_or_else(|e| panic!("{constraint}: {e}"))
            .check(&Version::parse(version).unwrap())
    }

    #[test]
    fn operator_matrix() {
        let cases = [
            ("=1.2.3", "1.2.3", true),
            ("1.2.3", "1.2.4", false),
            ("!=1.2.3", "1.2.4", true),
            ("!=1.x", "1.9.0", false),
            ("!=1.2.x", "1.3.0", true),
            (">1.2", "1.2.9", false),
            (">1.2", "1.3.0", true),
            (">1", "1.9.0", false),
            ("<2", "1.9.9", true),
            (">=1.2.3", "1.2.3", true),
            ("=>1.2.3", "1.2.2", false),
            ("<=1.2", "1.2.9", true),
            ("=<1.2", "1.3.0", false),
            ("~1.2.3", "1.2.9", true),
            ("~1.2.3", "1.3.0", false),
            ("~>1", "1.9.0", true),
            ("~0", "5.0.0", false),
            ("~0.0.0", "5.0.0", true),
            ("^1.2.3", "1.9.0", true),
            ("^1.2.3", "2.0.0", false),
            ("^0.2.3", "0.2.9", true),
            ("^0.2.3", "0.3.0", false),
            ("^0.0.3", "0.0.4", false),
            ("*", "7.0.0", true),
            ("1.x", "1.4.0", true),
            ("1.2 - 1.4.5", "1.4.5", true),
            ("1.2 - 1.4.5", "1.4.6", false),
            (">=1, <2 || >=3", "3.1.0", true),
            (">=1 <2", "2.0.0", false),
        ];
        for (c, v, expected) in cases {
            assert_eq!(check(c, v), expected, "{c} vs {v}");
        }
    }

    #[test]
    fn prereleases_need_a_prerelease_constraint() {
        assert!(!check(">=1.21", "1.29.3-gke.1234"));
        assert!(check(">=1.21-0", "v1.29.3-gke.1234"));
        assert!(check(">=1.21-0 <1.30", "1.29.3-gke.1"));
        assert!(!check(">=1.21-0 || <1.30", "1.22.0-rc.1") || check(">=1.21-0", "1.22.0-rc.1"));
        let mut c = Constraints::parse(">=1").unwrap();
        c.include_prerelease = true;
        assert!(c.check(&Version::parse("1.2.3-rc.1").unwrap()));
    }

    #[test]
    fn parse_errors_and_rewrites() {
        let err = |c: &str| Constraints::parse(c).unwrap_err().to_string();
        assert_eq!(err(""), r#"improper constraint: """#);
        assert_eq!(err("1.2.3 ||"), r#"improper constraint: """#);
        assert_eq!(err(">=1|2"), "constraint parser error");
        assert_eq!(
            err(">= 1.2 - 2"),
            r#"improper constraint: ">=>= 1.2, <= 2 ""#
        );
        assert_eq!(err("1,,2"), r#"improper constraint: "1,,2""#);
        assert_eq!(
            Constraints::parse("1 - 2 || 3 - 4").unwrap().to_string(),
            ">=1 <=2 || >=3 <=4"
        );
        assert_eq!(
            Constraints::parse(" >= 1.2.3 , v2.x ").unwrap().to_string(),
            ">=1.2.3 v2.x"
        );
    }

    #[test]
    fn validate_gives_go_reasons() {
        let c = Constraints::parse("^0.2.3").unwrap();
        let (ok, reasons) = c.validate(&Version::parse("0.3.0").unwrap());
        assert!(!ok);
        assert_eq!(
            reasons,
            [
                r#""0.3.0" does not have same minor version as "0.2.3". Expected minor versions to match when constraint major version is 0"#
            ]
        );
        let (ok, reasons) = c.validate(&Version::parse("0.2.4-rc").unwrap());
        assert!(!ok);
        assert_eq!(
            reasons,
            [
                r#""0.2.4-rc" is a prerelease version and the constraint is only looking for release versions"#
            ]
        );
    }
}
