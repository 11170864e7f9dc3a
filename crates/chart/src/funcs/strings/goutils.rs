//! Masterminds/goutils v1.1.1 as Sprig uses it: `Abbreviate`, `AbbreviateFull`,
//! `WrapCustom`, `Initials`, `DeleteWhiteSpace`, `SwapCase` and `Uncapitalize`.
//!
//! Several of these work on bytes, not runes, and we reproduce that:
//! - `Abbreviate` and `WrapCustom` cut at byte offsets, so they can split a multi-byte
//!   character; each invalid byte then becomes U+FFFD, as Helm's output shows it.
//! - `Initials` and `DeleteWhiteSpace` read each byte as the rune of the same value
//!   (Latin-1) and write it back UTF-8 encoded: non-ASCII text comes out as mojibake
//!   (`é` → `Ã©`), and the bytes 0x85 and 0xA0 count as white space (`à` loses its
//!   second byte). `DeleteWhiteSpace` returns its input unchanged when nothing was
//!   deleted.

use super::gounicode::{
    go_lossy, is_lower, is_space, is_title, is_upper, to_lower, to_title, to_upper,
};

/// `AbbreviateFull(str, offset, maxWidth)`, byte-based; `None` for its errors (width
/// below 4, or below 7 with an offset), which Sprig turns into "".
pub(crate) fn abbreviate_full(s: &str, offset: i64, max_width: i64) -> Option<String> {
    let bytes = s.as_bytes();
    let len = bytes.len() as i64;
    if s.is_empty() {
        return Some(String::new());
    }
    if max_width < 4 {
        return None;
    }
    if len <= max_width {
        return Some(s.to_string());
    }
    let mut offset = offset.min(len);
    // Go's int arithmetic wraps; only an absurd negative offset can make it.
    if len.wrapping_sub(offset) < max_width - 3 {
        offset = len - (max_width - 3);
    }
    const MARKER: &[u8] = b"...";
    if offset <= 4 {
        return Some(go_lossy(
            &[&bytes[..(max_width - 3) as usize], MARKER].concat(),
        ));
    }
    if max_width < 7 {
        return None;
    }
    let tail = if offset + max_width - 3 < len {
        // The rest from `offset`, itself abbreviated to the remaining width: it is longer
        // than that width, so this is its first `max_width - 6` bytes and a marker.
        [
            &bytes[offset as usize..(offset + max_width - 6) as usize],
            MARKER,
        ]
        .concat()
    } else {
        bytes[(len - (max_width - 3)) as usize..].to_vec()
    };
    Some(go_lossy(&[MARKER, &tail].concat()))
}

/// `WrapCustom(str, wrapLength, newLineStr, wrapLongWords)`: breaks lines at the last
/// space (`' '` only) within `wrap_length` bytes; a word longer than that is cut when
/// `wrap_long_words`, else kept whole up to the next space.
pub(crate) fn wrap_custom(
    s: &str,
    wrap_length: i64,
    newline: &str,
    wrap_long_words: bool,
) -> String {
    if s.is_empty() {
        return String::new();
    }
    let newline = if newline.is_empty() { "\n" } else { newline }.as_bytes();
    let width = wrap_length.max(1) as u64;
    let bytes = s.as_bytes();
    let len = bytes.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = Vec::with_capacity(len + len / 8);
    while (len - offset) as u64 > width {
        if bytes[offset] == b' ' {
            offset += 1;
            continue;
        }
        // In range: more than `width` bytes remain after `offset`.
        let width = width as usize;
        let window = &bytes[offset..offset + width + 1];
        if let Some(space) = window.iter().rposition(|&b| b == b' ') {
            out.extend_from_slice(&bytes[offset..offset + space]);
            out.extend_from_slice(newline);
            offset += space + 1;
        } else if wrap_long_words {
            out.extend_from_slice(&bytes[offset..offset + width]);
            out.extend_from_slice(newline);
            offset += width;
        } else {
            let end = offset + width;
            match bytes[end..].iter().position(|&b| b == b' ') {
                None => {
                    out.extend_from_slice(&bytes[offset..]);
                    offset = len;
                }
                Some(index) => {
                    out.extend_from_slice(&bytes[offset..end + index]);
                    out.extend_from_slice(newline);
                    offset = end + index + 1;
                }
            }
        }
    }
    out.extend_from_slice(&bytes[offset..]);
    go_lossy(&out)
}

/// `Initials(str)`: the first byte of each white-space separated word, each read as a
/// Latin-1 rune.
pub(crate) fn initials(s: &str) -> String {
    let mut out = String::new();
    let mut last_was_gap = true;
    for &b in s.as_bytes() {
        let c = char::from(b);
        if is_space(c) {
            last_was_gap = true;
        } else if last_was_gap {
            out.push(c);
            last_was_gap = false;
        }
    }
    out
}

/// `DeleteWhiteSpace(str)`: drops white-space bytes, reading bytes as Latin-1 runes.
pub(crate) fn delete_white_space(s: &str) -> String {
    let kept: Vec<char> = s
        .bytes()
        .map(char::from)
        .filter(|&c| !is_space(c))
        .collect();
    if kept.len() == s.len() {
        return s.to_string();
    }
    kept.into_iter().collect()
}

/// `SwapCase(str)`: upper and title case become lower; lower case becomes title case
/// at the start of a word (after white space or at the start) and upper case elsewhere.
pub(crate) fn swap_case(s: &str) -> String {
    let mut whitespace = true;
    s.chars()
        .map(|c| {
            if is_upper(c) || is_title(c) {
                whitespace = false;
                to_lower(c)
            } else if is_lower(c) {
                if whitespace {
                    whitespace = false;
                    to_title(c)
                } else {
                    to_upper(c)
                }
            } else {
                whitespace = is_space(c);
                c
            }
        })
        .collect()
}

/// `Uncapitalize(str)`: lowers the first rune of each white-space separated word.
pub(crate) fn uncapitalize(s: &str) -> String {
    let mut next = true;
    s.chars()
        .map(|c| {
            if is_space(c) {
                next = true;
                c
            } else if next {
                next = false;
                to_lower(c)
            } else {
                c
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn abbreviations() {
        let s = "abcdefghijklmno";
        assert_eq!(abbreviate_full(s, 0, 10).as_deref(), Some("abcdefg..."));
        assert_eq!(abbreviate_full(s, 5, 10).as_deref(), Some("...fghi..."));
        assert_eq!(abbreviate_full(s, 12, 10).as_deref(), Some("...ijklmno"));
        assert_eq!(abbreviate_full(s, 5, 6), None);
        assert_eq!(abbreviate_full(s, 0, 3), None);
    }

    #[test]
    fn byte_wise_quirks() {
        assert_eq!(delete_white_space("héllo wà"), "hÃ©llowÃ");
        assert_eq!(delete_white_space("héllo"), "héllo");
        assert_eq!(initials("hello world  élan"), "hwÃ");
        assert_eq!(wrap_custom("héllo", 2, "|", true), "h\u{FFFD}|\u{FFFD}l|lo");
    }
}
