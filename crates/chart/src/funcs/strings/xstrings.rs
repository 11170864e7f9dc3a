//! huandu/xstrings v1.5.0 as Sprig uses it: `ToPascalCase` (Sprig's `camelcase`),
//! `ToSnakeCase`, `ToKebabCase` and `Shuffle`, reproduced rule for rule (the word
//! splitting has many special cases, e.g. `HTTP20xOK` → `http_20x_ok`, `_` → `__` in
//! camel case).
//!
//! Go decodes invalid UTF-8 as U+FFFD and these routines skip such runes; our strings are
//! valid UTF-8, but a literal U+FFFD is treated the same way, as Go cannot tell them apart.

use rand_core::RngCore;

use super::gounicode::{
    is_letter, is_number, is_punct, is_space, is_upper, to_lower, to_upper, RUNE_ERROR,
};

/// Go's `utf8.DecodeRuneInString`: the first rune and its width; `(RuneError, 0)` when
/// empty.
fn decode(s: &str) -> (char, usize) {
    s.chars()
        .next()
        .map_or((RUNE_ERROR, 0), |c| (c, c.len_utf8()))
}

fn is_connector(c: char) -> bool {
    c == '-' || c == '_' || is_space(c)
}

/// xstrings' `isAlphabet`: a letter, CJK ideographs excluded.
fn is_alphabet(c: char) -> bool {
    if !is_letter(c) {
        return false;
    }
    !matches!(u32::from(c), 0x4E00..=0x9FCC | 0x3400..=0x4D85 | 0x20000..=0x2B81D)
}

/// `ToPascalCase`: words separated by spaces, underscores and hyphens become
/// capitalized and joined; leading connectors and runs of connectors survive in part.
///
/// For example `some_words` becomes `SomeWords` and `_complex__case_` becomes
/// `_Complex_Case_`.
pub(crate) fn to_pascal_case(s: &str) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    let mut r0 = RUNE_ERROR;
    let mut size = 0;
    let mut first_upper = false;
    // Leading connectors are copied.
    while !rest.is_empty() {
        (r0, size) = decode(rest);
        rest = &rest[size..];
        if !is_connector(r0) {
            first_upper = is_upper(r0);
            r0 = to_upper(r0);
            break;
        }
        out.push(r0);
    }
    if rest.is_empty() {
        // xstrings writes the last rune again here, even when it was a connector
        // already copied above: `_` becomes `__`.
        if size != 0 {
            out.push(r0);
        }
        return out;
    }
    while !rest.is_empty() {
        let r1 = r0;
        (r0, size) = decode(rest);
        rest = &rest[size..];
        if is_connector(r0) && is_connector(r1) {
            out.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = is_upper(r0);
            r0 = to_upper(r0);
        } else {
            // A word that starts in upper case is lowered until its first non-upper
            // rune: `GOLANG` → `Golang`, but `HTTPServer` → `Httpserver`.
            if first_upper {
                if is_upper(r0) {
                    r0 = to_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            out.push(r1);
        }
    }
    out.push(r0);
    out
}

/// `ToSnakeCase`.
pub(crate) fn to_snake_case(s: &str) -> String {
    camel_to_lower(s, '_')
}

/// `ToKebabCase`.
pub(crate) fn to_kebab_case(s: &str) -> String {
    camel_to_lower(s, '-')
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    UpperCase,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// The next rune that is not U+FFFD and the bytes up to its end; `prev` (and all the
/// bytes) when only U+FFFD remain.
fn next_valid_rune(s: &str, prev: char) -> (char, usize) {
    let mut size = 0;
    for c in s.chars() {
        size += c.len_utf8();
        if c != RUNE_ERROR {
            return (c, size);
        }
    }
    (prev, size)
}

/// Splits off the next word: its type, the word and the remaining text.
fn next_word(s: &str) -> (Word, &str, &str) {
    if s.is_empty() {
        return (Word::Invalid, "", "");
    }
    let (mut r, mut size) = next_valid_rune(s, RUNE_ERROR);
    let mut offset = size;
    if r == RUNE_ERROR {
        return (Word::Invalid, &s[..offset], &s[offset..]);
    }
    let mut remaining = &s[size..];
    let word_type = if is_connector(r) {
        extend_word(&mut r, &mut offset, &mut remaining, is_connector);
        Word::Connector
    } else if is_punct(r) {
        extend_word(&mut r, &mut offset, &mut remaining, is_punct);
        Word::Punct
    } else if is_upper(r) {
        if !remaining.is_empty() {
            (r, size) = next_valid_rune(remaining, r);
            if is_upper(r) {
                let mut prev_size = size;
                offset += size;
                remaining = &remaining[size..];
                while !remaining.is_empty() {
                    (r, size) = next_valid_rune(remaining, r);
                    if !is_upper(r) {
                        break;
                    }
                    prev_size = size;
                    offset += size;
                    remaining = &remaining[size..];
                }
                // `HTTPStatus` is `HTTP` + `Status`: the last capital starts the next word.
                if !remaining.is_empty() && is_alphabet(r) {
                    offset -= prev_size;
                    remaining = &s[offset..];
                }
            } else if is_alphabet(r) {
                offset += size;
                remaining = &remaining[size..];
                extend_word(&mut r, &mut offset, &mut remaining, |c| {
                    is_alphabet(c) && !is_upper(c)
                });
            }
        }
        Word::UpperCase
    } else if is_alphabet(r) {
        extend_word(&mut r, &mut offset, &mut remaining, |c| {
            is_alphabet(c) && !is_upper(c)
        });
        Word::Alphabet
    } else if is_number(r) {
        extend_word(&mut r, &mut offset, &mut remaining, is_number);
        Word::Number
    } else {
        extend_word(&mut r, &mut offset, &mut remaining, |c| {
            !(is_connector(c) || is_alphabet(c) || is_number(c) || is_punct(c))
        });
        Word::Other
    };
    (word_type, &s[..offset], remaining)
}

/// Extends a word while `keep` accepts the next valid rune; `r` ends as the rune that
/// stopped it (or the last one).
fn extend_word(
    r: &mut char,
    offset: &mut usize,
    remaining: &mut &str,
    keep: impl Fn(char) -> bool,
) {
    while !remaining.is_empty() {
        let (next, size) = next_valid_rune(remaining, *r);
        *r = next;
        if !keep(next) {
            break;
        }
        *offset += size;
        *remaining = &remaining[size..];
    }
}

/// Writes a word: upper-case words and connector runs are lowered and connectors
/// replaced; other words are copied.
fn write_lower(out: &mut String, word_type: Word, word: &str, connector: char) {
    if word_type != Word::UpperCase && word_type != Word::Connector {
        out.push_str(word);
        return;
    }
    for c in word.chars() {
        if is_connector(c) {
            out.push(connector);
        } else if is_upper(c) {
            out.push(to_lower(c));
        } else {
            out.push(c);
        }
    }
}

/// xstrings' `camelCaseToLowerCase`: words joined with `connector`, numbers attached to
/// the word before them unless lower-case letters follow the number.
fn camel_to_lower(s: &str, connector: char) -> String {
    if s.is_empty() {
        return String::new();
    }
    let mut out = String::with_capacity(s.len() + s.len() / 4);
    let (mut wt, mut word, mut remaining) = next_word(s);
    while !remaining.is_empty() {
        if wt != Word::Connector {
            write_lower(&mut out, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word, remaining) = next_word(remaining);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    write_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector {
                    out.push(connector);
                }
            }
            Word::Connector => write_lower(&mut out, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                if remaining.is_empty() {
                    continue;
                }
                let number = word;
                (wt, word, remaining) = next_word(remaining);
                // A number is part of the word before it ("Bld4Floor" → "bld4_floor")...
                if wt != Word::Alphabet {
                    write_lower(&mut out, Word::Number, number, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        out.push(connector);
                    }
                    continue;
                }
                // ...unless lower-case letters follow it ("HTTP2xx" → "http_2xx").
                out.push(connector);
                write_lower(&mut out, Word::Number, number, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    write_lower(&mut out, wt, word, connector);
                    (wt, word, remaining) = next_word(remaining);
                }
                if wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct {
                    out.push(connector);
                }
            }
        }
    }
    write_lower(&mut out, wt, word, connector);
    out
}

/// `Shuffle`: a Fisher–Yates shuffle of the runes (not bytes), drawing from `rng`
/// where xstrings draws from `math/rand`.
pub(crate) fn shuffle(s: &str, rng: &mut dyn RngCore) -> String {
    let mut runes: Vec<char> = s.chars().collect();
    for i in (1..runes.len()).rev() {
        let j = uniform_below(rng, i as u64 + 1) as usize;
        runes.swap(i, j);
    }
    runes.into_iter().collect()
}

/// A uniform integer in `0..n` (n > 0), by rejection so no value is favoured.
fn uniform_below(rng: &mut dyn RngCore, n: u64) -> u64 {
    let zone = u64::MAX - u64::MAX % n;
    loop {
        let x = rng.next_u64();
        if x < zone {
            return x % n;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn pascal_case_samples() {
        for (input, expected) in [
            ("some_words", "SomeWords"),
            ("_complex__case_", "_Complex_Case_"),
            ("GOLANG_IS_GREAT", "GolangIsGreat"),
            ("HTTPServer", "Httpserver"),
            ("_", "__"),
            ("a  b", "A B"),
        ] {
            assert_eq!(to_pascal_case(input), expected, "{input}");
        }
    }

    #[test]
    fn snake_case_samples() {
        for (input, expected) in [
            ("FirstName", "first_name"),
            ("HTTPServer", "http_server"),
            ("NoHTTPS", "no_https"),
            ("GO PATH", "go_path"),
            ("http2xx", "http_2xx"),
            ("HTTP20xOK", "http_20x_ok"),
            ("Duration2m3s", "duration_2m3s"),
            ("Bld4Floor3rd", "bld4_floor_3rd"),
            ("中文Abc", "中文_abc"),
        ] {
            assert_eq!(to_snake_case(input), expected, "{input}");
        }
        assert_eq!(to_kebab_case("_complex__case_"), "-complex--case-");
    }

    #[test]
    fn shuffle_is_a_deterministic_permutation() {
        let text = "héllo wörld ✓ 12345";
        let a = shuffle(text, &mut ChaCha20Rng::seed_from_u64(7));
        let b = shuffle(text, &mut ChaCha20Rng::seed_from_u64(7));
        assert_eq!(a, b);
        let mut sorted_in: Vec<char> = text.chars().collect();
        let mut sorted_out: Vec<char> = a.chars().collect();
        sorted_in.sort_unstable();
        sorted_out.sort_unstable();
        assert_eq!(sorted_in, sorted_out);
        assert_ne!(a, text);
        assert_eq!(shuffle("", &mut ChaCha20Rng::seed_from_u64(7)), "");
    }
}
