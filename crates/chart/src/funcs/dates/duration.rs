//! Go's `time.Duration` (nanoseconds in an `int64`): `time.ParseDuration`,
//! `Duration.String` and `Duration.Round`, with Go's error texts.

use super::layout::quote;

const NANOSECOND: u64 = 1;
const MICROSECOND: u64 = 1_000 * NANOSECOND;
const MILLISECOND: u64 = 1_000 * MICROSECOND;
const SECOND: u64 = 1_000 * MILLISECOND;
const MINUTE: u64 = 60 * SECOND;
const HOUR: u64 = 60 * MINUTE;

/// Go's `time.ParseDuration`: a signed sequence of decimal numbers with optional
/// fractions and units (`ns`, `us`, `µs`, `μs`, `ms`, `s`, `m`, `h`), like `1h30m` or
/// `-2.5h`; `0` alone needs no unit.
///
/// ```text
/// assert_eq!(parse_duration("1h30m"), Ok(5_400_000_000_000));
/// assert_eq!(parse_duration("1d").unwrap_err(), r#"time: unknown unit "d" in duration "1d""#);
/// ```
pub(crate) fn parse_duration(text: &str) -> Result<i64, String> {
    let invalid = || format!("time: invalid duration {}", quote(text.as_bytes()));
    let mut s = text.as_bytes();
    let mut negative = false;
    if let Some(&sign @ (b'-' | b'+')) = s.first() {
        negative = sign == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Ok(0);
    }
    if s.is_empty() {
        return Err(invalid());
    }
    let mut total: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return Err(invalid());
        }
        let before = s.len();
        let (whole, rest) = leading_int(s).ok_or_else(invalid)?;
        s = rest;
        let had_whole = s.len() != before;
        let (mut fraction, mut scale, mut had_fraction) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let before = s.len();
            (fraction, scale, s) = leading_fraction(s);
            had_fraction = s.len() != before;
        }
        if !had_whole && !had_fraction {
            return Err(invalid());
        }
        let unit_len = s
            .iter()
            .position(|&b| b == b'.' || b.is_ascii_digit())
            .unwrap_or(s.len());
        if unit_len == 0 {
            return Err(format!(
                "time: missing unit in duration {}",
                quote(text.as_bytes())
            ));
        }
        let (unit_text, rest) = s.split_at(unit_len);
        s = rest;
        let unit = match unit_text {
            b"ns" => NANOSECOND,
            // "µs" (micro sign) and "μs" (Greek mu).
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => MICROSECOND,
            b"ms" => MILLISECOND,
            b"s" => SECOND,
            b"m" => MINUTE,
            b"h" => HOUR,
            _ => {
                return Err(format!(
                    "time: unknown unit {} in duration {}",
                    quote(unit_text),
                    quote(text.as_bytes())
                ))
            }
        };
        if whole > (1 << 63) / unit {
            return Err(invalid());
        }
        let mut value = whole * unit;
        if fraction > 0 {
            // Go scales the fraction in float64, which is exact enough for nanoseconds.
            value += (fraction as f64 * (unit as f64 / scale)) as u64;
            if value > 1 << 63 {
                return Err(invalid());
            }
        }
        total += value;
        if total > 1 << 63 {
            return Err(invalid());
        }
    }
    if negative {
        return Ok((total as i64).wrapping_neg());
    }
    i64::try_from(total).map_err(|_| invalid())
}

/// Go's `leadingInt`: the leading digits as a number up to 2^63, or `None` on overflow.
fn leading_int(s: &[u8]) -> Option<(u64, &[u8])> {
    let mut x: u64 = 0;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if x > (1 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(s[i] - b'0');
        if x > 1 << 63 {
            return None;
        }
        i += 1;
    }
    Some((x, &s[i..]))
}

/// Go's `leadingFraction`: the leading digits of a fraction, its scale, and the rest;
/// digits past 63 bits of precision are skipped rather than rejected.
fn leading_fraction(s: &[u8]) -> (u64, f64, &[u8]) {
    let mut x: u64 = 0;
    let mut scale = 1f64;
    let mut overflow = false;
    let mut i = 0;
    while i < s.len() && s[i].is_ascii_digit() {
        if !overflow {
            if x > ((1u64 << 63) - 1) / 10 {
                overflow = true;
            } else {
                let y = x * 10 + u64::from(s[i] - b'0');
                if y > 1 << 63 {
                    overflow = true;
                } else {
                    x = y;
                    scale *= 10.0;
                }
            }
        }
        i += 1;
    }
    (x, scale, &s[i..])
}

/// Go's `Duration.String`: `72h3m0.5s`, `1.5ms`, `0s`; below a second in the largest
/// unit (`ns`, `µs`, `ms`) that keeps an integer part.
pub(crate) fn duration_string(d: i64) -> String {
    let mut u = d.unsigned_abs();
    let mut out = String::new();
    if u < SECOND {
        let (prec, unit) = match u {
            0 => return "0s".to_string(),
            _ if u < MICROSECOND => (0, "ns"),
            _ if u < MILLISECOND => (3, "µs"),
            _ => (6, "ms"),
        };
        let frac = fraction(&mut u, prec);
        out.push_str(&u.to_string());
        out.push_str(&frac);
        out.push_str(unit);
    } else {
        let frac = fraction(&mut u, 9);
        let seconds = u % 60;
        u /= 60;
        let minutes = u % 60;
        let hours = u / 60;
        if hours > 0 {
            out.push_str(&format!("{hours}h"));
        }
        if u > 0 {
            out.push_str(&format!("{minutes}m"));
        }
        out.push_str(&format!("{seconds}{frac}s"));
    }
    if d < 0 {
        out.insert(0, '-');
    }
    out
}

/// Go's `fmtFrac`: divides `v` by 10^`prec` and returns the remainder as `.digits`
/// without trailing zeros (empty when zero).
fn fraction(v: &mut u64, prec: u32) -> String {
    let mut digits = Vec::new();
    let mut printing = false;
    for _ in 0..prec {
        let digit = (*v % 10) as u8;
        printing = printing || digit != 0;
        if printing {
            digits.push(b'0' + digit);
        }
        *v /= 10;
    }
    if digits.is_empty() {
        return String::new();
    }
    digits.push(b'.');
    digits.reverse();
    String::from_utf8(digits).unwrap_or_default()
}

/// Go's `lessThanHalf(x, y)`: `x + x < y` in unsigned arithmetic.
pub(crate) fn less_than_half(x: i64, y: i64) -> bool {
    (x as u64).wrapping_add(x as u64) < y as u64
}

/// Go's `Duration.Round(m)`: to the nearest multiple of `m`, halves away from zero,
/// saturating at the limits.
pub(crate) fn round(d: i64, m: i64) -> i64 {
    if m <= 0 {
        return d;
    }
    let mut r = d % m;
    if d < 0 {
        r = -r;
        if less_than_half(r, m) {
            return d + r;
        }
        return d.checked_sub(m - r).unwrap_or(i64::MIN);
    }
    if less_than_half(r, m) {
        return d - r;
    }
    d.checked_add(m - r).unwrap_or(i64::MAX)
}

/// Go's `Duration.Truncate(m)`.
pub(crate) fn truncate(d: i64, m: i64) -> i64 {
    if m <= 0 {
        d
    } else {
        d - d % m
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_go_durations() {
        let cases = [
            ("0", 0),
            ("-0", 0),
            ("1h30m", 5_400_000_000_000),
            ("-2.5h", -9_000_000_000_000),
            ("1us", 1_000),
            ("1µs", 1_000),
            ("1μs", 1_000),
            (".5s", 500_000_000),
            ("1.s", 1_000_000_000),
            ("+3ms", 3_000_000),
            ("9223372036854775807ns", i64::MAX),
            ("-9223372036854775808ns", i64::MIN),
            ("1.0000000000000000000000001s", 1_000_000_000),
        ];
        for (text, nanos) in cases {
            assert_eq!(parse_duration(text), Ok(nanos), "{text}");
        }
        let errors = [
            ("", r#"time: invalid duration """#),
            ("1", r#"time: missing unit in duration "1""#),
            ("1d", r#"time: unknown unit "d" in duration "1d""#),
            (".s", r#"time: invalid duration ".s""#),
            ("1h-1m", r#"time: unknown unit "h-" in duration "1h-1m""#),
            ("-", r#"time: invalid duration "-""#),
            ("1.5.5s", r#"time: missing unit in duration "1.5.5s""#),
            (
                "9223372036854775808ns",
                r#"time: invalid duration "9223372036854775808ns""#,
            ),
            ("3000000h", r#"time: invalid duration "3000000h""#),
            (
                "1é",
                r#"time: unknown unit "\xc3\xa9" in duration "1\xc3\xa9""#,
            ),
        ];
        for (text, message) in errors {
            assert_eq!(parse_duration(text).unwrap_err(), message, "{text}");
        }
    }

    #[test]
    fn prints_go_durations() {
        let cases = [
            (0, "0s"),
            (1, "1ns"),
            (1_100, "1.1µs"),
            (2_200_000, "2.2ms"),
            (1_500_000_000, "1.5s"),
            (3_723_000_000_000, "1h2m3s"),
            (3_600_000_000_000, "1h0m0s"),
            (-61_000_000_000, "-1m1s"),
            (i64::MIN, "-2562047h47m16.854775808s"),
            (i64::MAX, "2562047h47m16.854775807s"),
        ];
        for (nanos, text) in cases {
            assert_eq!(duration_string(nanos), text, "{nanos}");
        }
    }

    #[test]
    fn rounds_like_go() {
        assert_eq!(round(1_500_000_000, 1_000_000_000), 2_000_000_000);
        assert_eq!(round(-1_500_000_000, 1_000_000_000), -2_000_000_000);
        assert_eq!(round(1_499_999_999, 1_000_000_000), 1_000_000_000);
        assert_eq!(round(i64::MAX, 1_000_000_000), i64::MAX);
        assert_eq!(truncate(-1_500_000_000, 1_000_000_000), -1_000_000_000);
    }
}
