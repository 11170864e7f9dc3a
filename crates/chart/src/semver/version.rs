//! [`Version`]: parsing (Go's coercing `NewVersion`), printing and precedence.

use std::cmp::Ordering;
use std::fmt;

use super::Error;

/// A semantic version as Masterminds/semver's `*Version` holds it: three numbers, a
/// prerelease, build metadata and the text it was parsed from.
///
/// ```
/// use helmpilot_chart::semver::Version;
/// let v = Version::parse("v1.2").unwrap();
/// assert_eq!((v.major(), v.minor(), v.patch()), (1, 2, 0));
/// assert_eq!((v.to_string(), v.original()), ("1.2.0".to_string(), "v1.2"));
/// ```
/// The default is Go's zero `Version` (prints `0.0.0`, empty original text).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct Version {
    major: u64,
    minor: u64,
    patch: u64,
    pre: String,
    metadata: String,
    original: String,
}

/// Masterminds/semver refuses longer version strings before parsing them.
const MAX_VERSION_LEN: usize = 256;

impl Version {
    /// Go's `semver.NewVersion` (with its default `CoerceNewVersion`): an optional `v`,
    /// one to three dot-separated numbers (leading zeros allowed), then optionally
    /// `-prerelease` and `+metadata`, each made of dot-separated `[0-9A-Za-z-]+`
    /// identifiers.
    ///
    /// ```
    /// use helmpilot_chart::semver::Version;
    /// assert_eq!(Version::parse("01.2.3-rc.1+b5").unwrap().to_string(), "1.2.3-rc.1+b5");
    /// assert_eq!(Version::parse("1.2.3-01").unwrap_err().to_string(), "version segment starts with 0");
    /// assert_eq!(Version::parse("1.2.3.4").unwrap_err().to_string(), "invalid semantic version");
    /// ```
    pub fn parse(text: &str) -> Result<Version, Error> {
        if text.len() > MAX_VERSION_LEN {
            return Err(Error::TooLong);
        }
        let parts = split_loose(text).ok_or(Error::InvalidSemVer)?;
        let version = Version {
            major: parse_segment(parts.major)?,
            minor: parts.minor.map_or(Ok(0), parse_segment)?,
            patch: parts.patch.map_or(Ok(0), parse_segment)?,
            pre: parts.pre.unwrap_or_default().to_string(),
            metadata: parts.metadata.unwrap_or_default().to_string(),
            original: text.to_string(),
        };
        if !version.pre.is_empty() {
            validate_prerelease(&version.pre)?;
        }
        if !version.metadata.is_empty() {
            validate_metadata(&version.metadata)?;
        }
        Ok(version)
    }

    /// Go's `semver.New`: a version from its parts, unvalidated (as in Go); the original
    /// text is the printed form.
    pub fn new(major: u64, minor: u64, patch: u64, pre: &str, metadata: &str) -> Version {
        let mut v = Version {
            major,
            minor,
            patch,
            pre: pre.to_string(),
            metadata: metadata.to_string(),
            original: String::new(),
        };
        v.original = v.to_string();
        v
    }

    pub fn major(&self) -> u64 {
        self.major
    }

    pub fn minor(&self) -> u64 {
        self.minor
    }

    pub fn patch(&self) -> u64 {
        self.patch
    }

    /// The prerelease, without its `-`; empty for a release.
    pub fn prerelease(&self) -> &str {
        &self.pre
    }

    /// The build metadata, without its `+`.
    pub fn metadata(&self) -> &str {
        &self.metadata
    }

    /// The text the version was parsed from (`v1.2`), where `to_string` gives `1.2.0`.
    pub fn original(&self) -> &str {
        &self.original
    }

    /// Go's `IncPatch`: a prerelease (or metadata) version becomes its release
    /// (`1.2.3-rc.1` -> `1.2.3`), a release the next patch (`1.2.3+b` -> `1.2.4`).
    ///
    /// ```
    /// use helmpilot_chart::semver::Version;
    /// let v = Version::parse("v1.2.3-rc.1").unwrap();
    /// assert_eq!(v.inc_patch().unwrap().original(), "v1.2.3");
    /// ```
    pub fn inc_patch(&self) -> Result<Version, Error> {
        let mut next = self.clone();
        next.pre.clear();
        next.metadata.clear();
        if self.pre.is_empty() {
            next.patch = self
                .patch
                .checked_add(1)
                .ok_or(Error::IncrementOverflow("patch"))?;
        }
        Ok(next.with_original_prefix_of(self))
    }

    /// Go's `IncMinor`: `x.(y+1).0`, without prerelease and metadata.
    pub fn inc_minor(&self) -> Result<Version, Error> {
        let mut next = self.clone();
        next.pre.clear();
        next.metadata.clear();
        next.patch = 0;
        next.minor = self
            .minor
            .checked_add(1)
            .ok_or(Error::IncrementOverflow("minor"))?;
        Ok(next.with_original_prefix_of(self))
    }

    /// Go's `IncMajor`: `(x+1).0.0`, without prerelease and metadata.
    pub fn inc_major(&self) -> Result<Version, Error> {
        let mut next = self.clone();
        next.pre.clear();
        next.metadata.clear();
        next.patch = 0;
        next.minor = 0;
        next.major = self
            .major
            .checked_add(1)
            .ok_or(Error::IncrementOverflow("major"))?;
        Ok(next.with_original_prefix_of(self))
    }

    /// Go's `SetPrerelease` (without the `-`; empty removes it).
    pub fn set_prerelease(&self, pre: &str) -> Result<Version, Error> {
        if !pre.is_empty() {
            validate_prerelease(pre)?;
        }
        let mut next = self.clone();
        next.pre = pre.to_string();
        Ok(next.with_original_prefix_of(self))
    }

    /// Go's `SetMetadata` (without the `+`; empty removes it).
    pub fn set_metadata(&self, metadata: &str) -> Result<Version, Error> {
        if !metadata.is_empty() {
            validate_metadata(metadata)?;
        }
        let mut next = self.clone();
        next.metadata = metadata.to_string();
        Ok(next.with_original_prefix_of(self))
    }

    /// A derived version's original text: the printed form, keeping a leading `v` of
    /// the version it came from (Go's `originalVPrefix`).
    fn with_original_prefix_of(mut self, from: &Version) -> Version {
        let prefix = if from.original.starts_with('v') {
            "v"
        } else {
            ""
        };
        self.original = format!("{prefix}{self}");
        self
    }

    /// Precedence (Go's `Compare`): numbers, then a release above its prereleases, then
    /// prerelease identifiers. Metadata is ignored, so `1.2.3+a` equals `1.2.3+b`.
    ///
    /// ```
    /// use helmpilot_chart::semver::Version;
    /// use std::cmp::Ordering;
    /// let v = |s| Version::parse(s).unwrap();
    /// assert_eq!(v("1.0.0-rc.2").compare(&v("1.0.0-rc.10")), Ordering::Less);
    /// assert_eq!(v("1.0.0").compare(&v("1.0.0-rc.10")), Ordering::Greater);
    /// ```
    pub fn compare(&self, other: &Version) -> Ordering {
        self.major
            .cmp(&other.major)
            .then(self.minor.cmp(&other.minor))
            .then(self.patch.cmp(&other.patch))
            .then_with(|| match (self.pre.is_empty(), other.pre.is_empty()) {
                (true, true) => Ordering::Equal,
                (true, false) => Ordering::Greater,
                (false, true) => Ordering::Less,
                (false, false) => compare_prerelease(&self.pre, &other.pre),
            })
    }

    /// Go's `Equal`: same precedence (metadata ignored).
    pub fn equal(&self, other: &Version) -> bool {
        self.compare(other) == Ordering::Equal
    }

    pub fn less_than(&self, other: &Version) -> bool {
        self.compare(other) == Ordering::Less
    }

    pub fn greater_than(&self, other: &Version) -> bool {
        self.compare(other) == Ordering::Greater
    }
}

/// Go's `String()`: `major.minor.patch[-pre][+metadata]`, without a leading `v`.
impl fmt::Display for Version {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)?;
        if !self.pre.is_empty() {
            write!(f, "-{}", self.pre)?;
        }
        if !self.metadata.is_empty() {
            write!(f, "+{}", self.metadata)?;
        }
        Ok(())
    }
}

/// The pieces of a version as Masterminds' loose version pattern splits it:
/// `v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-IDS)?(\+IDS)?` with `IDS` dot-separated
/// `[0-9A-Za-z-]+` identifiers, anchored at both ends.
struct LooseParts<'a> {
    major: &'a str,
    minor: Option<&'a str>,
    patch: Option<&'a str>,
    pre: Option<&'a str>,
    metadata: Option<&'a str>,
}

fn split_loose(text: &str) -> Option<LooseParts<'_>> {
    let rest = text.strip_prefix('v').unwrap_or(text);
    let (major, mut rest) = split_digits(rest)?;
    let mut numbers = [None, None];
    for slot in &mut numbers {
        // The optional `\.[0-9]+` groups: a dot not followed by digits ends the numbers,
        // and then nothing but `-` or `+` may follow.
        match rest.strip_prefix('.').and_then(split_digits) {
            Some((digits, after)) => {
                *slot = Some(digits);
                rest = after;
            }
            None => break,
        }
    }
    // Identifiers cannot contain `+`, so the prerelease runs to the first `+`.
    let (pre_part, metadata) = match rest.split_once('+') {
        Some((before, meta)) => (before, Some(meta)),
        None => (rest, None),
    };
    let pre = match pre_part {
        "" => None,
        other => Some(other.strip_prefix('-')?),
    };
    if !pre.map_or(true, is_identifiers) || !metadata.map_or(true, is_identifiers) {
        return None;
    }
    Some(LooseParts {
        major,
        minor: numbers[0],
        patch: numbers[1],
        pre,
        metadata,
    })
}

/// A non-empty run of ASCII digits at the start of `s`, and the rest.
fn split_digits(s: &str) -> Option<(&str, &str)> {
    let end = s
        .bytes()
        .position(|b| !b.is_ascii_digit())
        .unwrap_or(s.len());
    (end > 0).then(|| s.split_at(end))
}

/// `[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*`.
fn is_identifiers(s: &str) -> bool {
    s.split('.').all(is_identifier)
}

fn is_identifier(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
}

fn parse_segment(digits: &str) -> Result<u64, Error> {
    digits
        .parse::<u64>()
        .map_err(|_| Error::SegmentOutOfRange(digits.to_string()))
}

/// The SemVer rules Masterminds checks on a prerelease: non-empty identifiers of
/// `[0-9A-Za-z-]`, numeric ones without a leading zero.
fn validate_prerelease(pre: &str) -> Result<(), Error> {
    for part in pre.split('.') {
        if part.is_empty() {
            return Err(Error::InvalidPrerelease);
        }
        if part.bytes().all(|b| b.is_ascii_digit()) {
            if part.len() > 1 && part.starts_with('0') {
                return Err(Error::SegmentStartsZero);
            }
        } else if !is_identifier(part) {
            return Err(Error::InvalidPrerelease);
        }
    }
    Ok(())
}

fn validate_metadata(metadata: &str) -> Result<(), Error> {
    if metadata.split('.').all(is_identifier) {
        Ok(())
    } else {
        Err(Error::InvalidMetadata)
    }
}

/// Prerelease precedence, identifier by identifier; a missing identifier sorts first.
pub(super) fn compare_prerelease(a: &str, b: &str) -> Ordering {
    let mut left = a.split('.');
    let mut right = b.split('.');
    loop {
        match (left.next(), right.next()) {
            (None, None) => return Ordering::Equal,
            (l, r) => {
                let order = compare_identifier(l.unwrap_or(""), r.unwrap_or(""));
                if order != Ordering::Equal {
                    return order;
                }
            }
        }
    }
}

/// One prerelease identifier against another: numbers (what Go's `ParseUint` accepts, so
/// a number too large for 64 bits counts as text) sort before text and by value; text
/// sorts bytewise; an empty (missing) identifier sorts first.
fn compare_identifier(a: &str, b: &str) -> Ordering {
    if a == b {
        return Ordering::Equal;
    }
    if a.is_empty() {
        return Ordering::Less;
    }
    if b.is_empty() {
        return Ordering::Greater;
    }
    match (parse_uint(a), parse_uint(b)) {
        // Go answers -1 for different spellings of one number ("01" and "1"), which
        // only unvalidated versions can hold.
        (Some(x), Some(y)) if x > y => Ordering::Greater,
        (Some(_), Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Less,
        (None, Some(_)) => Ordering::Greater,
        // Go returns 1 or -1 here, never 0: equal strings were handled above.
        (None, None) => a.cmp(b),
    }
}

/// Go's `strconv.ParseUint(s, 10, 64)`: ASCII digits only (no sign), within 64 bits.
fn parse_uint(s: &str) -> Option<u64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn parses_loose_versions() {
        let cases = [
            ("1.2.3", "1.2.3"),
            ("v1.2.3", "1.2.3"),
            ("1.2", "1.2.0"),
            ("1", "1.0.0"),
            ("01.002.0003", "1.2.3"),
            ("1.2.3-beta.1+build.5", "1.2.3-beta.1+build.5"),
            ("1.2-rc1", "1.2.0-rc1"),
            ("1+meta", "1.0.0+meta"),
            ("1.2.3--", "1.2.3--"),
            ("1.2.3+01", "1.2.3+01"),
        ];
        for (text, printed) in cases {
            assert_eq!(v(text).to_string(), printed, "{text}");
            assert_eq!(v(text).original(), text);
        }
    }

    #[test]
    fn rejects_what_go_rejects() {
        let invalid = [
            "",
            "v",
            "vv1",
            "V1.2.3",
            "1.2.3.4",
            "1.",
            "1..2",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            " 1.2.3",
            "1.2.3 ",
            "a.b.c",
            "1.2.3-é",
            "-1.2.3",
            "1.2.3_4",
        ];
        for text in invalid {
            assert_eq!(Version::parse(text), Err(Error::InvalidSemVer), "{text:?}");
        }
        assert_eq!(Version::parse("1.2.3-01"), Err(Error::SegmentStartsZero));
        assert_eq!(
            Version::parse("18446744073709551616").unwrap_err().to_string(),
            "error parsing version segment: strconv.ParseUint: parsing \"18446744073709551616\": value out of range"
        );
        assert_eq!(v("18446744073709551615").major(), u64::MAX);
    }

    #[test]
    fn orders_by_semver_precedence() {
        let ascending = [
            "1.0.0-alpha",
            "1.0.0-alpha.1",
            "1.0.0-alpha.beta",
            "1.0.0-beta",
            "1.0.0-beta.2",
            "1.0.0-beta.11",
            "1.0.0-rc.1",
            "1.0.0",
            "1.0.1",
            "1.1.0",
            "2.0.0",
        ];
        for pair in ascending.windows(2) {
            assert!(v(pair[0]).less_than(&v(pair[1])), "{pair:?}");
            assert!(v(pair[1]).greater_than(&v(pair[0])), "{pair:?}");
        }
        assert!(v("1.2.3+a").equal(&v("1.2.3+b")));
        // Numbers beyond 64 bits are compared as text, after every number.
        assert!(v("1.0.0-99999999999999999999").greater_than(&v("1.0.0-5")));
    }

    #[test]
    fn increments_like_go() {
        assert_eq!(v("1.2.3").inc_patch().unwrap().to_string(), "1.2.4");
        assert_eq!(v("1.2.3-rc").inc_patch().unwrap().to_string(), "1.2.3");
        assert_eq!(v("1.2.3+m").inc_patch().unwrap().to_string(), "1.2.4");
        assert_eq!(v("v1.2.3-rc+m").inc_minor().unwrap().original(), "v1.3.0");
        assert_eq!(v("1.2.3").inc_major().unwrap().to_string(), "2.0.0");
        assert_eq!(
            v("18446744073709551615.0.0")
                .inc_major()
                .unwrap_err()
                .to_string(),
            "major version increment would overflow uint64"
        );
        assert_eq!(
            v("1.2.3").set_prerelease("a..b"),
            Err(Error::InvalidPrerelease)
        );
        assert_eq!(v("1.2.3").set_metadata("x").unwrap().original(), "1.2.3+x");
    }
}
