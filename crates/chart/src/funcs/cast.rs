//! Conversions Sprig applies to loosely typed arguments: `strval`, and spf13/cast's
//! `ToInt`/`ToInt64`/`ToFloat64`, which never fail (anything unconvertible is 0).

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
        Value::Object(_) | Value::Func(_) => false,
        other => !other.is_true(),
    }
}

/// spf13/cast's `ToInt64`: integers and floats (truncated), booleans as 0/1, strings in
/// Go's base-prefixed integer syntax (a trailing `.0…` is tolerated); anything else is 0.
///
/// ```
/// use helmpilot_chart::funcs::cast::to_int64;
/// use helmpilot_template::Value;
/// assert_eq!(to_int64(&Value::from("0x10")), 16);
/// assert_eq!(to_int64(&Value::Float(1.9)), 1);
/// ```
pub fn to_int64(v: &Value) -> i64 {
    match v {
        Value::Int(n, _) => *n,
        Value::Uint(n, _) => *n as i64,
        // Go converts out-of-range floats to the minimum integer; `as` saturates instead,
        // which differs only for values no chart uses as an index or count.
        Value::Float(f) => *f as i64,
        Value::Bool(b) => i64::from(*b),
        Value::String(s) => parse_go_int(trim_zero_decimal(s)).unwrap_or(0),
        _ => 0,
    }
}

/// cast drops a fractional part made only of zeros before parsing ("1.00" is 1).
fn trim_zero_decimal(s: &str) -> &str {
    match s.split_once('.') {
        Some((whole, frac)) if !whole.is_empty() && frac.bytes().all(|b| b == b'0') => whole,
        _ => s,
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)`: optional sign, `0x`/`0o`/`0b`/leading-`0` bases,
/// underscores only between digits after a base prefix.
fn parse_go_int(s: &str) -> Option<i64> {
    let (negative, body) = match s.as_bytes().first()? {
        b'-' => (true, &s[1..]),
        b'+' => (false, &s[1..]),
        _ => (false, s),
    };
    let lower = body.to_ascii_lowercase();
    let (radix, digits, prefixed) = if let Some(d) = lower.strip_prefix("0x") {
        (16, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0o") {
        (8, d.to_string(), true)
    } else if let Some(d) = lower.strip_prefix("0b") {
        (2, d.to_string(), true)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (8, lower[1..].to_string(), true)
    } else {
        (10, lower.clone(), false)
    };
    if digits.is_empty() || (!prefixed && digits.contains('_')) || !underscores_ok(&digits) {
        return None;
    }
    let magnitude = u64::from_str_radix(&digits.replace('_', ""), radix).ok()?;
    if negative {
        0i64.checked_sub_unsigned(magnitude)
    } else {
        i64::try_from(magnitude).ok()
    }
}

fn underscores_ok(digits: &str) -> bool {
    !digits.starts_with('_') && !digits.ends_with('_') && !digits.contains("__")
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
            (Value::from("0b101"), 5),
            (Value::from("1.00"), 1),
            (Value::from("1.5"), 0),
            (Value::from("abc"), 0),
            (Value::from(""), 0),
            (Value::Float(-2.9), -2),
            (Value::Bool(true), 1),
            (Value::Nil, 0),
        ];
        for (value, expected) in cases {
            assert_eq!(to_int64(&value), expected, "{value:?}");
        }
    }
}
