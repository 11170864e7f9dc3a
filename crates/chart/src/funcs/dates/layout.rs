//! Go's layout-based time formatting and parsing (`Time.Format`, `time.ParseInLocation`).
//!
//! A layout is the reference time `Mon Jan 2 15:04:05 MST 2006` written the way the
//! output should look. Layouts are scanned for "std" elements exactly as Go's
//! `nextStdChunk` does (so `Jan` followed by a lower-case letter is text, `_2006` is a
//! literal `_` then the year, `.000` is a fraction only when no digit follows); the rest
//! is copied (formatting) or must match (parsing, where runs of spaces match runs of
//! spaces). Parse errors are Go's `*time.ParseError` texts, which quote with the time
//! package's own escaping (every byte outside printable ASCII as `\xNN`).

use super::time::{days_in, is_leap, Location, Time, DAY_NAMES, MONTH_NAMES};

/// One layout element.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Std {
    LongMonth,
    Month,
    NumMonth,
    ZeroMonth,
    LongWeekDay,
    WeekDay,
    Day,
    UnderDay,
    ZeroDay,
    UnderYearDay,
    ZeroYearDay,
    Hour,
    Hour12,
    ZeroHour12,
    Minute,
    ZeroMinute,
    Second,
    ZeroSecond,
    LongYear,
    Year,
    PM,
    Pm,
    Tz,
    Iso8601Tz,
    Iso8601SecondsTz,
    Iso8601ShortTz,
    Iso8601ColonTz,
    Iso8601ColonSecondsTz,
    NumTz,
    NumSecondsTz,
    NumShortTz,
    NumColonTz,
    NumColonSecondsTz,
    /// `.000` (or `,000`): that many digits, trailing zeros kept.
    FracSecond0 {
        digits: usize,
        comma: bool,
    },
    /// `.999` (or `,999`): up to that many digits, trailing zeros dropped.
    FracSecond9 {
        digits: usize,
        comma: bool,
    },
}

impl Std {
    fn is_iso8601(self) -> bool {
        matches!(
            self,
            Std::Iso8601Tz
                | Std::Iso8601SecondsTz
                | Std::Iso8601ShortTz
                | Std::Iso8601ColonTz
                | Std::Iso8601ColonSecondsTz
        )
    }
}

/// A layout split at its first std element.
struct Chunk<'a> {
    /// The text before the element.
    prefix: &'a [u8],
    /// The element and its text in the layout; `None` at the end of the layout.
    std: Option<(Std, &'a [u8])>,
    /// The layout after the element.
    suffix: &'a [u8],
}

/// Go's `nextStdChunk`.
fn next_std_chunk(layout: &[u8]) -> Chunk<'_> {
    let at = |i: usize, s: &[u8]| layout.get(i..).is_some_and(|rest| rest.starts_with(s));
    let lower_at = |i: usize| layout.get(i).is_some_and(u8::is_ascii_lowercase);
    for i in 0..layout.len() {
        let found = match layout[i] {
            b'J' if at(i, b"January") => Some((Std::LongMonth, 7)),
            b'J' if at(i, b"Jan") && !lower_at(i + 3) => Some((Std::Month, 3)),
            b'M' if at(i, b"Monday") => Some((Std::LongWeekDay, 6)),
            b'M' if at(i, b"Mon") && !lower_at(i + 3) => Some((Std::WeekDay, 3)),
            b'M' if at(i, b"MST") => Some((Std::Tz, 3)),
            b'0' => match layout.get(i + 1) {
                Some(b'1') => Some((Std::ZeroMonth, 2)),
                Some(b'2') => Some((Std::ZeroDay, 2)),
                Some(b'3') => Some((Std::ZeroHour12, 2)),
                Some(b'4') => Some((Std::ZeroMinute, 2)),
                Some(b'5') => Some((Std::ZeroSecond, 2)),
                Some(b'6') => Some((Std::Year, 2)),
                _ if at(i, b"002") => Some((Std::ZeroYearDay, 3)),
                _ => None,
            },
            b'1' if at(i, b"15") => Some((Std::Hour, 2)),
            b'1' => Some((Std::NumMonth, 1)),
            b'2' if at(i, b"2006") => Some((Std::LongYear, 4)),
            b'2' => Some((Std::Day, 1)),
            // `_2006` is a literal `_` followed by the year.
            b'_' if at(i, b"_2006") => {
                return Chunk {
                    prefix: &layout[..i + 1],
                    std: Some((Std::LongYear, &layout[i + 1..i + 5])),
                    suffix: &layout[i + 5..],
                };
            }
            b'_' if at(i, b"_2") => Some((Std::UnderDay, 2)),
            b'_' if at(i, b"__2") => Some((Std::UnderYearDay, 3)),
            b'3' => Some((Std::Hour12, 1)),
            b'4' => Some((Std::Minute, 1)),
            b'5' => Some((Std::Second, 1)),
            b'P' if at(i, b"PM") => Some((Std::PM, 2)),
            b'p' if at(i, b"pm") => Some((Std::Pm, 2)),
            b'-' if at(i, b"-070000") => Some((Std::NumSecondsTz, 7)),
            b'-' if at(i, b"-07:00:00") => Some((Std::NumColonSecondsTz, 9)),
            b'-' if at(i, b"-0700") => Some((Std::NumTz, 5)),
            b'-' if at(i, b"-07:00") => Some((Std::NumColonTz, 6)),
            b'-' if at(i, b"-07") => Some((Std::NumShortTz, 3)),
            b'Z' if at(i, b"Z070000") => Some((Std::Iso8601SecondsTz, 7)),
            b'Z' if at(i, b"Z07:00:00") => Some((Std::Iso8601ColonSecondsTz, 9)),
            b'Z' if at(i, b"Z0700") => Some((Std::Iso8601Tz, 5)),
            b'Z' if at(i, b"Z07:00") => Some((Std::Iso8601ColonTz, 6)),
            b'Z' if at(i, b"Z07") => Some((Std::Iso8601ShortTz, 3)),
            sep @ (b'.' | b',') if matches!(layout.get(i + 1), Some(b'0' | b'9')) => {
                let digit = layout[i + 1];
                let mut j = i + 1;
                while layout.get(j) == Some(&digit) {
                    j += 1;
                }
                // Only a fraction when the run of digits ends here.
                if layout.get(j).is_some_and(u8::is_ascii_digit) {
                    None
                } else {
                    // Go keeps 12 bits of the digit count.
                    let digits = (j - (i + 1)) & 0xfff;
                    let comma = sep == b',';
                    let std = if digit == b'0' {
                        Std::FracSecond0 { digits, comma }
                    } else {
                        Std::FracSecond9 { digits, comma }
                    };
                    Some((std, j - i))
                }
            }
            _ => None,
        };
        if let Some((std, len)) = found {
            return Chunk {
                prefix: &layout[..i],
                std: Some((std, &layout[i..i + len])),
                suffix: &layout[i + len..],
            };
        }
    }
    Chunk {
        prefix: layout,
        std: None,
        suffix: &[],
    }
}

/// Go's `appendInt`: decimal, zero-padded to `width` digits, sign first.
fn push_int(out: &mut Vec<u8>, x: i64, width: usize) {
    if x < 0 {
        out.push(b'-');
    }
    let digits = x.unsigned_abs().to_string();
    for _ in digits.len()..width {
        out.push(b'0');
    }
    out.extend_from_slice(digits.as_bytes());
}

/// Go's `Time.Format`.
///
/// ```text
/// assert_eq!(format(&t, "Mon Jan _2 15:04:05 MST 2006"), "Tue Mar  5 00:00:00 UTC 2024");
/// ```
pub(crate) fn format(t: &Time, layout: &str) -> String {
    let f = t.fields();
    let mut out = Vec::with_capacity(layout.len() + 10);
    let mut rest = layout.as_bytes();
    while !rest.is_empty() {
        let Chunk {
            prefix,
            std,
            suffix,
        } = next_std_chunk(rest);
        out.extend_from_slice(prefix);
        let Some((std, _)) = std else { break };
        rest = suffix;
        let hour12 = match f.hour % 12 {
            0 => 12,
            h => h,
        };
        match std {
            Std::Year => push_int(&mut out, (f.year % 100).abs(), 2),
            Std::LongYear => push_int(&mut out, f.year, 4),
            Std::Month => {
                out.extend_from_slice(&MONTH_NAMES[usize::from(f.month) - 1].as_bytes()[..3])
            }
            Std::LongMonth => {
                out.extend_from_slice(MONTH_NAMES[usize::from(f.month) - 1].as_bytes())
            }
            Std::NumMonth => push_int(&mut out, f.month.into(), 0),
            Std::ZeroMonth => push_int(&mut out, f.month.into(), 2),
            Std::WeekDay => {
                out.extend_from_slice(&DAY_NAMES[usize::from(f.weekday)].as_bytes()[..3])
            }
            Std::LongWeekDay => out.extend_from_slice(DAY_NAMES[usize::from(f.weekday)].as_bytes()),
            Std::Day => push_int(&mut out, f.day.into(), 0),
            Std::UnderDay => {
                if f.day < 10 {
                    out.push(b' ');
                }
                push_int(&mut out, f.day.into(), 0);
            }
            Std::ZeroDay => push_int(&mut out, f.day.into(), 2),
            Std::UnderYearDay => {
                if f.yday < 100 {
                    out.push(b' ');
                    if f.yday < 10 {
                        out.push(b' ');
                    }
                }
                push_int(&mut out, f.yday.into(), 0);
            }
            Std::ZeroYearDay => push_int(&mut out, f.yday.into(), 3),
            Std::Hour => push_int(&mut out, f.hour.into(), 2),
            Std::Hour12 => push_int(&mut out, hour12.into(), 0),
            Std::ZeroHour12 => push_int(&mut out, hour12.into(), 2),
            Std::Minute => push_int(&mut out, f.minute.into(), 0),
            Std::ZeroMinute => push_int(&mut out, f.minute.into(), 2),
            Std::Second => push_int(&mut out, f.second.into(), 0),
            Std::ZeroSecond => push_int(&mut out, f.second.into(), 2),
            Std::PM => out.extend_from_slice(if f.hour >= 12 { b"PM" } else { b"AM" }),
            Std::Pm => out.extend_from_slice(if f.hour >= 12 { b"pm" } else { b"am" }),
            Std::Tz if !f.zone.is_empty() => out.extend_from_slice(f.zone.as_bytes()),
            Std::Tz => {
                // No abbreviation (a parsed numeric offset): Go prints -0700 instead.
                let minutes = f.offset / 60;
                out.push(if minutes < 0 { b'-' } else { b'+' });
                push_int(&mut out, (minutes.abs() / 60).into(), 2);
                push_int(&mut out, (minutes.abs() % 60).into(), 2);
            }
            Std::FracSecond0 { digits, comma } => {
                push_fraction(&mut out, f.nanosecond, digits, comma, false)
            }
            Std::FracSecond9 { digits, comma } => {
                push_fraction(&mut out, f.nanosecond, digits, comma, true)
            }
            zone => push_offset(&mut out, zone, f.offset),
        }
    }
    String::from_utf8(out).unwrap_or_default()
}

/// The numeric zone elements (`-0700`, `Z07:00`, ...).
fn push_offset(out: &mut Vec<u8>, std: Std, offset: i32) {
    if offset == 0 && std.is_iso8601() {
        out.push(b'Z');
        return;
    }
    let minutes = offset / 60;
    out.push(if minutes < 0 { b'-' } else { b'+' });
    let (minutes, seconds) = (minutes.abs(), offset.abs());
    push_int(out, (minutes / 60).into(), 2);
    let colon = matches!(
        std,
        Std::Iso8601ColonTz | Std::NumColonTz | Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz
    );
    if colon {
        out.push(b':');
    }
    if !matches!(std, Std::NumShortTz | Std::Iso8601ShortTz) {
        push_int(out, (minutes % 60).into(), 2);
    }
    if matches!(
        std,
        Std::Iso8601SecondsTz
            | Std::NumSecondsTz
            | Std::NumColonSecondsTz
            | Std::Iso8601ColonSecondsTz
    ) {
        if colon {
            out.push(b':');
        }
        push_int(out, (seconds % 60).into(), 2);
    }
}

/// Go's `appendNano`.
fn push_fraction(out: &mut Vec<u8>, nanos: u32, digits: usize, comma: bool, trim: bool) {
    if trim && (digits == 0 || nanos == 0) {
        return;
    }
    let start = out.len();
    out.push(if comma { b',' } else { b'.' });
    let nine = format!("{nanos:09}");
    out.extend_from_slice(&nine.as_bytes()[..digits.min(9)]);
    if trim {
        while out.len() > start && out.last() == Some(&b'0') {
            out.pop();
        }
        if out.len() == start + 1 {
            out.pop();
        }
    }
}

/// The time package's `quote`: `"..."` with `"` and `\` escaped and every byte that is
/// not printable ASCII as `\xNN`.
pub(crate) fn quote(s: &[u8]) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for &b in s {
        match b {
            b'"' | b'\\' => {
                out.push('\\');
                out.push(char::from(b));
            }
            0x20..=0x7f => out.push(char::from(b)),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    out.push('"');
    out
}

/// Go's `*time.ParseError`.
#[derive(Debug)]
pub(crate) struct ParseError {
    layout: Vec<u8>,
    value: Vec<u8>,
    layout_elem: Vec<u8>,
    value_elem: Vec<u8>,
    message: String,
}

impl std::fmt::Display for ParseError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.message.is_empty() {
            write!(
                f,
                "parsing time {} as {}: cannot parse {} as {}",
                quote(&self.value),
                quote(&self.layout),
                quote(&self.value_elem),
                quote(&self.layout_elem)
            )
        } else {
            write!(f, "parsing time {}{}", quote(&self.value), self.message)
        }
    }
}

/// Go's `atoi` on a byte string: an optional sign, then only digits.
fn atoi(s: &[u8]) -> Option<i64> {
    let (negative, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let mut x: u64 = 0;
    for &c in digits {
        if !c.is_ascii_digit() || x > (1 << 63) / 10 {
            return None;
        }
        x = x * 10 + u64::from(c - b'0');
        if x > 1 << 63 {
            return None;
        }
    }
    // Go converts 2^63 to a negative int; wrapping does the same.
    let x = x as i64;
    Some(if negative { x.wrapping_neg() } else { x })
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let digit = |i: usize| {
        s.get(i)
            .filter(|b| b.is_ascii_digit())
            .map(|b| i64::from(b - b'0'))
    };
    let first = digit(0)?;
    match digit(1) {
        Some(second) => Some((first * 10 + second, &s[2..])),
        None if fixed => None,
        None => Some((first, &s[1..])),
    }
}

/// Go's `getnum3`: one to three digits (exactly three when `fixed`).
fn getnum3(s: &[u8], fixed: bool) -> Option<(i64, &[u8])> {
    let count = s.iter().take(3).take_while(|b| b.is_ascii_digit()).count();
    if count == 0 || (fixed && count != 3) {
        return None;
    }
    let n = s[..count]
        .iter()
        .fold(0, |n, b| n * 10 + i64::from(b - b'0'));
    Some((n, &s[count..]))
}

/// Go's `lookup`: the first name of `names` that starts `s`, ASCII case-insensitively.
fn lookup_name<'v>(names: &[&str], s: &'v [u8]) -> Option<(usize, &'v [u8])> {
    names.iter().enumerate().find_map(|(i, name)| {
        let name = name.as_bytes();
        let head = s.get(..name.len())?;
        head.eq_ignore_ascii_case(name)
            .then(|| (i, &s[name.len()..]))
    })
}

/// Go's `skip`: removes `prefix` from `value`, where a run of spaces in the prefix
/// matches a run of spaces in the value (or the end of the value). On a mismatch, the
/// rest of the value from there.
fn skip<'v>(mut value: &'v [u8], mut prefix: &[u8]) -> Result<&'v [u8], &'v [u8]> {
    let cut = |s: &[u8]| s.iter().take_while(|&&b| b == b' ').count();
    while let Some(&p) = prefix.first() {
        if p == b' ' {
            if value.first().is_some_and(|&b| b != b' ') {
                return Err(value);
            }
            prefix = &prefix[cut(prefix)..];
            value = &value[cut(value)..];
            continue;
        }
        if value.first() != Some(&p) {
            return Err(value);
        }
        prefix = &prefix[1..];
        value = &value[1..];
    }
    Ok(value)
}

/// Go's `parseNanoseconds`: `value` starts with `.` or `,`; the next `nbytes - 1` bytes
/// (at most 9 are used) are the fraction.
fn parse_nanoseconds(value: &[u8], nbytes: usize) -> Result<i64, Option<&'static str>> {
    if !matches!(value.first(), Some(b'.' | b',')) {
        return Err(None);
    }
    let nbytes = nbytes.min(10);
    let ns = atoi(&value[1..nbytes]).ok_or(None)?;
    if ns < 0 {
        return Err(Some("fractional second"));
    }
    Ok(ns * 10i64.pow((10 - nbytes) as u32))
}

/// Go's `parseTimeZone`: the length of a zone abbreviation at the start of `value`.
fn parse_time_zone(value: &[u8]) -> Option<usize> {
    if value.len() < 3 {
        return None;
    }
    if value.starts_with(b"ChST") || value.starts_with(b"MeST") {
        return Some(4);
    }
    if value.starts_with(b"GMT") {
        return Some(3 + parse_signed_offset(&value[3..]));
    }
    if matches!(value[0], b'+' | b'-') {
        return Some(parse_signed_offset(value)).filter(|&n| n > 0);
    }
    let upper = value
        .iter()
        .take(6)
        .take_while(|b| b.is_ascii_uppercase())
        .count();
    match upper {
        3 => Some(3),
        4 if value[3] == b'T' || value.starts_with(b"WITA") => Some(4),
        5 if value[4] == b'T' => Some(5),
        _ => None,
    }
}

/// Go's `parseSignedOffset`: the length of `+N`/`-N` with N at most 23, or 0.
fn parse_signed_offset(value: &[u8]) -> usize {
    if !matches!(value.first(), Some(b'+' | b'-')) {
        return 0;
    }
    let digits = value[1..].iter().take_while(|b| b.is_ascii_digit()).count();
    if digits == 0 {
        return 0;
    }
    match atoi(&value[1..1 + digits]) {
        Some(n) if (0..=23).contains(&n) => 1 + digits,
        _ => 0,
    }
}

const SHORT_MONTHS: [&str; 12] = [
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
];
const SHORT_DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
/// Days before each month in a non-leap year; index 12 is the whole year.
const DAYS_BEFORE: [i64; 13] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334, 365];

/// Go's `time.ParseInLocation(layout, value, loc)` (`loc` is both the default location
/// and the one whose zones offsets and abbreviations are matched against).
///
/// ```text
/// let t = parse_in_location("2006-01-02", "2024-03-05", &Location::Utc).unwrap();
/// ```
pub(crate) fn parse_in_location(
    layout: &str,
    value: &str,
    loc: &Location,
) -> Result<Time, ParseError> {
    let full_layout = layout.as_bytes();
    let full_value = value.as_bytes();
    let error = |layout_elem: &[u8], value_elem: &[u8], message: String| ParseError {
        layout: full_layout.to_vec(),
        value: full_value.to_vec(),
        layout_elem: layout_elem.to_vec(),
        value_elem: value_elem.to_vec(),
        message,
    };
    let mut layout = full_layout;
    let mut value = full_value;
    let (mut am_set, mut pm_set) = (false, false);
    let (mut year, mut month, mut day, mut yday) = (0i64, -1i64, -1i64, -1i64);
    let (mut hour, mut min, mut sec, mut nsec) = (0i64, 0i64, 0i64, 0i64);
    let mut z: Option<Location> = None;
    let mut zone_offset: i64 = -1;
    let mut zone_name: &[u8] = b"";

    loop {
        let Chunk {
            prefix,
            std,
            suffix,
        } = next_std_chunk(layout);
        value = skip(value, prefix).map_err(|rest| error(prefix, rest, String::new()))?;
        let Some((std, std_text)) = std else {
            if !value.is_empty() {
                return Err(error(b"", value, format!(": extra text: {}", quote(value))));
            }
            break;
        };
        layout = suffix;
        let hold = value;
        let mut range_err: Option<&'static str> = None;
        // `ok == false` is Go's errBad: "cannot parse <hold> as <element>".
        let mut ok = true;
        match std {
            Std::Year => match value.get(..2).and_then(atoi) {
                Some(y) => {
                    year = if y >= 69 { y + 1900 } else { y + 2000 };
                    value = &value[2..];
                }
                None => ok = false,
            },
            Std::LongYear => {
                match value
                    .get(..4)
                    .filter(|p| p[0].is_ascii_digit())
                    .and_then(atoi)
                {
                    Some(y) => {
                        year = y;
                        value = &value[4..];
                    }
                    None => ok = false,
                }
            }
            Std::Month | Std::LongMonth => {
                let names: Vec<&str> = if std == Std::Month {
                    SHORT_MONTHS.to_vec()
                } else {
                    MONTH_NAMES.to_vec()
                };
                match lookup_name(&names, value) {
                    Some((i, rest)) => {
                        month = i as i64 + 1;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::NumMonth | Std::ZeroMonth => match getnum(value, std == Std::ZeroMonth) {
                Some((m, rest)) => {
                    month = m;
                    value = rest;
                    if !(1..=12).contains(&m) {
                        range_err = Some("month");
                    }
                }
                None => ok = false,
            },
            Std::WeekDay | Std::LongWeekDay => {
                let names: &[&str] = if std == Std::WeekDay {
                    &SHORT_DAYS
                } else {
                    &DAY_NAMES
                };
                match lookup_name(names, value) {
                    Some((_, rest)) => value = rest,
                    None => ok = false,
                }
            }
            Std::Day | Std::UnderDay | Std::ZeroDay => {
                if std == Std::UnderDay && value.first() == Some(&b' ') {
                    value = &value[1..];
                }
                match getnum(value, std == Std::ZeroDay) {
                    Some((d, rest)) => {
                        day = d;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::UnderYearDay | Std::ZeroYearDay => {
                for _ in 0..2 {
                    if std == Std::UnderYearDay && value.first() == Some(&b' ') {
                        value = &value[1..];
                    }
                }
                match getnum3(value, std == Std::ZeroYearDay) {
                    Some((d, rest)) => {
                        yday = d;
                        value = rest;
                    }
                    None => ok = false,
                }
            }
            Std::Hour | Std::Hour12 | Std::ZeroHour12 => {
                match getnum(value, std == Std::ZeroHour12) {
                    Some((h, rest)) => {
                        hour = h;
                        value = rest;
                        let max = if std == Std::Hour { 23 } else { 12 };
                        if h > max {
                            range_err = Some("hour");
                        }
                    }
                    None => ok = false,
                }
            }
            Std::Minute | Std::ZeroMinute => match getnum(value, std == Std::ZeroMinute) {
                Some((m, rest)) => {
                    min = m;
                    value = rest;
                    if m >= 60 {
                        range_err = Some("minute");
                    }
                }
                None => ok = false,
            },
            Std::Second | Std::ZeroSecond => match getnum(value, std == Std::ZeroSecond) {
                Some((s, rest)) => {
                    sec = s;
                    value = rest;
                    if s >= 60 {
                        range_err = Some("second");
                    } else if value.len() >= 2
                        && matches!(value[0], b'.' | b',')
                        && value[1].is_ascii_digit()
                    {
                        // A fraction in the value that the layout does not ask for next
                        // is taken anyway.
                        let next = next_std_chunk(layout).std.map(|(s, _)| s);
                        let layout_has_fraction = matches!(
                            next,
                            Some(Std::FracSecond0 { .. } | Std::FracSecond9 { .. })
                        );
                        if !layout_has_fraction {
                            let n =
                                2 + value[2..].iter().take_while(|b| b.is_ascii_digit()).count();
                            match parse_nanoseconds(value, n) {
                                Ok(ns) => nsec = ns,
                                Err(Some(r)) => range_err = Some(r),
                                Err(None) => ok = false,
                            }
                            value = &value[n..];
                        }
                    }
                }
                None => ok = false,
            },
            Std::PM | Std::Pm => {
                let (pm, am): (&[u8], &[u8]) = if std == Std::PM {
                    (b"PM", b"AM")
                } else {
                    (b"pm", b"am")
                };
                match value.get(..2) {
                    Some(p) if p == pm => pm_set = true,
                    Some(p) if p == am => am_set = true,
                    _ => ok = false,
                }
                if value.len() >= 2 {
                    value = &value[2..];
                }
            }
            Std::Iso8601Tz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonTz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ColonSecondsTz
                if value.first() == Some(&b'Z') =>
            {
                value = &value[1..];
                z = Some(Location::Utc);
            }
            Std::Iso8601Tz
            | Std::Iso8601ShortTz
            | Std::Iso8601ColonTz
            | Std::Iso8601SecondsTz
            | Std::Iso8601ColonSecondsTz
            | Std::NumTz
            | Std::NumShortTz
            | Std::NumColonTz
            | Std::NumSecondsTz
            | Std::NumColonSecondsTz => match parse_offset(std, value) {
                Some((offset, rest, err)) => {
                    zone_offset = offset;
                    value = rest;
                    range_err = err;
                    if !matches!(hold[0], b'+' | b'-') {
                        ok = false;
                    }
                }
                None => ok = false,
            },
            Std::Tz => {
                if value.starts_with(b"UTC") {
                    z = Some(Location::Utc);
                    value = &value[3..];
                } else {
                    match parse_time_zone(value) {
                        Some(n) => {
                            zone_name = &value[..n];
                            value = &value[n..];
                        }
                        None => ok = false,
                    }
                }
            }
            Std::FracSecond0 { digits, .. } => {
                let ndigit = 1 + digits;
                if value.len() < ndigit {
                    ok = false;
                } else {
                    match parse_nanoseconds(value, ndigit) {
                        Ok(ns) => nsec = ns,
                        Err(Some(r)) => range_err = Some(r),
                        Err(None) => ok = false,
                    }
                    value = &value[ndigit..];
                }
            }
            Std::FracSecond9 { .. } => {
                if value.len() >= 2 && matches!(value[0], b'.' | b',') && value[1].is_ascii_digit()
                {
                    let n = 1 + value[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                    match parse_nanoseconds(value, n) {
                        Ok(ns) => nsec = ns,
                        Err(Some(r)) => range_err = Some(r),
                        Err(None) => ok = false,
                    }
                    value = &value[n..];
                }
            }
        }
        if let Some(what) = range_err {
            return Err(error(std_text, value, format!(": {what} out of range")));
        }
        if !ok {
            return Err(error(std_text, hold, String::new()));
        }
    }

    if pm_set && hour < 12 {
        hour += 12;
    } else if am_set && hour == 12 {
        hour = 0;
    }

    if yday >= 0 {
        let (mut m, mut d) = (0i64, 0i64);
        if is_leap(year) {
            if yday == 31 + 29 {
                m = 2;
                d = 29;
            } else if yday > 31 + 29 {
                yday -= 1;
            }
        }
        if !(1..=365).contains(&yday) {
            return Err(error(b"", value, ": day-of-year out of range".to_string()));
        }
        if m == 0 {
            m = (yday - 1) / 31 + 1;
            if DAYS_BEFORE[m as usize] < yday {
                m += 1;
            }
            d = yday - DAYS_BEFORE[m as usize - 1];
        }
        if month >= 0 && month != m {
            return Err(error(
                b"",
                value,
                ": day-of-year does not match month".to_string(),
            ));
        }
        month = m;
        if day >= 0 && day != d {
            return Err(error(
                b"",
                value,
                ": day-of-year does not match day".to_string(),
            ));
        }
        day = d;
    } else {
        if month < 0 {
            month = 1;
        }
        if day < 0 {
            day = 1;
        }
    }

    // The month is within 1..=12 here: an out-of-range one returned above.
    if day < 1 || day > i64::from(days_in(month as u8, year)) {
        return Err(error(b"", value, ": day out of range".to_string()));
    }

    if let Some(z) = z {
        return Ok(Time::date(year, month, day, hour, min, sec, nsec, z));
    }
    if zone_offset != -1 {
        let t = Time::date(year, month, day, hour, min, sec, nsec, Location::Utc)
            .add_seconds(-zone_offset);
        // The local zone, if it has this offset (and name) at that time.
        let (name, offset, _) = loc.lookup(t.unix());
        if i64::from(offset) == zone_offset
            && (zone_name.is_empty() || name.as_bytes() == zone_name)
        {
            return Ok(t.with_location(loc.clone()));
        }
        let name = String::from_utf8_lossy(zone_name);
        return Ok(t.with_location(Location::Fixed(name.as_ref().into(), zone_offset as i32)));
    }
    if !zone_name.is_empty() {
        let t = Time::date(year, month, day, hour, min, sec, nsec, Location::Utc);
        let name = String::from_utf8_lossy(zone_name);
        if let Some(offset) = loc.lookup_name(&name, t.unix()) {
            return Ok(t.add_seconds(-i64::from(offset)).with_location(loc.clone()));
        }
        // An unknown abbreviation gets offset 0, except `GMT+h`.
        let mut offset = 0;
        if zone_name.len() > 3 && zone_name.starts_with(b"GMT") {
            offset = atoi(&zone_name[3..]).unwrap_or(0) * 3600;
        }
        return Ok(t.with_location(Location::Fixed(name.as_ref().into(), offset as i32)));
    }
    Ok(Time::date(
        year,
        month,
        day,
        hour,
        min,
        sec,
        nsec,
        loc.clone(),
    ))
}

/// The numeric zone elements when parsing: the offset in seconds, the rest of the value
/// and a range error; `None` when the value is too short or not digits where needed.
fn parse_offset(std: Std, value: &[u8]) -> Option<(i64, &[u8], Option<&'static str>)> {
    let (hh, mm, ss, rest): (&[u8], &[u8], &[u8], &[u8]) = match std {
        Std::Iso8601ColonTz | Std::NumColonTz => {
            if value.len() < 6 || value[3] != b':' {
                return None;
            }
            (&value[1..3], &value[4..6], b"00", &value[6..])
        }
        Std::NumShortTz | Std::Iso8601ShortTz => {
            if value.len() < 3 {
                return None;
            }
            (&value[1..3], b"00", b"00", &value[3..])
        }
        Std::Iso8601ColonSecondsTz | Std::NumColonSecondsTz => {
            if value.len() < 9 || value[3] != b':' || value[6] != b':' {
                return None;
            }
            (&value[1..3], &value[4..6], &value[7..9], &value[9..])
        }
        Std::Iso8601SecondsTz | Std::NumSecondsTz => {
            if value.len() < 7 {
                return None;
            }
            (&value[1..3], &value[3..5], &value[5..7], &value[7..])
        }
        _ => {
            if value.len() < 5 {
                return None;
            }
            (&value[1..3], &value[3..5], b"00", &value[5..])
        }
    };
    // Go keeps going after a bad number (it is reported after the range checks), with
    // the fields that did not parse as zero.
    let hr = getnum(hh, true).map(|(n, _)| n);
    let mi = hr.and(getnum(mm, true).map(|(n, _)| n));
    let se = mi.and(getnum(ss, true).map(|(n, _)| n));
    let (h, m, s) = (hr.unwrap_or(0), mi.unwrap_or(0), se.unwrap_or(0));
    // Go checks with `>`: offsets of 24 hours or 60 minutes or seconds are tolerated.
    let mut range_err = None;
    if h > 24 {
        range_err = Some("time zone offset hour");
    }
    if m > 60 {
        range_err = Some("time zone offset minute");
    }
    if s > 60 {
        range_err = Some("time zone offset second");
    }
    if se.is_none() && range_err.is_none() {
        return None;
    }
    let mut offset = (h * 60 + m) * 60 + s;
    if value[0] == b'-' {
        offset = -offset;
    }
    Some((offset, rest, range_err))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(unix: i64, nanos: i64) -> Time {
        Time::from_unix(unix, nanos, Location::Utc)
    }

    #[test]
    fn formats_the_reference_layouts() {
        // 2006-01-02T15:04:05.123456789Z
        let time = t(1_136_214_245, 123_456_789);
        let cases = [
            ("2006-01-02T15:04:05Z07:00", "2006-01-02T15:04:05Z"),
            (
                "2006-01-02T15:04:05.999999999Z07:00",
                "2006-01-02T15:04:05.123456789Z",
            ),
            (
                "Mon Jan _2 15:04:05 MST 2006",
                "Mon Jan  2 15:04:05 UTC 2006",
            ),
            (
                "Monday, 02-Jan-06 03:04:05PM -0700",
                "Monday, 02-Jan-06 03:04:05PM +0000",
            ),
            ("January 2 2006 3pm", "January 2 2006 3pm"),
            ("002 __2 .000 ,00 .9 .999", "002   2 .123 ,12 .1 .123"),
            ("Janet Month _2006 1 15.0001", "Janet Month _2006 1 15.0001"),
            ("-07 -07:00:00 Z070000 Z07", "+00 +00:00:00 Z Z"),
        ];
        for (layout, expected) in cases {
            assert_eq!(format(&time, layout), expected, "{layout}");
        }
        assert_eq!(format(&t(0, 0), ".999 ,9"), " ");
    }

    #[test]
    fn parses_and_reports_like_go() {
        let utc = Location::Utc;
        let ok = |layout: &str, value: &str| {
            let parsed = parse_in_location(layout, value, &utc).unwrap();
            format(&parsed, "2006-01-02 15:04:05.999999999 -0700 MST")
        };
        assert_eq!(
            ok("2006-01-02", "2024-03-05"),
            "2024-03-05 00:00:00 +0000 UTC"
        );
        assert_eq!(
            ok("2006-01-02T15:04:05Z07:00", "2024-03-05T10:11:12.5+01:00"),
            "2024-03-05 10:11:12.5 +0100 +0100"
        );
        assert_eq!(
            ok("Jan _2 3:04pm", "feb  9 12:30am"),
            "0000-02-09 00:30:00 +0000 UTC"
        );
        assert_eq!(ok("2006 002", "2024 060"), "2024-02-29 00:00:00 +0000 UTC");
        assert_eq!(
            ok("15:04 MST", "10:00 PDT"),
            "0000-01-01 10:00:00 +0000 PDT"
        );
        assert_eq!(
            ok("15:04 MST", "10:00 GMT+3"),
            "0000-01-01 13:00:00 +0300 GMT+3"
        );
        let err = |layout: &str, value: &str| {
            parse_in_location(layout, value, &utc)
                .unwrap_err()
                .to_string()
        };
        assert_eq!(
            err("2006-01-02", "bad"),
            r#"parsing time "bad" as "2006-01-02": cannot parse "bad" as "2006""#
        );
        assert_eq!(
            err("2006-01-02", "2024-13-01"),
            r#"parsing time "2024-13-01": month out of range"#
        );
        assert_eq!(
            err("2006-01-02", "2023-02-29"),
            r#"parsing time "2023-02-29": day out of range"#
        );
        assert_eq!(
            err("2006", "2024x"),
            r#"parsing time "2024x": extra text: "x""#
        );
        assert_eq!(
            err("2006 é", "2024 è"),
            r#"parsing time "2024 \xc3\xa8" as "2006 \xc3\xa9": cannot parse "\xa8" as " \xc3\xa9""#
        );
    }
}
