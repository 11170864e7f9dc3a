//! The instant a render treats as "now" (`--now`), so that `now`, `date` and generated
//! certificates do not change from one render of the same revision to the next.

use std::path::Path;
use std::process::Command;

use anyhow::{bail, Result};
use helmpilot_chart::funcs::Timestamp;

/// Parses `--now`: Unix seconds (`1700000000`) or RFC 3339 (`2026-01-02T03:04:05Z`,
/// `2026-01-02T03:04:05.5+02:00`).
pub fn parse_now(text: &str) -> Result<Timestamp> {
    let text = text.trim();
    if let Ok(seconds) = text.parse::<i64>() {
        return Ok(Timestamp {
            unix_seconds: seconds,
            nanos: 0,
        });
    }
    Timestamp::parse_rfc3339(text).map_err(|reason| {
        anyhow::anyhow!(
            "--now {text:?} is not a time ({reason}): give Unix seconds (1700000000) or \
             RFC 3339 (2026-01-02T03:04:05Z)"
        )
    })
}

/// The default "now": the commit time of the checked-out revision of the repository
/// holding `path`, so renders of one revision agree; outside a Git repository, the
/// current time (there is no revision to pin to).
pub fn default_now(path: &Path) -> Result<Timestamp> {
    let dir = if path.is_dir() {
        path
    } else {
        path.parent().unwrap_or(Path::new("."))
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let output = Command::new("git")
        .arg("-C")
        .arg(dir)
        .args(["log", "-1", "--format=%ct", "HEAD"])
        .output();
    if let Ok(out) = output {
        if out.status.success() {
            if let Ok(seconds) = String::from_utf8_lossy(&out.stdout).trim().parse::<i64>() {
                return Ok(Timestamp {
                    unix_seconds: seconds,
                    nanos: 0,
                });
            }
        }
    }
    let since_epoch = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    let Ok(unix_seconds) = i64::try_from(since_epoch.as_secs()) else {
        bail!("the system clock is out of range");
    };
    Ok(Timestamp {
        unix_seconds,
        nanos: since_epoch.subsec_nanos(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_unix_seconds_and_rfc3339() {
        let at = |s: &str| parse_now(s).map(|t| (t.unix_seconds, t.nanos)).ok();
        assert_eq!(at("1700000000"), Some((1_700_000_000, 0)));
        assert_eq!(at("1970-01-01T00:00:00Z"), Some((0, 0)));
        assert_eq!(at("2023-11-14T22:13:20Z"), Some((1_700_000_000, 0)));
        assert_eq!(at("2023-11-15T00:13:20+02:00"), Some((1_700_000_000, 0)));
        assert_eq!(
            at("2024-02-29T12:00:00.25Z"),
            Some((1_709_208_000, 250_000_000))
        );
        assert_eq!(at("1969-12-31T23:59:59Z"), Some((-1, 0)));
        for bad in [
            "",
            "yesterday",
            "2023-02-29T00:00:00Z",
            "2023-11-14T25:00:00Z",
            "2023-11-14T22:13:20",
            "2023-11-14T22:13:20+2:00",
            "2023-11-14T22:13:20.Z",
        ] {
            assert!(parse_now(bad).is_err(), "{bad:?} should be rejected");
        }
    }
}
