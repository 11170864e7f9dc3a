//! Character classes and escapes of Go's RE2 syntax: bracketed classes' items, Perl
//! (`\d`), POSIX (`[:alpha:]`) and Unicode (`\p{Greek}`) classes, and single-character
//! escapes, each rendered as Rust class syntax with Go's meaning.

use super::syntax::{consumed, error, next_rune, SyntaxError};

pub(super) const ERR_INVALID_CHAR_RANGE: &str = "invalid character class range";
pub(super) const ERR_INVALID_ESCAPE: &str = "invalid escape sequence";
const ERR_MISSING_BRACKET: &str = "missing closing ]";
const ERR_TRAILING_BACKSLASH: &str = "trailing backslash at end of expression";
const MAX_RUNE: u32 = 0x10FFFF;

/// A piece of a character class.
#[derive(Debug)]
pub(super) enum ClassItem {
    Range(u32, u32),
    /// Rust class syntax for a named set, negated when the flag is set.
    Named(&'static str, bool),
    /// A Unicode property (`\p{..}` text for Rust), negated when the flag is set.
    Property(String, bool),
}

impl ClassItem {
    pub(super) fn render(&self, out: &mut String) {
        match self {
            ClassItem::Range(lo, hi) => {
                // Surrogates are not characters for Rust; Go accepts them and never
                // matches them, so leaving them out changes nothing.
                let lo = if (0xD800..=0xDFFF).contains(lo) {
                    0xE000
                } else {
                    *lo
                };
                let hi = if (0xD800..=0xDFFF).contains(hi) {
                    0xD7FF
                } else {
                    *hi
                };
                if lo < hi {
                    out.push_str(&format!(r"\x{{{lo:X}}}-\x{{{hi:X}}}"));
                } else if lo == hi {
                    out.push_str(&format!(r"\x{{{lo:X}}}"));
                }
            }
            ClassItem::Named(set, negated) => {
                if *negated {
                    out.push_str("[^");
                    out.push_str(set);
                    out.push(']');
                } else {
                    out.push_str(set);
                }
            }
            ClassItem::Property(name, negated) => {
                out.push_str(if *negated { r"\P{" } else { r"\p{" });
                out.push_str(name);
                out.push('}');
            }
        }
    }
}

const DIGIT: &str = "0-9";
const SPACE: &str = r"\x{9}\x{A}\x{C}\x{D}\x{20}";
const WORD: &str = "0-9A-Za-z_";

/// `\d \D \s \S \w \W`, ASCII-only as in Go.
pub(super) fn parse_perl_class(t: &str) -> Option<(ClassItem, &str)> {
    let (set, negated) = match t.as_bytes() {
        [b'\\', b'd', ..] => (DIGIT, false),
        [b'\\', b'D', ..] => (DIGIT, true),
        [b'\\', b's', ..] => (SPACE, false),
        [b'\\', b'S', ..] => (SPACE, true),
        [b'\\', b'w', ..] => (WORD, false),
        [b'\\', b'W', ..] => (WORD, true),
        _ => return None,
    };
    Some((ClassItem::Named(set, negated), &t[2..]))
}

/// A POSIX class like `[:alpha:]` or `[:^alpha:]` inside brackets; `None` when there is no
/// closing `:]` (then `[` is an ordinary character).
pub(super) fn parse_named_class(t: &str) -> Result<Option<(ClassItem, &str)>, SyntaxError> {
    let Some(end) = t[2..].find(":]") else {
        return Ok(None);
    };
    let name = &t[..end + 4];
    let rest = &t[end + 4..];
    let (inner, negated) = match name[2..name.len() - 2].strip_prefix('^') {
        Some(inner) => (inner, true),
        None => (&name[2..name.len() - 2], false),
    };
    let set = match inner {
        "alnum" => "0-9A-Za-z",
        "alpha" => "A-Za-z",
        "ascii" => r"\x{0}-\x{7F}",
        "blank" => r"\x{9}\x{20}",
        "cntrl" => r"\x{0}-\x{1F}\x{7F}",
        "digit" => "0-9",
        "graph" => r"\x{21}-\x{7E}",
        "lower" => "a-z",
        "print" => r"\x{20}-\x{7E}",
        "punct" => r"\x{21}-\x{2F}\x{3A}-\x{40}\x{5B}-\x{60}\x{7B}-\x{7E}",
        "space" => r"\x{9}-\x{D}\x{20}",
        "upper" => "A-Z",
        "word" => "0-9A-Za-z_",
        "xdigit" => "0-9A-Fa-f",
        _ => return Err(error(ERR_INVALID_CHAR_RANGE, name)),
    };
    Ok(Some((ClassItem::Named(set, negated), rest)))
}

/// `\pL`, `\p{Greek}`, `\P{Lu}`, `\p{^Lu}`; `None` when `t` is not one.
pub(super) fn parse_unicode_class(s: &str) -> Result<Option<(ClassItem, &str)>, SyntaxError> {
    let mut negated = match s.as_bytes() {
        [b'\\', b'p', ..] => false,
        [b'\\', b'P', ..] => true,
        _ => return Ok(None),
    };
    let (c, after) = next_rune(&s[2..]);
    let (seq, mut name, rest) = if c != '{' {
        let seq = consumed(s, after);
        (seq, &seq[2..], after)
    } else {
        let Some(end) = s.find('}') else {
            return Err(error(ERR_INVALID_CHAR_RANGE, s));
        };
        (&s[..=end], &s[3..end], &s[end + 1..])
    };
    if let Some(inner) = name.strip_prefix('^') {
        negated = !negated;
        name = inner;
    }
    let Some((property, inverted)) = unicode_property(name) else {
        return Err(error(ERR_INVALID_CHAR_RANGE, seq));
    };
    Ok(Some((
        ClassItem::Property(property, negated != inverted),
        rest,
    )))
}

/// Go's `canonicalName`: separators (`_`, `-`, space) dropped, the first letter upper
/// case and the others lower case (ASCII only).
fn canonical_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if matches!(c, '_' | '-' | ' ') {
            continue;
        }
        if out.is_empty() {
            out.push(c.to_ascii_uppercase());
        } else {
            out.push(c.to_ascii_lowercase());
        }
    }
    out
}

/// The Rust property for a Go `\p` name and whether it must be inverted; `None` when Go
/// knows no such name.
fn unicode_property(name: &str) -> Option<(String, bool)> {
    let name = canonical_name(name);
    match name.as_str() {
        "Any" => return Some(("Any".to_string(), false)),
        "Assigned" => return Some(("Cn".to_string(), true)),
        "Ascii" => return Some(("ASCII".to_string(), false)),
        "Lc" => return Some(("LC".to_string(), false)),
        _ => {}
    }
    if CATEGORIES.contains(&name.as_str()) {
        return Some((name, false));
    }
    if SCRIPTS.contains(&name.as_str()) {
        return Some((format!("sc={name}"), false));
    }
    CATEGORY_ALIASES
        .iter()
        .find(|(alias, _)| *alias == name)
        .map(|(_, category)| (category.to_string(), false))
}

/// The general categories Go's `unicode.Categories` holds (canonical spellings).
#[rustfmt::skip]
const CATEGORIES: &[&str] = &[
    "C", "Cc", "Cf", "Cn", "Co", "Cs", "L", "Ll", "Lm", "Lo", "Lt", "Lu", "M", "Mc", "Me", "Mn",
    "N", "Nd", "Nl", "No", "P", "Pc", "Pd", "Pe", "Pf", "Pi", "Po", "Ps", "S", "Sc", "Sk", "Sm",
    "So", "Z", "Zl", "Zp", "Zs",
];

/// Go's `unicode.CategoryAliases`, canonicalized as Go looks them up.
const CATEGORY_ALIASES: &[(&str, &str)] = &[
    ("Casedletter", "LC"),
    ("Closepunctuation", "Pe"),
    ("Cntrl", "Cc"),
    ("Combiningmark", "M"),
    ("Connectorpunctuation", "Pc"),
    ("Control", "Cc"),
    ("Currencysymbol", "Sc"),
    ("Dashpunctuation", "Pd"),
    ("Decimalnumber", "Nd"),
    ("Digit", "Nd"),
    ("Enclosingmark", "Me"),
    ("Finalpunctuation", "Pf"),
    ("Format", "Cf"),
    ("Initialpunctuation", "Pi"),
    ("Letter", "L"),
    ("Letternumber", "Nl"),
    ("Lineseparator", "Zl"),
    ("Lowercaseletter", "Ll"),
    ("Mark", "M"),
    ("Mathsymbol", "Sm"),
    ("Modifierletter", "Lm"),
    ("Modifiersymbol", "Sk"),
    ("Nonspacingmark", "Mn"),
    ("Number", "N"),
    ("Openpunctuation", "Ps"),
    ("Other", "C"),
    ("Otherletter", "Lo"),
    ("Othernumber", "No"),
    ("Otherpunctuation", "Po"),
    ("Othersymbol", "So"),
    ("Paragraphseparator", "Zp"),
    ("Privateuse", "Co"),
    ("Punct", "P"),
    ("Punctuation", "P"),
    ("Separator", "Z"),
    ("Spaceseparator", "Zs"),
    ("Spacingmark", "Mc"),
    ("Surrogate", "Cs"),
    ("Symbol", "S"),
    ("Titlecaseletter", "Lt"),
    ("Unassigned", "Cn"),
    ("Uppercaseletter", "Lu"),
];

/// The scripts of Go's `unicode.Scripts` (Unicode 15.0) that Go's lookup can reach: its
/// keys are looked up after canonicalization, so names with an underscore or an inner
/// capital (`Old_Italic`, `SignWriting`) are unreachable in Go and left out here.
#[rustfmt::skip]
const SCRIPTS: &[&str] = &[
    "Adlam", "Ahom", "Arabic", "Armenian", "Avestan", "Balinese", "Bamum", "Batak", "Bengali",
    "Bhaiksuki", "Bopomofo", "Brahmi", "Braille", "Buginese", "Buhid", "Carian", "Chakma", "Cham",
    "Cherokee", "Chorasmian", "Common", "Coptic", "Cuneiform", "Cypriot", "Cyrillic", "Deseret",
    "Devanagari", "Dogra", "Duployan", "Elbasan", "Elymaic", "Ethiopic", "Georgian", "Glagolitic",
    "Gothic", "Grantha", "Greek", "Gujarati", "Gurmukhi", "Han", "Hangul", "Hanunoo", "Hatran",
    "Hebrew", "Hiragana", "Inherited", "Javanese", "Kaithi", "Kannada", "Katakana", "Kawi",
    "Kharoshthi", "Khmer", "Khojki", "Khudawadi", "Lao", "Latin", "Lepcha", "Limbu", "Lisu",
    "Lycian", "Lydian", "Mahajani", "Makasar", "Malayalam", "Mandaic", "Manichaean", "Marchen",
    "Medefaidrin", "Miao", "Modi", "Mongolian", "Mro", "Multani", "Myanmar", "Nabataean",
    "Nandinagari", "Newa", "Nko", "Nushu", "Ogham", "Oriya", "Osage", "Osmanya", "Palmyrene",
    "Phoenician", "Rejang", "Runic", "Samaritan", "Saurashtra", "Sharada", "Shavian", "Siddham",
    "Sinhala", "Sogdian", "Soyombo", "Sundanese", "Syriac", "Tagalog", "Tagbanwa", "Takri", "Tamil",
    "Tangsa", "Tangut", "Telugu", "Thaana", "Thai", "Tibetan", "Tifinagh", "Tirhuta", "Toto",
    "Ugaritic", "Vai", "Vithkuqi", "Wancho", "Yezidi", "Yi",
];

/// A class character: an escape or a plain rune. `whole` is the class text for Go's
/// "missing closing ]" message.
pub(super) fn parse_class_char<'s>(s: &'s str, whole: &str) -> Result<(u32, &'s str), SyntaxError> {
    if s.is_empty() {
        return Err(error(ERR_MISSING_BRACKET, whole));
    }
    if s.starts_with('\\') {
        return parse_escape(s);
    }
    let (c, rest) = next_rune(s);
    Ok((u32::from(c), rest))
}

/// Go's `parseEscape`: a single-character escape at the start of `s` (which starts with
/// a backslash), as a code point (possibly a surrogate, which Go accepts).
pub(super) fn parse_escape(s: &str) -> Result<(u32, &str), SyntaxError> {
    let t = &s[1..];
    if t.is_empty() {
        return Err(error(ERR_TRAILING_BACKSLASH, ""));
    }
    let (c, mut t) = next_rune(t);
    let invalid = |t: &str| Err(error(ERR_INVALID_ESCAPE, consumed(s, t)));
    let octal = |b: Option<&u8>| b.is_some_and(|b| (b'0'..=b'7').contains(b));
    match c {
        '1'..='7' if !octal(t.as_bytes().first()) => invalid(t),
        '0'..='7' => {
            // Up to three octal digits; a lone `\1`-`\7` would be a backreference.
            let mut r = c as u32 - '0' as u32;
            for _ in 1..3 {
                match t.as_bytes().first() {
                    Some(&b) if octal(Some(&b)) => {
                        r = r * 8 + u32::from(b - b'0');
                        t = &t[1..];
                    }
                    _ => break,
                }
            }
            Ok((r, t))
        }
        'x' => {
            if t.is_empty() {
                return invalid(t);
            }
            let (c, rest) = next_rune(t);
            t = rest;
            if c == '{' {
                // Any number of hex digits in braces, at least one.
                let mut r: u32 = 0;
                let mut digits = 0;
                loop {
                    if t.is_empty() {
                        return invalid(t);
                    }
                    let (c, rest) = next_rune(t);
                    t = rest;
                    if c == '}' {
                        break;
                    }
                    let Some(v) = c.to_digit(16) else {
                        return invalid(t);
                    };
                    r = r * 16 + v;
                    if r > MAX_RUNE {
                        return invalid(t);
                    }
                    digits += 1;
                }
                if digits == 0 {
                    return invalid(t);
                }
                return Ok((r, t));
            }
            let (c2, rest) = next_rune(t);
            t = rest;
            match (c.to_digit(16), c2.to_digit(16)) {
                (Some(x), Some(y)) => Ok((x * 16 + y, t)),
                _ => invalid(t),
            }
        }
        'a' => Ok((0x07, t)),
        'f' => Ok((0x0C, t)),
        'n' => Ok((0x0A, t)),
        'r' => Ok((0x0D, t)),
        't' => Ok((0x09, t)),
        'v' => Ok((0x0B, t)),
        // Escaped punctuation is itself (PCRE is laxer: Go rejects `\q`).
        c if c.is_ascii() && !c.is_ascii_alphanumeric() => Ok((u32::from(c), t)),
        _ => invalid(t),
    }
}
