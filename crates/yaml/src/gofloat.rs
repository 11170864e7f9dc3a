//! The few ways Go formats floats that YAML and JSON output depend on: `strconv`'s
//! shortest `'g'` (go-yaml's floats, sigs.k8s.io/yaml's float keys) and
//! `encoding/json`'s number format.
//!
//! Digits come from Rust's `{:e}`, which yields the shortest digits that read back as
//! the same float, as Go's shortest formatting does.

/// The shortest decimal digits of `x` (finite, non-zero magnitude allowed to be zero) and
/// the position of the decimal point: `x = 0.DIGITS * 10^point`.
fn shortest(x: f64, bits32: bool) -> (String, i32) {
    let text = if bits32 {
        format!("{:e}", (x as f32).abs())
    } else {
        format!("{:e}", x.abs())
    };
    let (mantissa, exp) = text.split_once('e').unwrap_or((&text, "0"));
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let exp: i32 = exp.parse().unwrap_or(0);
    if digits.bytes().all(|b| b == b'0') {
        return ("0".to_string(), 1);
    }
    (digits, exp + 1)
}

fn special(x: f64) -> Option<&'static str> {
    if x.is_nan() {
        Some("NaN")
    } else if x.is_infinite() {
        Some(if x > 0.0 { "+Inf" } else { "-Inf" })
    } else {
        None
    }
}

/// Go's `%e` layout of shortest digits: `d.ddde±XX`.
fn layout_e(neg: bool, digits: &str, point: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    out.push_str(&digits[..1]);
    if digits.len() > 1 {
        out.push('.');
        out.push_str(&digits[1..]);
    }
    let exp = if digits == "0" { 0 } else { point - 1 };
    out.push('e');
    out.push(if exp < 0 { '-' } else { '+' });
    let abs = exp.unsigned_abs();
    if abs < 10 {
        out.push('0');
    }
    out.push_str(&abs.to_string());
    out
}

/// Go's `%f` layout of shortest digits.
fn layout_f(neg: bool, digits: &str, point: i32) -> String {
    let mut out = String::new();
    if neg {
        out.push('-');
    }
    let nd = digits.len() as i32;
    if point <= 0 {
        out.push('0');
    } else {
        for i in 0..point {
            out.push(if i < nd {
                digits.as_bytes()[i as usize] as char
            } else {
                '0'
            });
        }
    }
    if nd > point {
        out.push('.');
        for i in point..nd {
            out.push(if i < 0 {
                '0'
            } else {
                digits.as_bytes()[i as usize] as char
            });
        }
    }
    out
}

/// `strconv.FormatFloat(x, 'g', -1, bits)`: `1e+06`, `1.5`, `NaN`, `+Inf`.
///
/// ```
/// assert_eq!(helmpilot_yaml::format_float_g(1e6, false), "1e+06");
/// assert_eq!(helmpilot_yaml::format_float_g(123456.0, false), "123456");
/// assert_eq!(helmpilot_yaml::format_float_g(0.1, true), "0.1");
/// ```
pub fn format_float_g(x: f64, bits32: bool) -> String {
    // Go converts to float32 first for bitSize 32, which may overflow to infinity.
    let x = if bits32 { f64::from(x as f32) } else { x };
    if let Some(s) = special(x) {
        return s.to_string();
    }
    let neg = x.is_sign_negative();
    let (digits, point) = shortest(x, bits32);
    // Go's %g uses the exponent form when the exponent is below -4 or at least the
    // precision, which for the shortest form Go fixes at 6.
    let exp = point - 1;
    if digits != "0" && !(-4..6).contains(&exp) {
        return layout_e(neg, &digits, point);
    }
    layout_f(neg, &digits, point)
}

/// The number `encoding/json` writes for a float64 (finite only): plain decimal, or an
/// exponent below 1e-6 and from 1e21 on, with Go's `e-07` shortened to `e-7`.
///
/// ```
/// assert_eq!(helmpilot_yaml::format_float_json(1e21), "1e+21");
/// assert_eq!(helmpilot_yaml::format_float_json(1e20), "100000000000000000000");
/// assert_eq!(helmpilot_yaml::format_float_json(1e-7), "1e-7");
/// assert_eq!(helmpilot_yaml::format_float_json(-0.0), "-0");
/// ```
pub fn format_float_json(x: f64) -> String {
    if let Some(s) = special(x) {
        return s.to_string();
    }
    let neg = x.is_sign_negative();
    let (digits, point) = shortest(x, false);
    let abs = x.abs();
    if abs != 0.0 && !(1e-6..1e21).contains(&abs) {
        let mut s = layout_e(neg, &digits, point);
        let n = s.len();
        let b = s.as_bytes();
        if n >= 4 && b[n - 4] == b'e' && b[n - 3] == b'-' && b[n - 2] == b'0' {
            let last = b[n - 1] as char;
            s.truncate(n - 2);
            s.push(last);
        }
        return s;
    }
    layout_f(neg, &digits, point)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn g_format() {
        for (x, want) in [
            (0.0, "0"),
            (-0.0, "-0"),
            (1.0, "1"),
            (1.5, "1.5"),
            (100000.0, "100000"),
            (1e6, "1e+06"),
            (1234567.0, "1.234567e+06"),
            (0.0001, "0.0001"),
            (0.00001, "1e-05"),
            (1e21, "1e+21"),
            (-2.5e-10, "-2.5e-10"),
            (1e100, "1e+100"),
            (f64::NAN, "NaN"),
            (f64::NEG_INFINITY, "-Inf"),
        ] {
            assert_eq!(format_float_g(x, false), want, "{x}");
        }
        assert_eq!(format_float_g(0.1234567891, true), "0.12345679");
        assert_eq!(format_float_g(1.1, true), "1.1");
    }

    #[test]
    fn json_format() {
        for (x, want) in [
            (0.0, "0"),
            (3.0, "3"),
            (0.000001, "0.000001"),
            (0.0000001, "1e-7"),
            (1.5e-10, "1.5e-10"),
            (123456789.0, "123456789"),
            (1e20, "100000000000000000000"),
            (1.2345678901234567e19, "12345678901234567000"),
            (1e21, "1e+21"),
            (1.5e300, "1.5e+300"),
        ] {
            assert_eq!(format_float_json(x), want, "{x}");
        }
    }
}
