//! Go's `strconv.FormatFloat`.
//!
//! Decimal digits come from Rust's float formatting, which is exact: `{:e}` yields the
//! shortest digits that round-trip, and `{:.N}` / `{:.Ne}` round the exact binary value
//! half to even, as Go's Ryu and multiprecision paths do. Go's layouts ('e', 'f', 'g'
//! and their choice between exponent and plain form) are built from those digits; the
//! binary ('b') and hexadecimal ('x') layouts are computed from the bits.

/// The layout of an IEEE binary float: 64 or 32 bits.
struct FloatInfo {
    mant_bits: u32,
    exp_bits: u32,
    bias: i32,
}

const FLOAT64: FloatInfo = FloatInfo {
    mant_bits: 52,
    exp_bits: 11,
    bias: -1023,
};
const FLOAT32: FloatInfo = FloatInfo {
    mant_bits: 23,
    exp_bits: 8,
    bias: -127,
};

/// Go's `strconv.FormatFloat(x, fmt, prec, bits)`.
///
/// `fmt` is one of `b e E f g G x X`; `prec` is the number of digits after the point
/// (`e`, `f`, `x`) or of significant digits (`g`), and -1 asks for the fewest digits that
/// read back as `x`. `bits` is 32 to format `x` as a `float32`, anything else means 64.
/// An unknown `fmt` yields `%` followed by it, as in Go.
///
/// ```
/// use helmpilot_template::gofmt::format_float;
/// assert_eq!(format_float(1e6, b'g', -1, 64), "1e+06");
/// assert_eq!(format_float(2.5, b'f', 0, 64), "2");
/// assert_eq!(format_float(1.5, b'x', -1, 64), "0x1.8p+00");
/// ```
pub fn format_float(x: f64, fmt: u8, prec: i32, bits: u32) -> String {
    // Whole numbers below 1e6 (ports, replica counts: most floats a chart prints) come
    // out of shortest %g as plain integers; skip the digit generation for them.
    let small_whole = x.fract() == 0.0 && x.abs() < 1e6 && !(x == 0.0 && x.is_sign_negative());
    if bits == 64 && prec < 0 && matches!(fmt, b'g' | b'G') && small_whole {
        return (x as i64).to_string();
    }
    let (info, raw) = if bits == 32 {
        // Converting to float32 is what Go does for bitSize 32.
        (&FLOAT32, u64::from((x as f32).to_bits()))
    } else {
        (&FLOAT64, x.to_bits())
    };
    let neg = raw >> (info.exp_bits + info.mant_bits) != 0;
    let biased_exp = (raw >> info.mant_bits) & ((1 << info.exp_bits) - 1);
    let mut mant = raw & ((1 << info.mant_bits) - 1);

    if biased_exp == (1 << info.exp_bits) - 1 {
        return match (mant != 0, neg) {
            (true, _) => "NaN",
            (false, true) => "-Inf",
            (false, false) => "+Inf",
        }
        .to_string();
    }
    // Subnormals have the exponent of the smallest normal number and no implicit bit.
    let mut exp = biased_exp as i32;
    if biased_exp == 0 {
        exp += 1;
    } else {
        mant |= 1 << info.mant_bits;
    }
    exp += info.bias;

    let mut out = String::new();
    if neg {
        out.push('-');
    }
    match fmt {
        b'b' => format_binary(&mut out, mant, exp - info.mant_bits as i32),
        b'x' | b'X' => format_hex(&mut out, mant, exp, info.mant_bits, prec, fmt == b'X'),
        b'e' | b'E' | b'f' | b'g' | b'G' => {
            let magnitude = if bits == 32 {
                f64::from((x as f32).abs())
            } else {
                x.abs()
            };
            format_decimal(&mut out, magnitude, bits == 32, fmt, prec);
        }
        _ => {
            out.clear();
            out.push('%');
            out.push(char::from(fmt));
        }
    }
    out
}

/// Decimal digits `0.d1d2d3... × 10^point`, without trailing zeros; zero has no digits.
struct Digits {
    digits: Vec<u8>,
    point: i32,
}

impl Digits {
    /// Reads Rust's scientific layout, `d.ddde-7`.
    fn from_scientific(s: &str) -> Digits {
        let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
        let exp: i32 = exp.parse().unwrap_or(0);
        let digits = mantissa.bytes().filter(u8::is_ascii_digit).collect();
        Digits {
            digits,
            point: exp + 1,
        }
        .trimmed()
    }

    /// Reads Rust's plain layout, `123.4500`.
    fn from_plain(s: &str) -> Digits {
        let int_len = s.find('.').unwrap_or(s.len());
        let mut digits: Vec<u8> = s.bytes().filter(u8::is_ascii_digit).collect();
        let leading_zeros = digits.iter().take_while(|&&d| d == b'0').count();
        digits.drain(..leading_zeros);
        Digits {
            digits,
            point: int_len as i32 - leading_zeros as i32,
        }
        .trimmed()
    }

    fn trimmed(mut self) -> Digits {
        while self.digits.last() == Some(&b'0') {
            self.digits.pop();
        }
        if self.digits.is_empty() {
            self.point = 0;
        }
        self
    }

    fn len(&self) -> i32 {
        self.digits.len() as i32
    }

    /// The digit at position `i` (0 = first significant digit), `0` outside the digits.
    fn at(&self, i: i32) -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| self.digits.get(i))
            .copied()
            .unwrap_or(b'0')
    }
}

/// Every float64 is a multiple of 2^-1074, so its decimal expansion ends within 1074
/// digits after the point...
const EXACT_FRACTION_DIGITS: usize = 1100;
/// ...and has at most 767 significant digits.
const EXACT_SIGNIFICANT_DIGITS: usize = 800;

/// The 'e', 'f' and 'g' layouts of a non-negative finite value.
fn format_decimal(out: &mut String, x: f64, is_f32: bool, fmt: u8, prec: i32) {
    let shortest = prec < 0;
    let digits = if shortest {
        shortest_digits(x, is_f32)
    } else {
        // Rust's formatter takes precisions up to 65535 only. Past the limits below every
        // value is exact, so more requested digits only add zeros, which the layouts add.
        let prec = prec as usize;
        match fmt {
            b'f' => Digits::from_plain(&format!("{:.*}", prec.min(EXACT_FRACTION_DIGITS), x)),
            b'e' | b'E' => {
                Digits::from_scientific(&format!("{:.*e}", prec.min(EXACT_SIGNIFICANT_DIGITS), x))
            }
            // 'g' rounds to `prec` significant digits, at least one.
            _ => Digits::from_scientific(&format!(
                "{:.*e}",
                prec.clamp(1, EXACT_SIGNIFICANT_DIGITS) - 1,
                x
            )),
        }
    };
    let nd = digits.len();
    match fmt {
        b'e' | b'E' => {
            let prec = if shortest { (nd - 1).max(0) } else { prec };
            push_exponent_form(out, &digits, prec, fmt);
        }
        b'f' => {
            let prec = if shortest {
                (nd - digits.point).max(0)
            } else {
                prec
            };
            push_plain_form(out, &digits, prec);
        }
        _ => push_general_form(out, &digits, if shortest { -1 } else { prec.max(1) }, fmt),
    }
}

/// The fewest digits that read back as `x` (a float32 when `is_f32`).
///
/// When two such digit strings are equally close to `x` (its exact value lies halfway
/// between them), Rust may pick the upper one where Go picks the even one. Rounding the
/// exact value half to even at the same length gives Go's choice, provided it still reads
/// back as `x`.
fn shortest_digits(x: f64, is_f32: bool) -> Digits {
    let shortest = if is_f32 {
        format!("{:e}", x as f32)
    } else {
        format!("{x:e}")
    };
    let digits = Digits::from_scientific(&shortest);
    if digits.digits.is_empty() {
        return digits;
    }
    let rounded = format!("{:.*e}", digits.digits.len() - 1, x);
    let read_back = if is_f32 {
        rounded.parse::<f32>().ok().map(f64::from)
    } else {
        rounded.parse::<f64>().ok()
    };
    if read_back == Some(x) {
        Digits::from_scientific(&rounded)
    } else {
        digits
    }
}

/// The 'g' layout: exponent form for small and large exponents, plain form otherwise,
/// without trailing zeros. `prec` is -1 for the shortest representation.
fn push_general_form(out: &mut String, digits: &Digits, prec: i32, fmt: u8) {
    let nd = digits.len();
    let (prec, exp_threshold) = if prec < 0 {
        // Shortest: all digits are significant and the cut-over exponent is 6.
        (nd, 6)
    } else if prec > nd && nd >= digits.point {
        (prec, nd)
    } else {
        (prec, prec)
    };
    let exp = digits.point - 1;
    if exp < -4 || exp >= exp_threshold {
        let e = if fmt == b'G' { b'E' } else { b'e' };
        push_exponent_form(out, digits, prec.min(nd) - 1, e);
    } else {
        let shown = if prec > digits.point { nd } else { prec };
        push_plain_form(out, digits, (shown - digits.point).max(0));
    }
}

/// `d.ddddde±dd` with `prec` digits after the point.
fn push_exponent_form(out: &mut String, digits: &Digits, prec: i32, e: u8) {
    out.push(char::from(digits.at(0)));
    if prec > 0 {
        out.push('.');
        out.extend((1..=prec).map(|i| char::from(digits.at(i))));
    }
    out.push(char::from(e));
    // Zero is written with exponent 0.
    let exp = if digits.digits.is_empty() {
        0
    } else {
        digits.point - 1
    };
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.unsigned_abs()));
}

/// `ddddd.ddd` with `prec` digits after the point.
fn push_plain_form(out: &mut String, digits: &Digits, prec: i32) {
    if digits.point > 0 {
        out.extend((0..digits.point).map(|i| char::from(digits.at(i))));
    } else {
        out.push('0');
    }
    if prec > 0 {
        out.push('.');
        out.extend((0..prec).map(|i| char::from(digits.at(digits.point + i))));
    }
}

/// `mantissa p ±exponent`, the value being `mant × 2^exp`.
fn format_binary(out: &mut String, mant: u64, exp: i32) {
    out.push_str(&format!("{mant}p"));
    if exp >= 0 {
        out.push('+');
    }
    out.push_str(&exp.to_string());
}

/// Bit position of the leading mantissa bit while formatting hexadecimal floats.
const LEAD: u32 = 60;

/// `0x1.hhhhp±dd`, the value being `mant × 2^(exp - mant_bits)`.
fn format_hex(out: &mut String, mant: u64, exp: i32, mant_bits: u32, prec: i32, upper: bool) {
    let mut exp = if mant == 0 { 0 } else { exp };
    // Normalise so that the leading 1 bit sits at bit LEAD (subnormals need shifting).
    let mut mant = mant << (LEAD - mant_bits);
    while mant != 0 && mant & (1 << LEAD) == 0 {
        mant <<= 1;
        exp -= 1;
    }
    // Round to `prec` hexadecimal digits, half to even. Past 14 digits nothing is lost.
    if (0..15).contains(&prec) {
        let kept_bits = prec as u32 * 4;
        let dropped = (mant << kept_bits) & ((1 << LEAD) - 1);
        mant >>= LEAD - kept_bits;
        let half = 1 << (LEAD - 1);
        if dropped > half || (dropped == half && mant & 1 == 1) {
            mant += 1;
        }
        mant <<= LEAD - kept_bits;
        if mant & (1 << (LEAD + 1)) != 0 {
            // Rounding carried into a new leading bit.
            mant >>= 1;
            exp += 1;
        }
    }

    let hex: &[u8; 16] = if upper {
        b"0123456789ABCDEF"
    } else {
        b"0123456789abcdef"
    };
    out.push_str(if upper { "0X" } else { "0x" });
    out.push(if mant >> LEAD & 1 == 1 { '1' } else { '0' });
    // Shift the leading bit out: the fraction's 16 nibbles now start at the top.
    let frac = mant << 4;
    let nibbles = if prec >= 0 {
        prec as u32
    } else if frac == 0 {
        0
    } else {
        16 - frac.trailing_zeros() / 4
    };
    if nibbles > 0 {
        out.push('.');
        for i in 0..nibbles {
            let nibble = if i < 16 {
                (frac >> (60 - 4 * i)) & 15
            } else {
                0
            };
            out.push(char::from(hex[nibble as usize]));
        }
    }
    out.push(if upper { 'P' } else { 'p' });
    out.push(if exp < 0 { '-' } else { '+' });
    out.push_str(&format!("{:02}", exp.unsigned_abs()));
}
