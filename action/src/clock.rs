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
    parse_rfc3339(text).ok_or_else(|| {
        anyhow::anyhow!(
            "--now {text:?} is not a time: give Unix seconds (1700000000) or RFC 3339 \
             (2026-01-02T03:04:05Z)"
        )
    })
}

fn parse_rfc3339(text: &str) -> Option<Timestamp> {
    let b = text.as_bytes();
    let digits = |range: std::ops::Range<usize>| -> Option<i64> {
        let part = text.get(range)?;
        part.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| part.parse().ok())?
    };
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return None;
    }
    if b[13] != b':' || b[16] != b':' {
        return None;
    }
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (hour, minute, second) = (digits(11..13)?, digits(14..16)?, digits(17..19)?);
    if !(1..=12).contains(&month) || day < 1 || day > days_in_month(year, month) {
        return None;
    }
    if hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    let mut rest = &text[19..];
    let mut nanos = 0u32;
    if let Some(frac) = rest.strip_prefix('.') {
        let len = frac.bytes().take_while(u8::is_ascii_digit).count();
        if len == 0 || len > 9 {
            return None;
        }
        nanos = frac[..len].parse::<u32>().ok()? * 10u32.pow(9 - len as u32);
        rest = &frac[len..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let sign = match rest.as_bytes().first()? {
                b'+' => 1,
                b'-' => -1,
                _ => return None,
            };
            if rest.len() != 6 || rest.as_bytes()[3] != b':' {
                return None;
            }
            let (h, m) = (
                rest[1..3].parse::<i64>().ok()?,
                rest[4..6].parse::<i64>().ok()?,
            );
            if h > 23 || m > 59 {
                return None;
            }
            sign * (h * 3600 + m * 60)
        }
    };
    let days = days_from_civil(year, month, day);
    Some(Timestamp {
        unix_seconds: days * 86_400 + hour * 3600 + minute * 60 + second - offset,
        nanos,
    })
}

fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let year_of_era = y - era * 400;
    let shifted_month = (month + 9) % 12;
    let day_of_year = (153 * shifted_month + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
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
