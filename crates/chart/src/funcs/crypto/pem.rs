//! Go's `encoding/base64` (standard alphabet, padded) and `encoding/pem`, as far as the
//! crypto functions use them, with Go's leniencies and error texts: `decryptAES` prints
//! Go's base64 errors, and `pem.Decode` decides which key and certificate texts Sprig
//! accepts (text around a block, `\r\n` line ends, headers, blank padding).

use crate::funcs::encoding::base64_encode;

fn decode_symbol(b: u8) -> Option<u8> {
    match b {
        b'A'..=b'Z' => Some(b - b'A'),
        b'a'..=b'z' => Some(b - b'a' + 26),
        b'0'..=b'9' => Some(b - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    }
}

/// Go's `base64.StdEncoding.DecodeString`: `\r` and `\n` anywhere are skipped, padding is
/// required, and an error names the offending byte offset exactly as Go's
/// `CorruptInputError` does ("illegal base64 data at input byte N").
pub(crate) fn base64_decode(src: &[u8]) -> Result<Vec<u8>, String> {
    let corrupt = |at: usize| format!("illegal base64 data at input byte {at}");
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    loop {
        // One quantum of up to four symbols, mirroring Go's decodeQuantum.
        let mut buf = [0u8; 4];
        let mut len = 4;
        let mut j = 0;
        let mut end = false;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // A padded encoding needs whole quanta.
                return Err(corrupt(si - j));
            }
            let c = src[si];
            si += 1;
            if let Some(v) = decode_symbol(c) {
                buf[j] = v;
                j += 1;
                continue;
            }
            if c == b'\n' || c == b'\r' {
                continue;
            }
            if c != b'=' {
                return Err(corrupt(si - 1));
            }
            // Padding: only after two or three symbols.
            match j {
                0 | 1 => return Err(corrupt(si - 1)),
                2 => {
                    while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(corrupt(src.len()));
                    }
                    if src[si] != b'=' {
                        return Err(corrupt(si - 1));
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && (src[si] == b'\n' || src[si] == b'\r') {
                si += 1;
            }
            if si < src.len() {
                // Trailing garbage after the padding.
                return Err(corrupt(si));
            }
            len = j;
            end = true;
            break;
        }
        let n = u32::from(buf[0]) << 18
            | u32::from(buf[1]) << 12
            | u32::from(buf[2]) << 6
            | u32::from(buf[3]);
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if end {
            return Ok(out);
        }
    }
}

/// A PEM block: its type line and its decoded bytes (headers are read past, as Sprig
/// never looks at them).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Block {
    pub kind: String,
    pub bytes: Vec<u8>,
}

/// Go's `pem.EncodeToMemory` for a block without headers: 64-column base64 lines.
pub(crate) fn encode(kind: &str, bytes: &[u8]) -> String {
    let b64 = base64_encode(bytes);
    let mut out = format!("-----BEGIN {kind}-----\n");
    for line in b64.as_bytes().chunks(64) {
        // The base64 alphabet is ASCII, so every chunk is valid UTF-8.
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str(&format!("-----END {kind}-----\n"));
    out
}

/// Go's `getLine`: the line without its `\n` (or `\r\n`) and trailing blanks, and the rest.
fn get_line(data: &[u8]) -> (&[u8], &[u8]) {
    let (mut line_end, rest_start) = match data.iter().position(|&b| b == b'\n') {
        Some(i) => (i, i + 1),
        None => (data.len(), data.len()),
    };
    if line_end < data.len() && line_end > 0 && data[line_end - 1] == b'\r' {
        line_end -= 1;
    }
    let mut line = &data[..line_end];
    while let [head @ .., b' ' | b'\t'] = line {
        line = head;
    }
    (line, &data[rest_start..])
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Go's `pem.Decode`: the first well-formed block anywhere in `data`, skipping
/// malformed candidates exactly where Go skips them; `None` when there is none.
pub(crate) fn decode(data: &[u8]) -> Option<Block> {
    const START: &[u8] = b"\n-----BEGIN ";
    const END: &[u8] = b"\n-----END ";
    const DASHES: &[u8] = b"-----";
    let mut rest = data;
    loop {
        if rest.starts_with(&START[1..]) {
            rest = &rest[START.len() - 1..];
        } else if let Some(i) = find(rest, START) {
            rest = &rest[i + START.len()..];
        } else {
            return None;
        }
        let (type_line, after) = get_line(rest);
        rest = after;
        let Some(kind) = type_line.strip_suffix(DASHES) else {
            continue;
        };
        // Headers: `key: value` lines before the base64 body.
        let mut has_headers = false;
        loop {
            if rest.is_empty() {
                return None;
            }
            let (line, next) = get_line(rest);
            if !line.contains(&b':') {
                break;
            }
            has_headers = true;
            rest = next;
        }
        let (end_index, trailer_index) = if !has_headers && rest.starts_with(&END[1..]) {
            (0, END.len() - 1)
        } else {
            match find(rest, END) {
                Some(i) => (i, i + END.len()),
                None => continue,
            }
        };
        let trailer = &rest[trailer_index..];
        let trailer_len = kind.len() + DASHES.len();
        if trailer.len() < trailer_len {
            continue;
        }
        let (end_line, rest_of_end_line) = trailer.split_at(trailer_len);
        if !end_line.starts_with(kind) || !end_line.ends_with(DASHES) {
            continue;
        }
        if !get_line(rest_of_end_line).0.is_empty() {
            continue;
        }
        let body: Vec<u8> = rest[..end_index]
            .iter()
            .copied()
            .filter(|&b| b != b' ' && b != b'\t')
            .collect();
        let Ok(bytes) = base64_decode(&body) else {
            continue;
        };
        return Some(Block {
            kind: String::from_utf8_lossy(kind).into_owned(),
            bytes,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip_and_go_errors() {
        for data in [&b""[..], b"a", b"ab", b"abc", b"abcd", &[0xff, 0, 0x10]] {
            assert_eq!(base64_decode(base64_encode(data).as_bytes()).unwrap(), data);
        }
        assert_eq!(base64_encode(b"ab"), "YWI=");
        assert_eq!(base64_decode(b"YW\nI=").unwrap(), b"ab");
        let err = |s: &str| base64_decode(s.as_bytes()).unwrap_err();
        assert_eq!(err("!!"), "illegal base64 data at input byte 0");
        assert_eq!(err("YWJ"), "illegal base64 data at input byte 0");
        assert_eq!(err("YWJjZ"), "illegal base64 data at input byte 4");
        assert_eq!(err("YQ="), "illegal base64 data at input byte 3");
        assert_eq!(err("YQ==YQ=="), "illegal base64 data at input byte 4");
        assert_eq!(err("Y==="), "illegal base64 data at input byte 1");
    }

    #[test]
    fn pem_decode_like_go() {
        let text = encode("TEST", b"hello world");
        assert_eq!(
            decode(text.as_bytes()),
            Some(Block {
                kind: "TEST".into(),
                bytes: b"hello world".to_vec()
            })
        );
        let framed = format!("junk\r\n{}", text.replace('\n', "\r\n"));
        assert_eq!(decode(framed.as_bytes()).unwrap().bytes, b"hello world");
        let headers = "-----BEGIN X-----\nProc-Type: 4\n\nYWI=\n-----END X-----\n";
        assert_eq!(decode(headers.as_bytes()).unwrap().bytes, b"ab");
        assert_eq!(decode(b"-----BEGIN X-----\nYWI=\n-----END Y-----\n"), None);
        assert_eq!(decode(b"no pem here"), None);
        // A broken first block is skipped for a good second one.
        let two = format!("-----BEGIN A-----\n!!\n-----END A-----\n{text}");
        assert_eq!(decode(two.as_bytes()).unwrap().kind, "TEST");
    }
}
