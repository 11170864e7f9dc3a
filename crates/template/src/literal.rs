//! Decoding literal tokens: Go's `strconv.Unquote` and `UnquoteChar` for strings and
//! characters, and the number rules of `parse.newNumber` (which one literal may be an
//! int, a uint, a float and a complex number at the same time).

use crate::ast::{NumberNode, Pos};
use crate::gofmt::quote;
use crate::lex::Kind;
use crate::value::Str;

/// Go's `strconv.ErrSyntax` text, which is what a bad escape reports.
const INVALID_SYNTAX: &str = "invalid syntax";

/// Go's `strconv.Unquote` for the string tokens: `"..."` with Go escapes, or a raw
/// `` `...` `` whose carriage returns are dropped. An escape such as `\xff` can produce
/// bytes that are not UTF-8 (fine in a Go string); our strings are Rust strings, so such
/// bytes become U+FFFD.
pub(crate) fn unquote(token: &str) -> Result<String, String> {
    let syntax = || INVALID_SYNTAX.to_string();
    if let Some(raw) = token.strip_prefix('`') {
        let body = raw
            .strip_suffix('`')
            .filter(|b| !b.contains('`'))
            .ok_or_else(syntax)?;
        return Ok(body.replace('\r', ""));
    }
    let mut body = token
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|b| !b.contains('\n'))
        .ok_or_else(syntax)?;
    // Most literals have no escapes: their text is their value.
    if !body.contains(['\\', '"']) {
        return Ok(body.to_string());
    }
    let mut bytes = Vec::with_capacity(body.len());
    while !body.is_empty() {
        let (unit, tail) = unquote_char(body, '"').ok_or_else(syntax)?;
        unit.push_to(&mut bytes);
        body = tail;
    }
    Ok(String::from_utf8(bytes)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned()))
}

/// What one (possibly escaped) character of a quoted literal stands for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Unit {
    /// `\xNN` and octal escapes: a single byte, whatever its value.
    Byte(u8),
    Char(char),
}

impl Unit {
    fn value(self) -> u32 {
        match self {
            Unit::Byte(b) => u32::from(b),
            Unit::Char(c) => u32::from(c),
        }
    }

    fn push_to(self, bytes: &mut Vec<u8>) {
        match self {
            Unit::Byte(b) => bytes.push(b),
            Unit::Char(c) => bytes.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
}

/// Go's `strconv.UnquoteChar`: decodes the first character or escape of `s` inside a
/// literal quoted with `quote`; `None` for invalid syntax.
fn unquote_char(s: &str, quote: char) -> Option<(Unit, &str)> {
    let mut chars = s.chars();
    let c = chars.next()?;
    if c == quote {
        return None;
    }
    if c != '\\' {
        return Some((Unit::Char(c), chars.as_str()));
    }
    let escape = chars.next()?;
    let rest = chars.as_str();
    let simple = |c: char| Some((Unit::Char(c), rest));
    match escape {
        'a' => simple('\u{7}'),
        'b' => simple('\u{8}'),
        'f' => simple('\u{c}'),
        'n' => simple('\n'),
        'r' => simple('\r'),
        't' => simple('\t'),
        'v' => simple('\u{b}'),
        '\\' => simple('\\'),
        '\'' | '"' if escape == quote => simple(escape),
        'x' => {
            let (value, tail) = hex_digits(rest, 2)?;
            Some((Unit::Byte(value as u8), tail))
        }
        'u' | 'U' => {
            let (value, tail) = hex_digits(rest, if escape == 'u' { 4 } else { 8 })?;
            Some((Unit::Char(char::from_u32(value)?), tail))
        }
        '0'..='7' => {
            let digits = rest.get(..2)?;
            let mut value = escape.to_digit(8)?;
            for d in digits.chars() {
                value = value * 8 + d.to_digit(8)?;
            }
            Some((Unit::Byte(u8::try_from(value).ok()?), &rest[2..]))
        }
        _ => None,
    }
}

fn hex_digits(s: &str, n: usize) -> Option<(u32, &str)> {
    let digits = s.get(..n)?;
    let value = digits
        .chars()
        .try_fold(0u32, |v, d| Some(v * 16 + d.to_digit(16)?))?;
    Some((value, &s[n..]))
}

/// Go's `parse.newNumber`: converts a `Number`, `CharConstant` or `Complex` token into
/// every representation it fits (`1` is an int, a uint and a float; `1e3` too).
pub(crate) fn number(pos: Pos, kind: Kind, text: &str) -> Result<NumberNode, String> {
    let mut n = NumberNode {
        pos,
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int64: 0,
        uint64: 0,
        float64: 0.0,
        complex128: (0.0, 0.0),
        text: Str::from(text),
    };
    match kind {
        Kind::CharConstant => char_number(&mut n, text)?,
        Kind::Complex => {
            // Go hands complex literals to fmt.Sscan, whose error this is.
            let value = parse_complex(text)
                .ok_or_else(|| "syntax error scanning complex number".to_string())?;
            set_complex(&mut n, value);
        }
        _ => real_number(&mut n, text)?,
    }
    Ok(n)
}

fn illegal_number(text: &str) -> String {
    format!("illegal number syntax: {}", quote(text))
}

/// A character constant has its code as int, uint and float value.
fn char_number(n: &mut NumberNode, text: &str) -> Result<(), String> {
    let body = text.strip_prefix('\'').unwrap_or(text);
    let (unit, tail) = unquote_char(body, '\'').ok_or_else(|| INVALID_SYNTAX.to_string())?;
    if tail != "'" {
        return Err(format!("malformed character constant: {text}"));
    }
    let value = unit.value();
    (n.is_int, n.int64) = (true, i64::from(value));
    (n.is_uint, n.uint64) = (true, u64::from(value));
    (n.is_float, n.float64) = (true, f64::from(value));
    Ok(())
}

fn real_number(n: &mut NumberNode, text: &str) -> Result<(), String> {
    // An imaginary constant is complex, and also real when it is zero.
    if let Some(imaginary) = text.strip_suffix('i').and_then(parse_float) {
        set_complex(n, (0.0, imaginary));
        return Ok(());
    }
    // Integer syntax first, so that 0x123 is an integer.
    let unsigned = parse_uint(text);
    if let Some(u) = unsigned {
        (n.is_uint, n.uint64) = (true, u);
    }
    if let Some(i) = parse_int(text) {
        (n.is_int, n.int64) = (true, i);
        if i == 0 {
            // -0 is a uint too.
            (n.is_uint, n.uint64) = (true, unsigned.unwrap_or(0));
        }
    }
    if n.is_int {
        (n.is_float, n.float64) = (true, n.int64 as f64);
    } else if n.is_uint {
        (n.is_float, n.float64) = (true, n.uint64 as f64);
    } else if let Some(f) = parse_float(text) {
        // Integer syntax that only parses as a float is too large for any integer.
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!("integer overflow: {}", quote(text)));
        }
        (n.is_float, n.float64) = (true, f);
        set_integral(n, f);
    }
    if !(n.is_int || n.is_uint || n.is_float) {
        return Err(illegal_number(text));
    }
    Ok(())
}

/// Go's `simplifyComplex`: a complex number with no imaginary part is also a float, and
/// maybe an integer.
fn set_complex(n: &mut NumberNode, value: (f64, f64)) {
    n.is_complex = true;
    n.complex128 = value;
    if value.1 == 0.0 {
        (n.is_float, n.float64) = (true, value.0);
        set_integral(n, value.0);
    }
}

/// Records the int and uint values of a float that has them. Go tests `float64(int64(f))
/// == f`, which on amd64 (where Helm runs) means: integral and within range.
fn set_integral(n: &mut NumberNode, f: f64) {
    const TWO_63: f64 = 9_223_372_036_854_775_808.0;
    if f.fract() == 0.0 && (-TWO_63..TWO_63).contains(&f) && !n.is_int {
        (n.is_int, n.int64) = (true, f as i64);
    }
    if f.fract() == 0.0 && (0.0..2.0 * TWO_63).contains(&f) && !n.is_uint {
        (n.is_uint, n.uint64) = (true, f as u64);
    }
}

/// `re+imi` or `re-imi`, as `fmt.Sscan` reads a complex128; the lexer guarantees that
/// shape. The imaginary part starts at the last sign not inside an exponent.
fn parse_complex(text: &str) -> Option<(f64, f64)> {
    let bytes = text.as_bytes();
    let split = (1..bytes.len()).rev().find(|&i| {
        matches!(bytes[i], b'+' | b'-') && !matches!(bytes[i - 1], b'e' | b'E' | b'p' | b'P')
    })?;
    let imaginary = text[split..].strip_suffix('i')?;
    Some((parse_float(&text[..split])?, parse_float(imaginary)?))
}

/// Go's `strconv.ParseUint(s, 0, 64)`: base prefixes, a leading `0` for octal, and
/// underscores between digits.
fn parse_uint(s: &str) -> Option<u64> {
    if !underscores_ok(s) {
        return None;
    }
    let (radix, digits) = match s.as_bytes() {
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'x') => (16, &s[2..]),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'o') => (8, &s[2..]),
        [b'0', p, _, ..] if p.eq_ignore_ascii_case(&b'b') => (2, &s[2..]),
        [b'0', ..] => (8, &s[1..]),
        [] => return None,
        _ => (10, s),
    };
    digits
        .chars()
        .filter(|&c| c != '_')
        .try_fold(0u64, |value, c| {
            value
                .checked_mul(radix)?
                .checked_add(u64::from(c.to_digit(radix as u32)?))
        })
}

/// Go's `strconv.ParseInt(s, 0, 64)`: an optional sign, then `ParseUint` syntax.
fn parse_int(s: &str) -> Option<i64> {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    let magnitude = i128::from(parse_uint(digits)?);
    i64::try_from(if negative { -magnitude } else { magnitude }).ok()
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal or hexadecimal (`0x1.8p3`) floats with
/// underscores between digits; out-of-range values are errors.
fn parse_float(s: &str) -> Option<f64> {
    if !underscores_ok(s) {
        return None;
    }
    let clean: String = s.chars().filter(|&c| c != '_').collect();
    let (negative, body) = match clean.as_bytes().first() {
        Some(b'-') => (true, &clean[1..]),
        Some(b'+') => (false, &clean[1..]),
        _ => (false, clean.as_str()),
    };
    let magnitude = match body.get(..2) {
        Some("0x" | "0X") => parse_hex_float(&body[2..])?,
        _ => parse_decimal_float(body)?,
    };
    magnitude
        .is_finite()
        .then_some(if negative { -magnitude } else { magnitude })
}

/// `digits[.digits][e[sign]digits]`, with a digit somewhere in the mantissa.
fn parse_decimal_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(e) => (&s[..e], Some(&s[e + 1..])),
        None => (s, None),
    };
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits_ok = |d: &str| d.bytes().all(|b| b.is_ascii_digit());
    let mantissa_ok = digits_ok(int_part)
        && digits_ok(frac_part)
        && !(int_part.is_empty() && frac_part.is_empty());
    let exponent_ok = exponent.map_or(true, |e| {
        let digits = e.strip_prefix(['+', '-']).unwrap_or(e);
        !digits.is_empty() && digits_ok(digits)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    s.parse().ok()
}

/// The part after `0x` of a hex float: hex digits with an optional point, then the
/// mandatory binary exponent `p[sign]digits`.
fn parse_hex_float(s: &str) -> Option<f64> {
    let (mantissa, exponent) = s.split_once(['p', 'P'])?;
    let (int_part, frac_part) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let exponent_digits = exponent.strip_prefix(['+', '-']).unwrap_or(exponent);
    if int_part.is_empty() && frac_part.is_empty()
        || exponent_digits.is_empty()
        || !exponent_digits.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let exponent: i64 = exponent.parse().unwrap_or(if exponent.starts_with('-') {
        i64::MIN / 2
    } else {
        i64::MAX / 2
    });
    // Keep 60 significant bits; anything below only matters as a sticky bit for rounding.
    let (mut bits, mut scale, mut sticky) = (0u64, 0i64, false);
    for (i, c) in int_part.chars().chain(frac_part.chars()).enumerate() {
        let digit = u64::from(c.to_digit(16)?);
        if bits >> 56 == 0 {
            bits = bits << 4 | digit;
            if i >= int_part.len() {
                scale -= 4;
            }
        } else {
            sticky |= digit != 0;
            if i < int_part.len() {
                scale += 4;
            }
        }
    }
    let value = (bits | u64::from(sticky)) as f64;
    Some(scale_by_power_of_two(value, exponent.saturating_add(scale)))
}

/// `value * 2^exponent`, in steps that keep intermediate results representable.
fn scale_by_power_of_two(mut value: f64, mut exponent: i64) -> f64 {
    while exponent > 0 && value.is_finite() && value != 0.0 {
        let step = exponent.min(1000);
        value *= 2f64.powi(step as i32);
        exponent -= step;
    }
    while exponent < 0 && value != 0.0 {
        let step = exponent.max(-1000);
        value *= 2f64.powi(step as i32);
        exponent -= step;
    }
    value
}

/// Go's `underscoreOK`: an underscore must sit between digits, or between a base prefix
/// and a digit.
fn underscores_ok(s: &str) -> bool {
    let s = s.strip_prefix(['+', '-']).unwrap_or(s);
    let bytes = s.as_bytes();
    let (mut i, mut saw, mut hex) = (0, b'^', false);
    if bytes.len() >= 2
        && bytes[0] == b'0'
        && matches!(bytes[1].to_ascii_lowercase(), b'b' | b'o' | b'x')
    {
        (i, saw, hex) = (2, b'0', bytes[1].eq_ignore_ascii_case(&b'x'));
    }
    for &b in &bytes[i..] {
        if b.is_ascii_digit() || hex && b.is_ascii_hexdigit() {
            saw = b'0';
        } else if b == b'_' {
            if saw != b'0' {
                return false;
            }
            saw = b'_';
        } else if saw == b'_' {
            return false;
        } else {
            saw = b'!';
        }
    }
    saw != b'_'
}
