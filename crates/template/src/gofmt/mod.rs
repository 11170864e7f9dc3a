//! Go's `fmt` printing: `Sprint`, `Sprintln` and `Sprintf` over template [`Value`]s, with
//! output byte-identical to Go's (what Helm's `print`, `println` and `printf` produce),
//! plus the `strconv` helpers they rest on.
//!
//! ```
//! use helmpilot_template::{gofmt, Value};
//! let args = [Value::from(3.14159), Value::from(255), Value::from("a\tb")];
//! assert_eq!(gofmt::sprintf("%5.2f|%x|%q", &args), " 3.14|ff|\"a\\tb\"");
//! assert_eq!(gofmt::sprint(&[Value::from(1), Value::from(2)]), "1 2");
//! ```
//!
//! Host objects print through [`crate::Object::format`] under every verb but `%T` and
//! `%p`, and values Go prints by address (`%p`, functions) print a fixed fake address.

mod float;
mod print_table;
mod printer;
mod quote;
mod values;

#[cfg(test)]
mod tests;

use crate::value::Value;
use printer::{Printer, Spec};

pub use float::format_float;
pub use quote::{can_backquote, is_print, quote, quote_rune, quote_to_ascii};

/// Go's `fmt.Sprint`: every operand with `%v`, a space between two operands when neither
/// is a string.
pub fn sprint(args: &[Value]) -> String {
    let mut p = Printer::default();
    let mut prev_string = false;
    for (i, arg) in args.iter().enumerate() {
        let is_string = matches!(arg, Value::String(_));
        if i > 0 && !is_string && !prev_string {
            p.write_str(" ");
        }
        p.print_arg(arg, 'v');
        prev_string = is_string;
    }
    p.into_string()
}

/// Go's `fmt.Sprintln`: every operand with `%v`, separated by spaces, then a newline.
pub fn sprintln(args: &[Value]) -> String {
    let mut p = Printer::default();
    for (i, arg) in args.iter().enumerate() {
        if i > 0 {
            p.write_str(" ");
        }
        p.print_arg(arg, 'v');
    }
    p.write_str("\n");
    p.into_string()
}

/// Go's `fmt.Sprintf`, including its in-band error reports: `%!d(string=x)` for a verb
/// the operand's type does not support, `%!d(MISSING)`, `%!(EXTRA int=1)`,
/// `%!(NOVERB)`, `%!(BADWIDTH)`, `%!(BADPREC)` and `%!d(BADINDEX)`.
pub fn sprintf(format: &str, args: &[Value]) -> String {
    let mut scan = Scan {
        format,
        args,
        pos: 0,
        arg: 0,
        reordered: false,
        good_index: true,
    };
    let mut p = Printer::default();
    while scan.pos < format.len() {
        let start = scan.pos;
        let text_len = format[start..].find('%').unwrap_or(format.len() - start);
        p.write_str(&format[start..start + text_len]);
        scan.pos += text_len;
        if scan.pos == format.len() {
            break;
        }
        scan.pos += 1;
        if !scan.directive(&mut p) {
            break;
        }
    }
    // Leftover operands are reported, unless explicit indexes made "leftover" unclear.
    if !scan.reordered && scan.arg < args.len() {
        p.spec = Spec::default();
        p.write_str("%!(EXTRA ");
        for (i, arg) in args[scan.arg..].iter().enumerate() {
            if i > 0 {
                p.write_str(", ");
            }
            if arg.is_nil() {
                p.write_str("<nil>");
            } else {
                p.write_str(&arg.type_name());
                p.write_str("=");
                p.print_arg(arg, 'v');
            }
        }
        p.write_str(")");
    }
    p.into_string()
}

/// Go refuses widths, precisions and argument indexes above this.
const MAX_NUMBER: usize = 1_000_000;

/// The state of one `sprintf` pass over its format.
struct Scan<'a> {
    format: &'a str,
    args: &'a [Value],
    /// The next byte of the format to read.
    pos: usize,
    /// The next operand to use.
    arg: usize,
    /// Whether an explicit `[n]` index appeared anywhere.
    reordered: bool,
    /// Whether the current directive's `[n]` indexes were all valid.
    good_index: bool,
}

impl Scan<'_> {
    fn peek(&self) -> Option<u8> {
        self.format.as_bytes().get(self.pos).copied()
    }

    /// Prints the directive after a `%`: flags, `[n]`, width, precision, verb. Returns
    /// false when the format ended before the verb.
    fn directive(&mut self, p: &mut Printer) -> bool {
        self.good_index = true;
        p.spec = self.flags();

        let mut after_index = self.arg_index();
        if self.peek() == Some(b'*') {
            self.pos += 1;
            match self.int_arg() {
                Some(wid) => {
                    // A negative width means left-justify.
                    if wid < 0 {
                        p.spec.minus = true;
                        p.spec.zero = false;
                    }
                    p.spec.wid = Some(wid.unsigned_abs() as usize);
                }
                None => p.write_str("%!(BADWIDTH)"),
            }
            after_index = false;
        } else {
            p.spec.wid = self.number();
            // "%[3]2d": a literal width may not follow an index.
            if after_index && p.spec.wid.is_some() {
                self.good_index = false;
            }
        }

        // A precision needs something after the dot; a trailing "." is read as the verb.
        if self.peek() == Some(b'.') && self.pos + 1 < self.format.len() {
            self.pos += 1;
            if after_index {
                self.good_index = false;
            }
            after_index = self.arg_index();
            if self.peek() == Some(b'*') {
                self.pos += 1;
                match self.int_arg() {
                    Some(prec) if prec >= 0 => p.spec.prec = Some(prec as usize),
                    _ => p.write_str("%!(BADPREC)"),
                }
                after_index = false;
            } else {
                // A dot alone means precision zero.
                p.spec.prec = Some(self.number().unwrap_or(0));
            }
        }

        if !after_index {
            self.arg_index();
        }

        let Some(verb) = self.format[self.pos..].chars().next() else {
            p.write_str("%!(NOVERB)");
            return false;
        };
        self.pos += verb.len_utf8();
        match verb {
            // `%%` takes no operand and ignores flags, width and precision.
            '%' => p.write_str("%"),
            _ if !self.good_index => p.write_str(&format!("%!{verb}(BADINDEX)")),
            _ if self.arg >= self.args.len() => p.write_str(&format!("%!{verb}(MISSING)")),
            _ => {
                // `%w` (meaningful only to Errorf) takes the flags the way `%v` does.
                if verb == 'v' || verb == 'w' {
                    p.spec.sharp_v = std::mem::take(&mut p.spec.sharp);
                    p.spec.plus = false;
                }
                p.print_arg(&self.args[self.arg], verb);
                self.arg += 1;
            }
        }
        true
    }

    /// Reads the flags `# 0 + - space`.
    fn flags(&mut self) -> Spec {
        let mut spec = Spec::default();
        while let Some(c) = self.peek() {
            match c {
                b'#' => spec.sharp = true,
                // Zeros only ever pad on the left.
                b'0' => spec.zero = !spec.minus,
                b'+' => spec.plus = true,
                b'-' => {
                    spec.minus = true;
                    spec.zero = false;
                }
                b' ' => spec.space = true,
                _ => break,
            }
            self.pos += 1;
        }
        spec
    }

    /// Reads a decimal number, as Go's `parsenum`. A number that grows past the limit
    /// makes Go give up on the rest of the format, which then ends in `%!(NOVERB)`.
    fn number(&mut self) -> Option<usize> {
        let (num, end) = parse_number(self.format.as_bytes(), self.pos);
        self.pos = end;
        num
    }

    /// Reads an explicit operand index `[n]` if one is here, making operand `n` the next
    /// one. Returns whether an index was read.
    fn arg_index(&mut self) -> bool {
        if self.peek() != Some(b'[') {
            return false;
        }
        self.reordered = true;
        let rest = &self.format.as_bytes()[self.pos..];
        let close = rest
            .iter()
            .position(|&c| c == b']')
            .filter(|_| rest.len() >= 3);
        let Some(close) = close else {
            // No closing bracket (or "[]" alone): skip the bracket, report the index.
            self.pos += 1;
            self.good_index = false;
            return false;
        };
        self.pos += close + 1;
        match parse_number(rest, 1) {
            (Some(n), end) if end == close => {
                if n >= 1 && n <= self.args.len() {
                    self.arg = n - 1;
                } else {
                    self.good_index = false;
                }
                true
            }
            _ => {
                self.good_index = false;
                false
            }
        }
    }

    /// Takes the next operand as a `*` width or precision: an integer within Go's limit.
    /// The operand is used up even when it does not qualify.
    fn int_arg(&mut self) -> Option<i64> {
        let arg = self.args.get(self.arg)?;
        self.arg += 1;
        let n = match *arg {
            Value::Int(n, _) => n,
            Value::Uint(n, _) => i64::try_from(n).ok()?,
            _ => return None,
        };
        (n.unsigned_abs() <= MAX_NUMBER as u64).then_some(n)
    }
}

/// Go's `parsenum`: the digits at `start`, and where they end. Once the value read so far
/// exceeds the limit, the number is rejected and the end is the end of `s`.
fn parse_number(s: &[u8], start: usize) -> (Option<usize>, usize) {
    let mut num: Option<usize> = None;
    let mut pos = start;
    while let Some(digit) = s.get(pos).filter(|c| c.is_ascii_digit()) {
        let so_far = num.unwrap_or(0);
        if so_far > MAX_NUMBER {
            return (None, s.len());
        }
        num = Some(so_far * 10 + usize::from(digit - b'0'));
        pos += 1;
    }
    (num, pos)
}
