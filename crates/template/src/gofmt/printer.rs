//! The output buffer and the primitive formatters (Go's `fmt.fmt`): padding, integers,
//! runes, strings and floats under the flags, width and precision of one verb.

use super::float::format_float;
use super::quote::{
    can_backquote_bytes, is_print, quote_bytes, quote_rune_with, rune_count, rune_from, runes,
};

/// The flags, width and precision of the verb being printed.
#[derive(Clone, Copy, Default)]
pub(super) struct Spec {
    pub wid: Option<usize>,
    pub prec: Option<usize>,
    pub minus: bool,
    pub plus: bool,
    pub sharp: bool,
    pub space: bool,
    pub zero: bool,
    /// `%#v`: Go syntax. The `#` of `%#v` lands here instead of in `sharp`, and the `+` of
    /// `%+v` is dropped, since it only names struct fields and host objects print
    /// themselves.
    pub sharp_v: bool,
}

/// Collects the output bytes. Go strings are bytes, and `%s` of a `[]byte` may write
/// invalid UTF-8; the public functions convert at the very end.
#[derive(Default)]
pub(super) struct Printer {
    pub buf: Vec<u8>,
    pub spec: Spec,
}

impl Printer {
    pub fn write_str(&mut self, s: &str) {
        self.buf.extend_from_slice(s.as_bytes());
    }

    /// The output so far as a string; invalid UTF-8 (only `[]byte` operands can produce
    /// it) becomes U+FFFD.
    pub fn into_string(self) -> String {
        String::from_utf8(self.buf)
            .unwrap_or_else(|err| String::from_utf8_lossy(err.as_bytes()).into_owned())
    }

    /// Writes `n` bytes of padding: zeros under the `0` flag, spaces otherwise.
    pub fn write_padding(&mut self, n: usize) {
        let byte = if self.spec.zero { b'0' } else { b' ' };
        self.buf.resize(self.buf.len() + n, byte);
    }

    /// Writes `s` padded to the width (counted in runes), on the left unless `-` is given.
    pub fn pad(&mut self, s: &[u8]) {
        let fill = match self.spec.wid {
            Some(wid) => wid.saturating_sub(rune_count(s)),
            None => 0,
        };
        if self.spec.minus {
            self.buf.extend_from_slice(s);
            self.write_padding(fill);
        } else {
            self.write_padding(fill);
            self.buf.extend_from_slice(s);
        }
    }

    /// Pads without the `0` flag: for output that already holds its zeros, or where Go
    /// never pads with zeros (infinities, `%U`).
    fn pad_with_spaces(&mut self, s: &[u8]) {
        let zero = std::mem::replace(&mut self.spec.zero, false);
        self.pad(s);
        self.spec.zero = zero;
    }

    pub fn fmt_bool(&mut self, b: bool) {
        self.pad(if b { b"true" } else { b"false" });
    }

    /// An integer in base 2, 8, 10 or 16. `value` holds the bits of a signed integer when
    /// `signed`. `verb` is `O` for the `0o` prefix; `upper` selects `ABCDEF` and `0X`.
    pub fn fmt_integer(&mut self, value: u64, base: u32, signed: bool, verb: char, upper: bool) {
        let negative = signed && (value as i64) < 0;
        let magnitude = if negative {
            value.wrapping_neg()
        } else {
            value
        };
        let spec = self.spec;

        // The minimum number of digits: the precision, or under the `0` flag the width
        // less room for a sign. A precision turns the `0` flag off.
        let min_digits = match (spec.prec, spec.wid) {
            (Some(0), _) if magnitude == 0 => {
                // Zero with precision 0 prints nothing, yet still pads.
                self.pad_with_spaces(b"");
                return;
            }
            (Some(prec), _) => prec,
            (None, Some(wid)) if spec.zero => {
                wid.saturating_sub(usize::from(negative || spec.plus || spec.space))
            }
            _ => 0,
        };

        let digits = match (base, upper) {
            (2, _) => format!("{magnitude:b}"),
            (8, _) => format!("{magnitude:o}"),
            (16, false) => format!("{magnitude:x}"),
            (16, true) => format!("{magnitude:X}"),
            _ => magnitude.to_string(),
        };
        let mut out = String::with_capacity(min_digits.max(digits.len()) + 4);
        if negative {
            out.push('-');
        } else if spec.plus {
            out.push('+');
        } else if spec.space {
            out.push(' ');
        }
        if verb == 'O' {
            out.push_str("0o");
        }
        if spec.sharp {
            match base {
                2 => out.push_str("0b"),
                // Octal gets a leading zero unless it already starts with one.
                8 if min_digits <= digits.len() && !digits.starts_with('0') => out.push('0'),
                16 => out.push_str(if upper { "0X" } else { "0x" }),
                _ => {}
            }
        }
        for _ in digits.len()..min_digits {
            out.push('0');
        }
        out.push_str(&digits);
        self.pad_with_spaces(out.as_bytes());
    }

    /// `%U`: `U+0061`, with `#` also the quoted rune when it is printable.
    pub fn fmt_unicode(&mut self, value: u64) {
        let min_digits = self.spec.prec.filter(|&prec| prec > 4).unwrap_or(4);
        let digits = format!("{value:X}");
        let mut out = String::with_capacity(min_digits.max(digits.len()) + 10);
        out.push_str("U+");
        for _ in digits.len()..min_digits {
            out.push('0');
        }
        out.push_str(&digits);
        if self.spec.sharp {
            let printable = u32::try_from(value)
                .ok()
                .and_then(char::from_u32)
                .filter(|&c| is_print(c));
            if let Some(c) = printable {
                out.push_str(&format!(" '{c}'"));
            }
        }
        self.pad_with_spaces(out.as_bytes());
    }

    /// `%c`: the rune, or U+FFFD for values that are not valid Unicode.
    pub fn fmt_c(&mut self, value: u64) {
        let mut utf8 = [0; 4];
        self.pad(rune_from(value).encode_utf8(&mut utf8).as_bytes());
    }

    /// `%q` of an integer: a quoted rune literal, ASCII-only under `+`.
    pub fn fmt_qc(&mut self, value: u64) {
        let quoted = quote_rune_with(rune_from(value), self.spec.plus);
        self.pad(quoted.as_bytes());
    }

    /// Cuts `s` to the precision, counted in runes.
    fn truncate<'a>(&self, s: &'a [u8]) -> &'a [u8] {
        match self.spec.prec {
            Some(prec) => {
                let len = runes(s).take(prec).map(|(_, len)| len).sum();
                &s[..len]
            }
            None => s,
        }
    }

    /// `%s`.
    pub fn fmt_s(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        self.pad(s);
    }

    /// `%q` of a string: a backquoted raw string under `#` when possible, otherwise a
    /// double-quoted one, ASCII-only under `+`.
    pub fn fmt_q(&mut self, s: &[u8]) {
        let s = self.truncate(s);
        if self.spec.sharp && can_backquote_bytes(s) {
            let mut quoted = Vec::with_capacity(s.len() + 2);
            quoted.push(b'`');
            quoted.extend_from_slice(s);
            quoted.push(b'`');
            self.pad(&quoted);
        } else {
            let quoted = quote_bytes(s, '"', self.spec.plus);
            self.pad(quoted.as_bytes());
        }
    }

    /// `%x` and `%X` of a string or byte slice: two hex digits per byte, the precision
    /// limiting the bytes; `#` adds `0x`, and a space flag separates the bytes (and
    /// repeats the `0x` before each).
    pub fn fmt_sbx(&mut self, s: &[u8], upper: bool) {
        let spec = self.spec;
        let bytes = &s[..spec.prec.map_or(s.len(), |prec| prec.min(s.len()))];
        if bytes.is_empty() {
            // Go pads an empty encoding with the full width.
            self.write_padding(spec.wid.unwrap_or(0));
            return;
        }
        let prefix = if upper { "0X" } else { "0x" };
        let mut out = String::new();
        for (i, byte) in bytes.iter().enumerate() {
            if spec.space && i > 0 {
                out.push(' ');
            }
            if spec.sharp && (spec.space || i == 0) {
                out.push_str(prefix);
            }
            if upper {
                out.push_str(&format!("{byte:02X}"));
            } else {
                out.push_str(&format!("{byte:02x}"));
            }
        }
        // The encoding is ASCII, so its length is its width in runes.
        let fill = spec.wid.unwrap_or(0).saturating_sub(out.len());
        if !spec.minus {
            self.write_padding(fill);
        }
        self.write_str(&out);
        if spec.minus {
            self.write_padding(fill);
        }
    }

    /// A float under `verb` (one of `b e E f g G x X`) with the given default precision.
    pub fn fmt_float(&mut self, value: f64, verb: u8, default_prec: i32) {
        let spec = self.spec;
        let prec = spec.prec.map_or(default_prec, |prec| prec as i32);
        // Always carry a sign so that the logic below can decide whether to show it.
        let mut num = format_float(value, verb, prec, 64).into_bytes();
        if num[0] != b'-' && num[0] != b'+' {
            num.insert(0, b'+');
        }
        if spec.space && num[0] == b'+' && !spec.plus {
            num[0] = b' ';
        }
        if num[1] == b'I' || num[1] == b'N' {
            // Infinities and NaN are never zero-padded, and NaN has no sign unless asked.
            let shown = if num[1] == b'N' && !spec.space && !spec.plus {
                &num[1..]
            } else {
                &num[..]
            };
            self.pad_with_spaces(shown);
            return;
        }
        if spec.sharp && verb != b'b' {
            keep_point_and_zeros(&mut num, verb, prec);
        }
        if spec.plus || num[0] != b'+' {
            // Zero padding goes between the sign and the digits.
            match spec.wid {
                Some(wid) if spec.zero && wid > num.len() => {
                    self.buf.push(num[0]);
                    self.write_padding(wid - num.len());
                    self.buf.extend_from_slice(&num[1..]);
                }
                _ => self.pad(&num),
            }
        } else {
            self.pad(&num[1..]);
        }
    }
}

/// The `#` flag on floats: always show a decimal point, and for `%g` (and, as Go does,
/// lower-case `%x`) keep trailing zeros up to the precision (6 when not given).
/// `num` starts with its sign.
fn keep_point_and_zeros(num: &mut Vec<u8>, verb: u8, prec: i32) {
    let mut missing = match verb {
        b'g' | b'G' | b'x' => {
            if prec < 0 {
                6
            } else {
                prec
            }
        }
        _ => 0,
    };
    let hex = verb == b'x' || verb == b'X';
    let tail_at = num
        .iter()
        .skip(1)
        .position(|&c| matches!(c, b'p' | b'P') || (!hex && matches!(c, b'e' | b'E')));
    let tail = match tail_at {
        Some(at) => num.split_off(at + 1),
        None => Vec::new(),
    };
    // Count significant digits from the first non-zero one. Like Go, this counts every
    // character that is not `0` or `.`, the `x` of `0x` included.
    let mut seen_non_zero = false;
    for &c in &num[1..] {
        if c == b'.' {
            continue;
        }
        seen_non_zero |= c != b'0';
        if seen_non_zero {
            missing -= 1;
        }
    }
    if !num.contains(&b'.') {
        // A lone zero counts as one digit.
        if num.len() == 2 && num[1] == b'0' {
            missing -= 1;
        }
        num.push(b'.');
    }
    num.resize(num.len() + missing.max(0) as usize, b'0');
    num.extend_from_slice(&tail);
}
