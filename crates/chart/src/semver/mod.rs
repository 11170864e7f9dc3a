//! Semantic versions and version constraints exactly as Helm sees them: a port of the
//! behaviour of Masterminds/semver v3.5.0, the library Helm v4.2.3 uses for the `semver`
//! and `semverCompare` template functions, for `kubeVersion` in Chart.yaml and for
//! dependency version ranges.
//!
//! Masterminds/semver is looser than the SemVer specification, and charts rely on it:
//!
//! - [`Version::parse`] (Go's `NewVersion`) accepts a leading `v`, partial versions
//!   (`1.2` is `1.2.0`) and leading zeros (`01.2.3` is `1.2.3`), but not a leading zero
//!   in a numeric prerelease part (`1.2.3-01`).
//! - [`Constraints::parse`] accepts `=`, `!=`, `>`, `<`, `>=`, `=>`, `<=`, `=<`, `~`,
//!   `~>`, `^`, wildcards (`x`, `X`, `*`, or a missing part: `1.2` means `1.2.x`),
//!   hyphen ranges (`1.2 - 1.4.5`), `,` or spaces for AND and `||` for OR.
//! - A prerelease version only satisfies an AND group of constraints in which some
//!   constraint has a prerelease itself: `>=1.21` rejects `1.29.3-gke.1234`, while
//!   `>=1.21-0` (the Kubernetes idiom) accepts it.
//!
//! Error texts are Go's, so messages read as in Helm.
//!
//! ```
//! use helmpilot_chart::semver::{Constraints, Version};
//! let kube = Version::parse("v1.29.3-gke.1234").unwrap();
//! assert!(Constraints::parse(">=1.21-0").unwrap().check(&kube));
//! assert!(!Constraints::parse(">=1.21").unwrap().check(&kube));
//! ```

mod constraints;
mod version;

use std::fmt;

pub use constraints::Constraints;
pub use version::Version;

/// Why a version or a constraint did not parse, or an operation failed; `Display` prints
/// the Go error text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Error {
    /// The text is not version-like at all.
    InvalidSemVer,
    /// A numeric prerelease identifier has a leading zero (`1.2.3-01`).
    SegmentStartsZero,
    /// An empty or invalid prerelease identifier (from [`Version::set_prerelease`]).
    InvalidPrerelease,
    /// An empty or invalid metadata identifier (from [`Version::set_metadata`]).
    InvalidMetadata,
    /// A numeric part does not fit in 64 bits; holds the digits.
    SegmentOutOfRange(String),
    /// An OR group of a constraint that does not match the constraint grammar; holds it.
    ImproperConstraint(String),
    /// A constraint whose version part is not a version (`>=1|2`, `1.x*`).
    ConstraintParser,
    /// `IncMajor`/`IncMinor`/`IncPatch` of a part that is already `u64::MAX`; holds the
    /// part's name.
    IncrementOverflow(&'static str),
    /// A version string over 256 bytes.
    TooLong,
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidSemVer => f.write_str("invalid semantic version"),
            Error::TooLong => f.write_str("version string is too long (max 256 bytes)"),
            Error::SegmentStartsZero => f.write_str("version segment starts with 0"),
            Error::InvalidPrerelease => f.write_str("invalid prerelease string"),
            Error::InvalidMetadata => f.write_str("invalid metadata string"),
            // Go wraps strconv's error; the digits need no quoting beyond the quotes.
            Error::SegmentOutOfRange(digits) => write!(
                f,
                "error parsing version segment: strconv.ParseUint: parsing \"{digits}\": value out of range"
            ),
            Error::ImproperConstraint(c) => {
                write!(f, "improper constraint: {}", helmpilot_template::gofmt::quote(c))
            }
            Error::ConstraintParser => f.write_str("constraint parser error"),
            Error::IncrementOverflow(part) => {
                write!(f, "{part} version increment would overflow uint64")
            }
        }
    }
}

impl std::error::Error for Error {}
