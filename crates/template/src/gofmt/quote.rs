//! Go's `strconv` quoting: `Quote`, `QuoteToASCII`, `QuoteRune`, `CanBackquote` and
//! `IsPrint`, which `%q`, `%#q`, `%+q` and `%#U` rely on.
//!
//! Go strings are byte strings, so the workers take bytes: a `[]byte` printed with `%q`
//! may hold invalid UTF-8, which Go escapes byte by byte as `\xNN`.

use super::print_table::BOUNDS;

/// Go's `unicode.ReplacementChar`, what invalid runes turn into.
const REPLACEMENT: char = '\u{FFFD}';

/// Go's `strconv.Quote`: a double-quoted Go string literal, with non-printable runes
/// escaped and printable ones (ASCII or not) kept as they are.
pub fn quote(s: &str) -> String {
    quote_bytes(s.as_bytes(), '"', false)
}

/// Go's `strconv.QuoteToASCII`: like [`quote`], but every non-ASCII rune is escaped too.
pub fn quote_to_ascii(s: &str) -> String {
    quote_bytes(s.as_bytes(), '"', true)
}

/// Go's `strconv.QuoteRune`: a single-quoted Go rune literal.
pub fn quote_rune(r: char) -> String {
    quote_rune_with(r, false)
}

/// Go's `strconv.CanBackquote`: whether `s` can be written as a raw `` `...` `` literal.
pub fn can_backquote(s: &str) -> bool {
    can_backquote_bytes(s.as_bytes())
}

/// Go's `strconv.IsPrint`: letters, marks, numbers, punctuation, symbols and ASCII space.
pub fn is_print(c: char) -> bool {
    // Printable ASCII is by far the common case: no table search for it.
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    // `c` is printable when an odd number of range boundaries lie at or below it.
    BOUNDS.partition_point(|&bound| bound <= u32::from(c)) % 2 == 1
}

/// Decodes the rune at the start of `bytes` the way Go's `utf8.DecodeRune` does: a
/// valid encoding gives the rune and its length, anything else one invalid byte (`None`).
/// `bytes` must not be empty.
pub(super) fn decode_rune(bytes: &[u8]) -> (Option<char>, usize) {
    let len = match bytes[0] {
        0x00..=0x7f => 1,
        0xc2..=0xdf => 2,
        0xe0..=0xef => 3,
        0xf0..=0xf4 => 4,
        _ => return (None, 1),
    };
    match bytes.get(..len).and_then(|s| std::str::from_utf8(s).ok()) {
        Some(s) => (s.chars().next(), len),
        None => (None, 1),
    }
}

/// Iterates over the runes of a Go string: `(Some(rune), len)` for valid encodings and
/// `(None, 1)` for each byte that is not part of one.
pub(super) fn runes(mut bytes: &[u8]) -> impl Iterator<Item = (Option<char>, usize)> + '_ {
    std::iter::from_fn(move || {
        if bytes.is_empty() {
            return None;
        }
        let (rune, len) = decode_rune(bytes);
        bytes = &bytes[len..];
        Some((rune, len))
    })
}

/// Go's `utf8.RuneCount`: invalid bytes count as one rune each.
pub(super) fn rune_count(bytes: &[u8]) -> usize {
    runes(bytes).count()
}

/// Quotes a Go string with the given quote character, escaping non-ASCII runes too when
/// `ascii_only`.
pub(super) fn quote_bytes(bytes: &[u8], quote: char, ascii_only: bool) -> String {
    let mut out = String::with_capacity(bytes.len() + 2);
    out.push(quote);
    // Plain printable ASCII needs no escaping: copy it in one go.
    let plain =
        |b: &u8| (b' '..=b'~').contains(b) && *b != b'\\' && u32::from(*b) != u32::from(quote);
    if bytes.iter().all(plain) {
        out.push_str(std::str::from_utf8(bytes).unwrap_or_default());
        out.push(quote);
        return out;
    }
    let mut rest = bytes;
    for (rune, len) in runes(bytes) {
        match rune {
            Some(r) => escape_rune(&mut out, r, quote, ascii_only),
            None => push_hex_escape(&mut out, 'x', u32::from(rest[0]), 2),
        }
        rest = &rest[len..];
    }
    out.push(quote);
    out
}

/// Quotes a rune as a Go character literal (`'a'`, `'\n'`, `'\u00e9'` when `ascii_only`).
pub(super) fn quote_rune_with(r: char, ascii_only: bool) -> String {
    let mut out = String::from('\'');
    escape_rune(&mut out, r, '\'', ascii_only);
    out.push('\'');
    out
}

/// Converts a Go integer to the rune `%c` and `%q` print: values that are not valid
/// Unicode scalar values (too large, or surrogates) become U+FFFD.
pub(super) fn rune_from(value: u64) -> char {
    u32::try_from(value)
        .ok()
        .and_then(char::from_u32)
        .unwrap_or(REPLACEMENT)
}

/// Go's `strconv.CanBackquote` on a byte string: no invalid UTF-8, no byte order mark, no
/// backquote and no control characters other than tab.
pub(super) fn can_backquote_bytes(bytes: &[u8]) -> bool {
    runes(bytes).all(|(rune, len)| match rune {
        None => false,
        // Multi-byte runes are all fine except the invisible byte order mark.
        Some(r) if len > 1 => r != '\u{FEFF}',
        Some(r) => (r >= ' ' || r == '\t') && r != '`' && r != '\u{7f}',
    })
}

fn escape_rune(out: &mut String, r: char, quote: char, ascii_only: bool) {
    if r == quote || r == '\\' {
        out.push('\\');
        out.push(r);
        return;
    }
    if is_print(r) && (r.is_ascii() || !ascii_only) {
        out.push(r);
        return;
    }
    match r {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\u{c}' => out.push_str("\\f"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        '\u{b}' => out.push_str("\\v"),
        _ if r < ' ' || r == '\u{7f}' => push_hex_escape(out, 'x', u32::from(r), 2),
        _ if u32::from(r) < 0x10000 => push_hex_escape(out, 'u', u32::from(r), 4),
        _ => push_hex_escape(out, 'U', u32::from(r), 8),
    }
}

fn push_hex_escape(out: &mut String, kind: char, value: u32, digits: usize) {
    out.push('\\');
    out.push(kind);
    out.push_str(&format!("{value:0digits$x}"));
}
