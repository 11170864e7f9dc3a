//! go-yaml's YAML 1.1 resolver: what a plain scalar means (`yes` is true, `0755` is 493,
//! `1e3` is a float, `2001-12-14` a timestamp, `~` null), and which tags a scalar may be
//! decoded with. The encoders ask the same resolver whether a string needs quotes.

pub(crate) const STR_TAG: &str = "tag:yaml.org,2002:str";
pub(crate) const BOOL_TAG: &str = "tag:yaml.org,2002:bool";
pub(crate) const INT_TAG: &str = "tag:yaml.org,2002:int";
pub(crate) const FLOAT_TAG: &str = "tag:yaml.org,2002:float";
pub(crate) const NULL_TAG: &str = "tag:yaml.org,2002:null";
pub(crate) const TIMESTAMP_TAG: &str = "tag:yaml.org,2002:timestamp";
pub(crate) const BINARY_TAG: &str = "tag:yaml.org,2002:binary";
pub(crate) const MERGE_TAG: &str = "tag:yaml.org,2002:merge";

/// What a scalar resolved to.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Resolved<'t> {
    Null,
    Bool(bool),
    Int(i64),
    Uint(u64),
    Float(f64),
    Timestamp,
    /// A string, under the tag it was read with (`!!str`, `!!binary`, a custom tag).
    Str(&'t str),
}

impl<'t> Resolved<'t> {
    fn tag(&self) -> &'t str {
        match self {
            Resolved::Null => NULL_TAG,
            Resolved::Bool(_) => BOOL_TAG,
            Resolved::Int(_) | Resolved::Uint(_) => INT_TAG,
            Resolved::Float(_) => FLOAT_TAG,
            Resolved::Timestamp => TIMESTAMP_TAG,
            Resolved::Str(tag) => tag,
        }
    }
}

fn short_tag(tag: &str) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_string(),
    }
}

fn resolvable(tag: &str) -> bool {
    matches!(
        tag,
        "" | STR_TAG | BOOL_TAG | INT_TAG | FLOAT_TAG | NULL_TAG | TIMESTAMP_TAG
    )
}

/// Resolves `value` read with `tag` (empty for none). An explicit tag the value does not
/// fit is go-yaml's error: ``cannot decode !!str `x` as a !!int``.
pub(crate) fn resolve<'t>(tag: &'t str, value: &str) -> Result<Resolved<'t>, String> {
    if !resolvable(tag) {
        return Ok(Resolved::Str(tag));
    }
    let resolved = resolve_plain(tag, value);
    let rtag = resolved.tag();
    if tag.is_empty() || tag == rtag || tag == STR_TAG || tag == BINARY_TAG {
        return Ok(resolved);
    }
    if tag == FLOAT_TAG {
        if let Resolved::Int(n) = resolved {
            return Ok(Resolved::Float(n as f64));
        }
    }
    Err(format!(
        "cannot decode {} `{}` as a {}",
        short_tag(rtag),
        value,
        short_tag(tag)
    ))
}

fn resolve_plain(tag: &str, value: &str) -> Resolved<'static> {
    let str_result = || Resolved::Str(STR_TAG);
    let hint = match value.as_bytes().first() {
        None => b'N',
        Some(b'+' | b'-') => b'S',
        Some(b'0'..=b'9') => b'D',
        Some(b'y' | b'Y' | b'n' | b'N' | b't' | b'T' | b'f' | b'F' | b'o' | b'O' | b'~') => b'M',
        Some(b'.') => b'.',
        Some(_) => return str_result(),
    };
    if tag == STR_TAG || tag == BINARY_TAG {
        return str_result();
    }
    if let Some(r) = lookup(value) {
        return r;
    }
    match hint {
        b'.' => {
            if let Some(f) = go_parse_float(value) {
                return Resolved::Float(f);
            }
        }
        b'D' | b'S' => {
            if (tag.is_empty() || tag == TIMESTAMP_TAG) && is_timestamp(value) {
                return Resolved::Timestamp;
            }
            let plain = if value.contains('_') {
                std::borrow::Cow::Owned(value.replace('_', ""))
            } else {
                std::borrow::Cow::Borrowed(value)
            };
            if let Some(n) = go_parse_int(&plain, 0) {
                return Resolved::Int(n);
            }
            if let Some(n) = go_parse_uint(&plain, 0) {
                return Resolved::Uint(n);
            }
            if is_yaml_style_float(&plain) {
                if let Some(f) = go_parse_float(&plain) {
                    return Resolved::Float(f);
                }
            }
            if let Some(rest) = plain.strip_prefix("0b") {
                if let Some(n) = go_parse_int(rest, 2) {
                    return Resolved::Int(n);
                }
                if let Some(n) = go_parse_uint(rest, 2) {
                    return Resolved::Uint(n);
                }
            } else if let Some(rest) = plain.strip_prefix("-0b") {
                if let Some(n) = go_parse_int(&format!("-{rest}"), 2) {
                    return Resolved::Int(n);
                }
            }
        }
        _ => {}
    }
    str_result()
}

/// The YAML 1.1 words go-yaml v2 knows.
fn lookup(value: &str) -> Option<Resolved<'static>> {
    Some(match value {
        "y" | "Y" | "yes" | "Yes" | "YES" | "true" | "True" | "TRUE" | "on" | "On" | "ON" => {
            Resolved::Bool(true)
        }
        "n" | "N" | "no" | "No" | "NO" | "false" | "False" | "FALSE" | "off" | "Off" | "OFF" => {
            Resolved::Bool(false)
        }
        "" | "~" | "null" | "Null" | "NULL" => Resolved::Null,
        ".nan" | ".NaN" | ".NAN" => Resolved::Float(f64::NAN),
        ".inf" | ".Inf" | ".INF" | "+.inf" | "+.Inf" | "+.INF" => Resolved::Float(f64::INFINITY),
        "-.inf" | "-.Inf" | "-.INF" => Resolved::Float(f64::NEG_INFINITY),
        _ => return None,
    })
}

/// Whether the encoders may write `s` unquoted: it must read back as the same string,
/// and not look like a YAML 1.1 sexagesimal number (go-yaml quotes those for other
/// parsers' sake). `old_bools` adds go-yaml v3's extra care for `yes`/`no`/`on`/`off`.
pub(crate) fn plain_keeps_string(s: &str, old_bools: bool) -> bool {
    let is_str = matches!(resolve_plain("", s), Resolved::Str(_));
    is_str && !is_base60_float(s) && !(old_bools && is_old_bool(s))
}

fn is_old_bool(s: &str) -> bool {
    matches!(
        s,
        "y" | "Y"
            | "yes"
            | "Yes"
            | "YES"
            | "on"
            | "On"
            | "ON"
            | "n"
            | "N"
            | "no"
            | "No"
            | "NO"
            | "off"
            | "Off"
            | "OFF"
    )
}

/// `^[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?$`
fn is_base60_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if !b.get(i).is_some_and(u8::is_ascii_digit) {
        return false;
    }
    i += 1;
    while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
        i += 1;
    }
    let mut groups = 0;
    while b.get(i) == Some(&b':') {
        i += 1;
        // [0-5]?[0-9]: one digit, or two with the first at most 5.
        match (b.get(i), b.get(i + 1)) {
            (Some(b'0'..=b'5'), Some(b'0'..=b'9')) => i += 2,
            (Some(b'0'..=b'9'), _) => i += 1,
            _ => return false,
        }
        groups += 1;
    }
    if groups == 0 {
        return false;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        while b.get(i).is_some_and(|c| c.is_ascii_digit() || *c == b'_') {
            i += 1;
        }
    }
    i == b.len()
}

/// `^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$`
fn is_yaml_style_float(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    let digits = |i: &mut usize| {
        let start = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i - start
    };
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    if b.get(i) == Some(&b'.') {
        i += 1;
        if digits(&mut i) == 0 {
            return false;
        }
    } else {
        if digits(&mut i) == 0 {
            return false;
        }
        if b.get(i) == Some(&b'.') {
            i += 1;
            digits(&mut i);
        }
    }
    if matches!(b.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        if digits(&mut i) == 0 {
            return false;
        }
    }
    i == b.len()
}

/// Go's `strconv.ParseUint(s, base, 64)` for base 0 (with `0x`, `0o`, `0b` and leading
/// zero octal prefixes) or a fixed base, without underscores.
fn go_parse_uint(s: &str, base: u32) -> Option<u64> {
    if s.is_empty() {
        return None;
    }
    let (base, digits) = if base == 0 {
        let b = s.as_bytes();
        if b[0] == b'0' {
            match b.get(1).map(u8::to_ascii_lowercase) {
                Some(b'b') if s.len() >= 3 => (2, &s[2..]),
                Some(b'o') if s.len() >= 3 => (8, &s[2..]),
                Some(b'x') if s.len() >= 3 => (16, &s[2..]),
                _ => (8, &s[1..]),
            }
        } else {
            (10, s)
        }
    } else {
        (base, s)
    };
    let mut n: u64 = 0;
    for c in digits.chars() {
        let d = c.to_digit(36).filter(|&d| d < base)?;
        n = n.checked_mul(u64::from(base))?.checked_add(u64::from(d))?;
    }
    Some(n)
}

/// Go's `strconv.ParseInt(s, base, 64)`.
fn go_parse_int(s: &str, base: u32) -> Option<i64> {
    let (neg, rest) = match s.as_bytes().first() {
        Some(b'+') => (false, &s[1..]),
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    let n = go_parse_uint(rest, base)?;
    if neg {
        if n > 1 << 63 {
            None
        } else {
            Some((n as i64).wrapping_neg())
        }
    } else if n >= 1 << 63 {
        None
    } else {
        Some(n as i64)
    }
}

/// Go's rule for underscores in numbers: only between digits, or after a base prefix.
fn underscores_ok(s: &str) -> bool {
    let mut b = s.as_bytes();
    if matches!(b.first(), Some(b'+' | b'-')) {
        b = &b[1..];
    }
    let mut saw = b'^';
    let mut i = 0;
    let mut hex = false;
    if b.len() >= 2 && b[0] == b'0' && matches!(b[1].to_ascii_lowercase(), b'b' | b'o' | b'x') {
        i = 2;
        saw = b'0';
        hex = b[1].eq_ignore_ascii_case(&b'x');
    }
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = b'0';
        } else if c == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else {
            if saw == b'_' {
                return false;
            }
            saw = b'!';
        }
        i += 1;
    }
    saw != b'_'
}

/// Go's `strconv.ParseFloat(s, 64)` for decimal input (what the resolver hands it):
/// digits with an optional point and exponent, Go's underscores, and an error (None)
/// where the value overflows.
fn go_parse_float(s: &str) -> Option<f64> {
    let b = s.as_bytes();
    let mut i = 0;
    if matches!(b.first(), Some(b'+' | b'-')) {
        i += 1;
    }
    let mut mantissa_digits = 0;
    let mut seen_point = false;
    while i < b.len() {
        match b[i] {
            b'0'..=b'9' => mantissa_digits += 1,
            b'_' => {}
            b'.' if !seen_point => seen_point = true,
            _ => break,
        }
        i += 1;
    }
    if mantissa_digits == 0 {
        return None;
    }
    if i < b.len() && (b[i] == b'e' || b[i] == b'E') {
        i += 1;
        if matches!(b.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let mut exp_digits = 0;
        while i < b.len() && (b[i].is_ascii_digit() || b[i] == b'_') {
            if b[i] != b'_' {
                exp_digits += 1;
            }
            i += 1;
        }
        if exp_digits == 0 {
            return None;
        }
    }
    if i != b.len() || (s.contains('_') && !underscores_ok(s)) {
        return None;
    }
    let f: f64 = s.replace('_', "").parse().ok()?;
    f.is_finite().then_some(f)
}

/// Whether go-yaml reads `s` as a timestamp: one of the layouts it tries with Go's
/// `time.Parse` (RFC 3339 with `T` or `t`, space-separated without zone, date only).
fn is_timestamp(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 5 || !b[..4].iter().all(u8::is_ascii_digit) || b[4] != b'-' {
        return false;
    }
    [
        Layout::Rfc3339(b'T'),
        Layout::Rfc3339(b't'),
        Layout::Spaced,
        Layout::Date,
    ]
    .into_iter()
    .any(|layout| parse_time(b, layout))
}

#[derive(Clone, Copy)]
enum Layout {
    /// `2006-1-2T15:4:5.999999999Z07:00` (with the given separator letter).
    Rfc3339(u8),
    /// `2006-1-2 15:4:5.999999999`
    Spaced,
    /// `2006-1-2`
    Date,
}

/// Go's `getnum`: one or two digits (exactly two when `fixed`).
fn getnum(v: &[u8], fixed: bool) -> Option<(u32, &[u8])> {
    let d0 = *v.first().filter(|c| c.is_ascii_digit())?;
    match v.get(1).filter(|c| c.is_ascii_digit()) {
        Some(&d1) => Some((u32::from(d0 - b'0') * 10 + u32::from(d1 - b'0'), &v[2..])),
        None if fixed => None,
        None => Some((u32::from(d0 - b'0'), &v[1..])),
    }
}

fn literal(v: &[u8], c: u8) -> Option<&[u8]> {
    (v.first() == Some(&c)).then(|| &v[1..])
}

fn days_in(month: u32, year: i64) -> u32 {
    match month {
        2 if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn parse_time(b: &[u8], layout: Layout) -> bool {
    parse_time_opt(b, layout).is_some()
}

fn parse_time_opt(b: &[u8], layout: Layout) -> Option<()> {
    let year: i64 = std::str::from_utf8(&b[..4]).ok()?.parse().ok()?;
    let v = literal(&b[4..], b'-')?;
    let (month, v) = getnum(v, false)?;
    if !(1..=12).contains(&month) {
        return None;
    }
    let v = literal(v, b'-')?;
    let (day, mut v) = getnum(v, false)?;
    match layout {
        Layout::Date => {}
        Layout::Rfc3339(sep) => v = literal(v, sep)?,
        Layout::Spaced => {
            // A space in a Go layout matches any run of spaces (at least one here,
            // since the hour must follow).
            if v.first() != Some(&b' ') {
                return None;
            }
            while v.first() == Some(&b' ') {
                v = &v[1..];
            }
        }
    }
    if !matches!(layout, Layout::Date) {
        let (hour, rest) = getnum(v, false)?;
        let rest = literal(rest, b':')?;
        let (min, rest) = getnum(rest, false)?;
        let rest = literal(rest, b':')?;
        let (sec, mut rest) = getnum(rest, false)?;
        if hour >= 24 || min >= 60 || sec >= 60 {
            return None;
        }
        // Optional fraction: a point or comma and any number of digits.
        if rest.len() >= 2 && matches!(rest[0], b'.' | b',') && rest[1].is_ascii_digit() {
            let mut i = 1;
            while i < rest.len() && rest[i].is_ascii_digit() {
                i += 1;
            }
            rest = &rest[i..];
        }
        if matches!(layout, Layout::Rfc3339(_)) {
            if rest.first() == Some(&b'Z') {
                rest = &rest[1..];
            } else {
                if rest.len() < 6 || rest[3] != b':' || !matches!(rest[0], b'+' | b'-') {
                    return None;
                }
                let (hh, _) = getnum(&rest[1..3], true)?;
                let (mm, _) = getnum(&rest[4..6], true)?;
                if hh > 24 || mm > 60 {
                    return None;
                }
                rest = &rest[6..];
            }
        }
        v = rest;
    }
    if !v.is_empty() || day < 1 || day > days_in(month, year) {
        return None;
    }
    Some(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> Resolved<'static> {
        resolve("", s).unwrap()
    }

    #[test]
    fn yaml_1_1_scalars() {
        assert_eq!(r("yes"), Resolved::Bool(true));
        assert_eq!(r("Off"), Resolved::Bool(false));
        assert_eq!(r("~"), Resolved::Null);
        assert_eq!(r(""), Resolved::Null);
        assert_eq!(r("0755"), Resolved::Int(493));
        assert_eq!(r("0x1F"), Resolved::Int(31));
        assert_eq!(r("0o17"), Resolved::Int(15));
        assert_eq!(r("0b101"), Resolved::Int(5));
        assert_eq!(r("-0b101"), Resolved::Int(-5));
        assert_eq!(r("1_000"), Resolved::Int(1000));
        assert_eq!(r("+5"), Resolved::Int(5));
        assert_eq!(r("08"), Resolved::Float(8.0));
        assert_eq!(r("1e3"), Resolved::Float(1000.0));
        assert_eq!(r(".5"), Resolved::Float(0.5));
        assert_eq!(r("1e400"), Resolved::Str(STR_TAG));
        assert_eq!(r("18446744073709551615"), Resolved::Uint(u64::MAX));
        assert_eq!(r("-9223372036854775808"), Resolved::Int(i64::MIN));
        assert_eq!(r("2001-12-14"), Resolved::Timestamp);
        assert_eq!(r("2001-12-14t21:59:43.10-05:00"), Resolved::Timestamp);
        assert_eq!(r("2001-12-14 21:59:43.10"), Resolved::Timestamp);
        assert_eq!(r("2001-02-30"), Resolved::Str(STR_TAG));
        assert_eq!(r("2001-12-14 21:59:43.10 -5"), Resolved::Str(STR_TAG));
        assert_eq!(r("yesterday"), Resolved::Str(STR_TAG));
        assert!(matches!(r(".nan"), Resolved::Float(f) if f.is_nan()));
    }

    #[test]
    fn explicit_tags() {
        assert_eq!(resolve(FLOAT_TAG, "1").unwrap(), Resolved::Float(1.0));
        assert_eq!(resolve(STR_TAG, "1").unwrap(), Resolved::Str(STR_TAG));
        assert_eq!(
            resolve(INT_TAG, "x").unwrap_err(),
            "cannot decode !!str `x` as a !!int"
        );
        assert_eq!(resolve("!foo", "1").unwrap(), Resolved::Str("!foo"));
    }

    #[test]
    fn quoting_decisions() {
        assert!(plain_keeps_string("hello", false));
        assert!(!plain_keeps_string("1:20", false));
        assert!(plain_keeps_string("1:60", false));
        assert!(!plain_keeps_string("no", true));
        assert!(!plain_keeps_string("1.5", false));
    }
}
