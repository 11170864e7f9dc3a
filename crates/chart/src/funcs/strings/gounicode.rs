//! Go's `unicode` package as the string functions need it: category tests by general
//! category (Go's `IsUpper` is "category Lu", unlike Rust's `char::is_uppercase`, which
//! also counts Other_Uppercase such as `Ⓐ`) and the *simple* one-to-one case mappings
//! (Go's `ToUpper('ß')` is `ß`, where Rust's full mapping gives `SS`).
//!
//! Tables come from the `unicode-general-category` crate and Rust's own case tables;
//! where their Unicode version is newer than Go's, characters assigned since differ.

use unicode_general_category::{get_general_category, GeneralCategory};

/// What Go's `utf8.DecodeRuneInString` returns for invalid input, and a real U+FFFD too:
/// Go code cannot tell them apart, so neither do we.
pub(crate) const RUNE_ERROR: char = '\u{FFFD}';

/// Bytes that may not be valid UTF-8 (a Go string cut mid-character, decoded base64) as
/// text the way Go's decoder reads it: every byte it cannot decode becomes one U+FFFD,
/// which is how Helm's output shows them (Rust's `from_utf8_lossy` would merge a cut
/// sequence into a single U+FFFD).
///
/// For example the bytes `E6 97 2E` (a cut `日` and a dot) become `\u{FFFD}\u{FFFD}.`.
pub(crate) fn go_lossy(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len());
    for chunk in bytes.utf8_chunks() {
        out.push_str(chunk.valid());
        // An invalid chunk is a truncated sequence: a lead byte and continuation bytes,
        // each of which Go decodes alone as RuneError.
        for _ in chunk.invalid() {
            out.push(RUNE_ERROR);
        }
    }
    out
}

fn category(c: char) -> &'static str {
    get_general_category(c).abbreviation()
}

/// `unicode.IsUpper`: category Lu.
pub(crate) fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    get_general_category(c) == GeneralCategory::UppercaseLetter
}

/// `unicode.IsLower`: category Ll.
pub(crate) fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    get_general_category(c) == GeneralCategory::LowercaseLetter
}

/// `unicode.IsTitle`: category Lt.
pub(crate) fn is_title(c: char) -> bool {
    !c.is_ascii() && get_general_category(c) == GeneralCategory::TitlecaseLetter
}

/// `unicode.IsLetter`: categories L*.
pub(crate) fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    category(c).starts_with('L')
}

/// `unicode.IsDigit`: category Nd.
pub(crate) fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    get_general_category(c) == GeneralCategory::DecimalNumber
}

/// `unicode.IsNumber`: categories N*.
pub(crate) fn is_number(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    category(c).starts_with('N')
}

/// `unicode.IsPunct`: categories P*.
pub(crate) fn is_punct(c: char) -> bool {
    category(c).starts_with('P')
}

/// `unicode.IsSpace`: the White_Space property, which is exactly what Rust's
/// `char::is_whitespace` tests (U+0085 and U+00A0 included).
pub(crate) fn is_space(c: char) -> bool {
    c.is_whitespace()
}

/// `unicode.ToUpper`: the simple uppercase mapping.
pub(crate) fn to_upper(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    let mut full = c.to_uppercase();
    match (full.next(), full.next()) {
        (Some(single), None) => single,
        // A one-to-many full mapping (`ß` → `SS`): the simple mapping is in UnicodeData.
        // Only the Greek letters with ypogegrammeni have one; every other such letter
        // keeps its case.
        _ => match u32::from(c) {
            0x1F80..=0x1F87 | 0x1F90..=0x1F97 | 0x1FA0..=0x1FA7 => shift(c, 8),
            0x1FB3 | 0x1FC3 | 0x1FF3 => shift(c, 9),
            _ => c,
        },
    }
}

/// `unicode.ToLower`: the simple lowercase mapping.
pub(crate) fn to_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    let mut full = c.to_lowercase();
    match (full.next(), full.next()) {
        (Some(single), None) => single,
        // Only `İ` lowercases to two characters (`i̇`); its simple mapping is `i`.
        _ if c == '\u{130}' => 'i',
        _ => c,
    }
}

/// `unicode.ToTitle`: the simple titlecase mapping, which is the uppercase one except
/// for the Latin digraphs (`ǆ` → `ǅ`) and Georgian Mkhedruli letters (titlecase is the
/// letter itself, uppercase is Mtavruli).
pub(crate) fn to_title(c: char) -> char {
    match u32::from(c) {
        0x1C4..=0x1C6 => '\u{1C5}',
        0x1C7..=0x1C9 => '\u{1C8}',
        0x1CA..=0x1CC => '\u{1CB}',
        0x1F1..=0x1F3 => '\u{1F2}',
        0x10D0..=0x10FA | 0x10FD..=0x10FF => c,
        _ => to_upper(c),
    }
}

fn shift(c: char, by: u32) -> char {
    char::from_u32(u32::from(c) + by).unwrap_or(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_case_mappings_like_go() {
        assert_eq!(to_upper('ß'), 'ß');
        assert_eq!(to_upper('ᾳ'), 'ᾼ');
        assert_eq!(to_upper('ᾀ'), 'ᾈ');
        assert_eq!(to_upper('ǆ'), 'Ǆ');
        assert_eq!(to_title('ǆ'), 'ǅ');
        assert_eq!(to_title('ა'), 'ა');
        assert_eq!(to_lower('İ'), 'i');
        assert_eq!(to_lower('Σ'), 'σ');
    }

    #[test]
    fn invalid_bytes_like_go() {
        assert_eq!(go_lossy(b"\xe6\x97."), "\u{FFFD}\u{FFFD}.");
        assert_eq!(go_lossy(b"h\xc3"), "h\u{FFFD}");
        assert_eq!(go_lossy(b"\xff\xfe\xa9ok"), "\u{FFFD}\u{FFFD}\u{FFFD}ok");
        assert_eq!(go_lossy("é".as_bytes()), "é");
    }

    #[test]
    fn categories_like_go() {
        assert!(!is_upper('Ⓐ') && is_upper('À') && !is_upper('ǅ') && is_title('ǅ'));
        assert!(!is_lower('ª') && is_lower('ß'));
        assert!(is_number('½') && !is_digit('½') && is_digit('٣'));
        assert!(is_space('\u{85}') && is_space('\u{a0}') && !is_space('\u{200b}'));
        assert!(is_punct('¿') && !is_punct('+'));
    }
}
