//! Conversions Sprig applies to loosely typed arguments: `strval`, and spf13/cast's
//! `ToInt`/`ToInt64`/`ToFloat64` (cast v1.7.0, the version Helm v4.2.3 builds with),
//! which never fail: anything unconvertible is 0.
//!
//! Also Go's `strconv.ParseInt` and `strconv.ParseFloat`, which those conversions (and
//! `atoi`, `toDecimal`) parse strings with: base prefixes, `_` digit separators, hex
//! floats, `Inf`/`NaN`, and the clamped value Go returns on a range error.
//!
//! Go quirks reproduced here:
//! - a float converted to an integer is truncated, and NaN or a float out of the int64
//!   range becomes `-9223372036854775808` (what Go's conversion gives on amd64, the
//!   platform Helm is released for first);
//! - cast drops a fractional part of zeros before parsing an integer (`"1.00"` is 1), but
//!   `"1."` or `"1.5"` are not integers (0);
//! - a float string that overflows (`"1e400"`) is a range error in Go, so cast gives 0.

use helmpilot_template::{gofmt, Value};

/// Sprig's `strval`: strings as they are, byte slices as text, anything else as `%v`.
///
/// ```
/// use helmpilot_chart::funcs::cast::strval;
/// use helmpilot_template::Value;
/// assert_eq!(strval(&Value::Float(1e6)), "1e+06");
/// assert_eq!(strval(&Value::from("x")), "x");
/// ```
pub fn strval(v: &Value) -> String {
    match v {
        Value::String(s) => s.to_string(),
        Value::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
        other => gofmt::sprint(std::slice::from_ref(other)),
    }
}

/// A `string` argument: the engine has checked the Go signature, so it holds a string.
pub(crate) fn str_arg(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

/// An `int` argument: the engine has checked the Go signature, so it holds an integer.
pub(crate) fn int_arg(v: &Value) -> i64 {
    match v {
        Value::Int(n, _) => *n,
        _ => 0,
    }
}

/// Sprig's `empty`: nil, false, zero numbers and empty strings, lists and maps. Structs
/// (host objects) and functions are never empty.
///
/// ```
/// use helmpilot_chart::funcs::cast::is_empty;
/// use helmpilot_template::Value;
/// assert!(is_empty(&Value::Float(0.0)) && !is_empty(&Value::from("x")));
/// ```
pub fn is_empty(v: &Value) -> bool {
    match v {
        Value::Nil => true,
        // A host map type (`.Files`) is empty like a map; structs never are.
        Value::Object(o) if o.map_entries().is_some() => !v.is_true(),
        Value::Object(_) | Value::Func(_) => false,
        other => !other.is_true(),
    }
}

/// spf13/cast's `ToInt64`: integers (unsigned ones wrap around as in Go), floats
/// truncated ([`float_to_int64`]), booleans as 0/1, strings in Go's integer syntax with
/// base prefixes (`0x1f`, `0o17`, `017`, `0b101`, `1_000`; a trailing `.0…` is
/// tolerated); anything else is 0.
///
/// ```
/// use helmpilot_chart::funcs::cast::to_int64;
/// use helmpilot_template::Value;
/// assert_eq!(to_int64(&Value::from("0x10")), 16);
/// assert_eq!(to_int64(&Value::from("1.00")), 1);
/// assert_eq!(to_int64(&Value::Float(1.9)), 1);
/// ```
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(n, _) => *n,
        Value::Uint(n, _) => *n as i64,
        Value::Float(f) => float_to_int64(*f),
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_int(trim_zero_decimal(s), 0).unwrap_or(0),
        _ => 0,
    }
}

/// spf13/cast's `ToInt`, which converts exactly like [`to_int64`]: Go's `int` is 64 bits
/// wide on every platform Helm ships for. Callers wrap the result as a Go `int`
/// (`Value::int`) rather than an `int64`, which is what `printf "%T"` tells apart.
///
/// ```
/// use helmpilot_chart::funcs::cast::to_int;
/// use helmpilot_template::Value;
/// assert_eq!(to_int(&Value::from("-0b11")), -3);
/// assert_eq!(to_int(&Value::Nil), 0);
/// ```
pub fn to_int(v: &Value) -> i64 {
    to_int64(v)
}

/// spf13/cast's `ToFloat64`: numbers as float64, booleans as 0/1, strings parsed by
/// [`parse_float`] (so `"1e3"`, `"0x1p4"`, `"Inf"` and `"NaN"` work, and an overflowing
/// `"1e400"` is 0); anything else is 0.
///
/// ```
/// use helmpilot_chart::funcs::cast::to_float64;
/// use helmpilot_template::Value;
/// assert_eq!(to_float64(&Value::from("2.5")), 2.5);
/// assert_eq!(to_float64(&Value::from("1e400")), 0.0);
/// assert_eq!(to_float64(&Value::Bool(true)), 1.0);
/// ```
pub fn to_float64(v: &Value) -> f64 {
    match v {
        Value::Int(n, _) => *n as f64,
        Value::Uint(n, _) => *n as f64,
        Value::Float(f) => *f,
        Value::Bool(b) => f64::from(u8::from(*b)),
        Value::String(s) => parse_float(s).unwrap_or(0.0),
        _ => 0.0,
    }
}

/// Go's `int64(f)` as amd64 computes it: truncation toward zero, and the "integer
/// indefinite" value `-9223372036854775808` for NaN and anything outside the int64 range
/// (Rust's `as` saturates instead, and makes NaN 0).
///
/// ```
/// use helmpilot_chart::funcs::cast::float_to_int64;
/// assert_eq!(float_to_int64(-2.9), -2);
/// assert_eq!(float_to_int64(1e19), i64::MIN);
/// assert_eq!(float_to_int64(f64::NAN), i64::MIN);
/// ```
pub fn float_to_int64(f: f64) -> i64 {
    // 2^63 is exactly representable; every float below it (and at or above -2^63)
    // truncates into range.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f.is_nan() || !(-LIMIT..LIMIT).contains(&f) {
        i64::MIN
    } else {
        f as i64
    }
}

/// Why Go's `strconv` rejected a number, as its `NumError.Err` says.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum NumError {
    /// `strconv.ErrSyntax`: not a number in the expected syntax.
    Syntax,
    /// `strconv.ErrRange`: a well-formed integer out of range. Go still returns the
    /// nearest representable value, which `strconv.Atoi` users get.
    RangeInt(i64),
    /// `strconv.ErrRange` from `ParseFloat`: Go returns ±Inf.
    RangeFloat(f64),
}

/// Go's `strconv.ParseInt(s, base, 64)`. With `base` 0 the base comes from the prefix
/// (`0x`, `0o`, `0b`, or a bare leading `0` for octal) and `_` may separate digits as in
/// Go literals; with an explicit base neither is allowed.
///
/// ```
/// use helmpilot_chart::funcs::cast::{parse_int, NumError};
/// assert_eq!(parse_int("-0x_1F", 0), Ok(-31));
/// assert_eq!(parse_int("0_17", 0), Ok(15));
/// assert_eq!(parse_int("1_000", 10), Err(NumError::Syntax));
/// assert_eq!(parse_int("99999999999999999999", 10), Err(NumError::RangeInt(i64::MAX)));
/// ```
pub fn parse_int(s: &str, base: u32) -> Result<i64, NumError> {
    let (negative, unsigned) = match s.as_bytes().first() {
        None => return Err(NumError::Syntax),
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        Some(_) => (false, s),
    };
    // On overflow Go's ParseUint reports the largest uint64, which the signed range
    // check below then clamps.
    let magnitude = match parse_uint(unsigned, base) {
        Ok(n) => n,
        Err(NumError::RangeInt(_)) => u64::MAX,
        Err(e) => return Err(e),
    };
    const CUTOFF: u64 = 1 << 63;
    if negative {
        if magnitude > CUTOFF {
            Err(NumError::RangeInt(i64::MIN))
        } else {
            Ok(0i64.wrapping_sub_unsigned(magnitude))
        }
    } else if magnitude >= CUTOFF {
        Err(NumError::RangeInt(i64::MAX))
    } else {
        Ok(magnitude as i64)
    }
}

/// Go's `strconv.ParseUint(s, base, 64)` (no sign). Go reports overflow as soon as the
/// digits read so far overflow, before looking at the rest, so `"99999999999999999999x"`
/// is a range error rather than a syntax error: we follow it.
fn parse_uint(s: &str, base: u32) -> Result<u64, NumError> {
    if s.is_empty() {
        return Err(NumError::Syntax);
    }
    let auto = base == 0;
    let bytes = s.as_bytes();
    let (base, digits) = if !auto {
        (base, bytes)
    } else if bytes[0] != b'0' {
        (10, bytes)
    } else {
        match bytes.get(1).map(u8::to_ascii_lowercase) {
            Some(b'b') if bytes.len() >= 3 => (2, &bytes[2..]),
            Some(b'o') if bytes.len() >= 3 => (8, &bytes[2..]),
            Some(b'x') if bytes.len() >= 3 => (16, &bytes[2..]),
            _ => (8, &bytes[1..]),
        }
    };
    let mut n: u64 = 0;
    let mut underscores = false;
    for &c in digits {
        let digit = match c {
            b'_' if auto => {
                underscores = true;
                continue;
            }
            b'0'..=b'9' => u32::from(c - b'0'),
            b'a'..=b'z' | b'A'..=b'Z' => u32::from(c.to_ascii_lowercase() - b'a') + 10,
            _ => return Err(NumError::Syntax),
        };
        if digit >= base {
            return Err(NumError::Syntax);
        }
        n = n
            .checked_mul(u64::from(base))
            .and_then(|n| n.checked_add(u64::from(digit)))
            .ok_or(NumError::RangeInt(0))?;
    }
    if underscores && !underscores_ok(s) {
        return Err(NumError::Syntax);
    }
    Ok(n)
}

/// Go's rule for `_` in number literals (strconv's `underscoreOK`): each underscore sits
/// between two digits, or between a base prefix and a digit.
fn underscores_ok(s: &str) -> bool {
    #[derive(PartialEq)]
    enum Saw {
        Start,
        Digit,
        Underscore,
        Other,
    }
    let mut bytes = s.as_bytes();
    if let Some(b'+' | b'-') = bytes.first() {
        bytes = &bytes[1..];
    }
    let mut saw = Saw::Start;
    let mut hex = false;
    if bytes.len() >= 2
        && bytes[0] == b'0'
        && matches!(bytes[1].to_ascii_lowercase(), b'b' | b'o' | b'x')
    {
        hex = bytes[1].eq_ignore_ascii_case(&b'x');
        saw = Saw::Digit;
        bytes = &bytes[2..];
    }
    for &c in bytes {
        if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) {
            saw = Saw::Digit;
        } else if c == b'_' {
            if saw != Saw::Digit {
                return false;
            }
            saw = Saw::Underscore;
        } else if saw == Saw::Underscore {
            return false;
        } else {
            saw = Saw::Other;
        }
    }
    saw != Saw::Underscore
}

/// Go's `strconv.ParseFloat(s, 64)`: decimal and hexadecimal (`0x1.8p3`) floats with
/// optional `_` separators, and `Inf`/`Infinity`/`NaN` in any case (a sign on the
/// infinities only). A value too large for a float64 is a range error, as in Go.
///
/// ```
/// use helmpilot_chart::funcs::cast::{parse_float, NumError};
/// assert_eq!(parse_float("1_000.5"), Ok(1000.5));
/// assert_eq!(parse_float("0x1.8p1"), Ok(3.0));
/// assert_eq!(parse_float("-inf"), Ok(f64::NEG_INFINITY));
/// assert_eq!(parse_float("1e400"), Err(NumError::RangeFloat(f64::INFINITY)));
/// assert_eq!(parse_float("1e"), Err(NumError::Syntax));
/// ```
pub fn parse_float(s: &str) -> Result<f64, NumError> {
    if let Some(special) = parse_special_float(s) {
        return Ok(special);
    }
    let bytes = s.as_bytes();
    let (negative, rest) = match bytes.first() {
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        _ => (false, bytes),
    };
    let hex = rest.len() > 2 && rest[0] == b'0' && rest[1].eq_ignore_ascii_case(&b'x');
    let parts = split_float(if hex { &rest[2..] } else { rest }, hex).ok_or(NumError::Syntax)?;
    if parts.underscores && !underscores_ok(s) {
        return Err(NumError::Syntax);
    }
    let magnitude = if hex {
        hex_float(&parts)
    } else {
        // The syntax is checked; what is left (without underscores) is a decimal float
        // Rust's correctly rounded parser reads the same way Go's does.
        let text: String = s.chars().filter(|&c| c != '_').collect();
        text.parse::<f64>().map_err(|_| NumError::Syntax)?.abs()
    };
    let value = if negative { -magnitude } else { magnitude };
    if value.is_infinite() {
        Err(NumError::RangeFloat(value))
    } else {
        Ok(value)
    }
}

/// `Inf`, `+Inf`, `-Infinity`, `NaN` (any case; NaN takes no sign), as Go's `special`.
fn parse_special_float(s: &str) -> Option<f64> {
    let (sign, body) = match s.as_bytes().first()? {
        b'+' => (1.0, &s[1..]),
        b'-' => (-1.0, &s[1..]),
        _ => (1.0, s),
    };
    if body.eq_ignore_ascii_case("inf") || body.eq_ignore_ascii_case("infinity") {
        return Some(sign * f64::INFINITY);
    }
    (s.eq_ignore_ascii_case("nan")).then_some(f64::NAN)
}

/// The pieces of a float literal after its sign and `0x` prefix.
struct FloatParts {
    /// Mantissa digits, without the point and underscores.
    digits: Vec<u8>,
    /// How many of `digits` come after the point.
    fraction_digits: usize,
    /// The exponent after `e`/`p` (0 if none), saturated far beyond any float's range.
    exponent: i64,
    underscores: bool,
}

/// Checks Go's float syntax (`readFloat`): digits with at most one point and at least one
/// digit, then an exponent (`e` for decimal, mandatory `p` for hex) whose first
/// character after an optional sign is a digit. Underscores are only collected here.
fn split_float(text: &[u8], hex: bool) -> Option<FloatParts> {
    let mut parts = FloatParts {
        digits: Vec::new(),
        fraction_digits: 0,
        exponent: 0,
        underscores: false,
    };
    let mut i = 0;
    let mut saw_point = false;
    let mut saw_digits = false;
    while let Some(&c) = text.get(i) {
        match c {
            b'_' => parts.underscores = true,
            b'.' if !saw_point => saw_point = true,
            c if c.is_ascii_digit() || (hex && c.is_ascii_hexdigit()) => {
                saw_digits = true;
                parts.digits.push(c);
                if saw_point {
                    parts.fraction_digits += 1;
                }
            }
            _ => break,
        }
        i += 1;
    }
    if !saw_digits {
        return None;
    }
    let exponent_char = if hex { b'p' } else { b'e' };
    match text.get(i) {
        None if hex => return None,
        None => return Some(parts),
        Some(c) if c.to_ascii_lowercase() != exponent_char => return None,
        Some(_) => i += 1,
    }
    let mut negative = false;
    if let Some(&sign @ (b'+' | b'-')) = text.get(i) {
        negative = sign == b'-';
        i += 1;
    }
    if !text.get(i).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let mut exponent: i64 = 0;
    for &c in &text[i..] {
        match c {
            b'_' => parts.underscores = true,
            b'0'..=b'9' => {
                // Go stops growing the exponent at 10000; anything that large already
                // means 0 or infinity.
                if exponent < 100_000 {
                    exponent = exponent * 10 + i64::from(c - b'0');
                }
            }
            _ => return None,
        }
    }
    parts.exponent = if negative { -exponent } else { exponent };
    Some(parts)
}

/// The value of a hex float's mantissa times two to its exponent, correctly rounded
/// (ties to even, subnormals included).
fn hex_float(parts: &FloatParts) -> f64 {
    let mut mantissa: u64 = 0;
    let mut exponent = parts.exponent - 4 * parts.fraction_digits as i64;
    // Digits beyond 64 bits only matter as a "sticky" bit for rounding.
    let mut sticky = false;
    for &c in &parts.digits {
        let digit = u64::from((c as char).to_digit(16).unwrap_or(0));
        if mantissa >> 60 == 0 {
            mantissa = mantissa << 4 | digit;
        } else {
            sticky |= digit != 0;
            exponent += 4;
        }
    }
    round_binary(mantissa, exponent, sticky)
}

/// `mantissa * 2^exponent` (plus a little more if `sticky`) rounded to the nearest
/// float64, ties to even.
fn round_binary(mut mantissa: u64, mut exponent: i64, sticky: bool) -> f64 {
    if mantissa == 0 {
        return 0.0;
    }
    let shift = mantissa.leading_zeros();
    mantissa <<= shift;
    exponent -= i64::from(shift);
    // Now the value is mantissa * 2^exponent with the top bit of mantissa set, so its
    // binary exponent (as in 1.xxx * 2^e) is exponent + 63.
    let top = exponent + 63;
    if top > 1023 {
        return f64::INFINITY;
    }
    // Keep 53 bits for normal numbers, fewer for subnormals.
    let drop = 11 + (-1022 - top).max(0);
    if drop > 64 {
        return 0.0;
    }
    let (kept, rest_high, rest_nonzero) = if drop == 64 {
        (0, mantissa >> 63 == 1, mantissa << 1 != 0)
    } else {
        let rest = mantissa & ((1u64 << drop) - 1);
        let half = 1u64 << (drop - 1);
        (mantissa >> drop, rest >= half, rest & (half - 1) != 0)
    };
    let round_up = rest_high && (rest_nonzero || sticky || kept & 1 == 1);
    let kept = kept + u64::from(round_up);
    // kept * 2^(exponent + drop) is exact in a float64; scale in two steps so that no
    // intermediate power of two underflows.
    let scale = exponent + drop;
    let value = kept as f64 * pow2(scale.max(-1022));
    value * pow2((scale + 1022).min(0))
}

/// 2^e for -1022 <= e <= 1023.
fn pow2(e: i64) -> f64 {
    f64::from_bits(((e + 1023) as u64) << 52)
}

/// cast's `trimZeroDecimal`: `"12.000"` → `"12"`. Only a point followed by at least one
/// zero and nothing else goes (`"1."` stays, and fails to parse).
fn trim_zero_decimal(s: &str) -> &str {
    let body = s.trim_end_matches('0');
    match body.strip_suffix('.') {
        Some(whole) if body.len() < s.len() => whole,
        _ => s,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ints_from_loose_values() {
        let cases = [
            (Value::from("12"), 12),
            (Value::from("-7"), -7),
            (Value::from("0x1f"), 31),
            (Value::from("017"), 15),
            (Value::from("0_17"), 15),
            (Value::from("0b101"), 5),
            (Value::from("1_000"), 1000),
            (Value::from("1__0"), 0),
            (Value::from("0x_1"), 1),
            (Value::from("0x_"), 0),
            (Value::from("1.00"), 1),
            (Value::from("0x1.0"), 1),
            (Value::from("1."), 0),
            (Value::from(".0"), 0),
            (Value::from("1.5"), 0),
            (Value::from("abc"), 0),
            (Value::from(""), 0),
            (Value::from("0"), 0),
            (Value::from("0x"), 0),
            (Value::from("9223372036854775808"), 0),
            (Value::from("-9223372036854775808"), i64::MIN),
            (Value::Float(-2.9), -2),
            (Value::Float(-9.3e18), i64::MIN),
            (Value::Bool(true), 1),
            (Value::Nil, 0),
        ];
        for (value, expected) in cases {
            assert_eq!(to_int64(&value), expected, "{value:?}");
        }
    }

    #[test]
    fn go_parse_int_errors() {
        assert_eq!(parse_int("+", 0), Err(NumError::Syntax));
        assert_eq!(parse_int("-", 10), Err(NumError::Syntax));
        assert_eq!(parse_int("08", 0), Err(NumError::Syntax));
        assert_eq!(parse_int("0x", 0), Err(NumError::Syntax));
        assert_eq!(parse_int("777", 8), Ok(511));
        assert_eq!(parse_int("0777", 8), Ok(511));
        assert_eq!(parse_int("0o777", 8), Err(NumError::Syntax));
        assert_eq!(
            parse_int("-99999999999999999999x", 10),
            Err(NumError::RangeInt(i64::MIN))
        );
        assert_eq!(
            parse_int("9223372036854775808", 10),
            Err(NumError::RangeInt(i64::MAX))
        );
    }

    #[test]
    fn go_parse_float() {
        let ok = [
            ("1", 1.0),
            ("+.5", 0.5),
            ("5.", 5.0),
            ("1e3", 1000.0),
            ("1E+3", 1000.0),
            ("1_0.0_1", 10.01),
            ("1e1_0", 1e10),
            ("0x1p4", 16.0),
            ("0X.8P1", 1.0),
            ("0x_1p0", 1.0),
            ("-0x1.fffffffffffffp1023", -f64::MAX),
            ("0x1p-1074", 5e-324),
            ("0x1p-1075", 0.0),
            ("0x1.8p-1074", 1e-323),
            ("0x1p-1076", 0.0),
            (
                "0x10000000000000000000001p-1",
                154742504910672534362390528.0,
            ),
            // Ties go to even; digits beyond 64 bits still break a tie.
            ("0x1.00000000000008p0", 1.0),
            ("0x1.000000000000080000001p0", 1.0000000000000002),
            ("0x1.00000000000018p0", 1.0000000000000004),
            ("1e-400", 0.0),
            ("Infinity", f64::INFINITY),
            ("-INF", f64::NEG_INFINITY),
        ];
        for (text, expected) in ok {
            assert_eq!(parse_float(text), Ok(expected), "{text}");
        }
        for bad in [
            "", ".", "e1", "1e", "1e+", "1e_1", "1_", "_1", "1__0", "0x1", "0x", "0x1.8", "1.2.3",
            " 1", "1 ", "+nan", "-NaN", "infin", "1p4", "0x1e4",
        ] {
            assert_eq!(parse_float(bad), Err(NumError::Syntax), "{bad:?}");
        }
        assert!(parse_float("nan").is_ok_and(f64::is_nan));
        assert_eq!(
            parse_float("-1e309"),
            Err(NumError::RangeFloat(f64::NEG_INFINITY))
        );
        assert_eq!(
            parse_float("0x1p1024"),
            Err(NumError::RangeFloat(f64::INFINITY))
        );
    }

    #[test]
    fn floats_to_ints_like_amd64() {
        assert_eq!(float_to_int64(9.2e18), 9_200_000_000_000_000_000);
        assert_eq!(float_to_int64(-9_223_372_036_854_775_808.0), i64::MIN);
        assert_eq!(float_to_int64(9_223_372_036_854_775_808.0), i64::MIN);
        assert_eq!(float_to_int64(f64::INFINITY), i64::MIN);
        assert_eq!(float_to_int64(-0.5), 0);
    }
}
