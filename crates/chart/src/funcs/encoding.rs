//! Sprig's base64 and base32 functions: `b64enc`, `b64dec`, `b32enc`, `b32dec`, with Go's
//! standard padded alphabets (`encoding/base64.StdEncoding`, `encoding/base32.StdEncoding`).
//!
//! Go quirks we reproduce:
//! - Decoding errors are not template errors: Sprig returns the error text as the decoded
//!   string (`illegal base64 data at input byte 4`), with Go's exact byte offset.
//! - Both decoders skip `\r` and `\n` anywhere; base32 removes them before decoding, so
//!   its error offsets count without them, while base64's count them.
//! - Go's base32 decoder takes `=` for padding only within the last 8 symbols and then
//!   ignores what follows the padding run (`MY======x` decodes to `f`).
//! - Decoded bytes that are not UTF-8 become U+FFFD, one per invalid byte, as Helm's
//!   output shows them.

use std::sync::Arc;

use helmpilot_template::{Function, Functions, GoType, Signature, Value};

use super::strings::gounicode::go_lossy;
use super::FunctionEnv;

const BASE64_ALPHABET: &[u8; 64] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const BASE32_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
const PAD: u8 = b'=';

/// Bytes in, text out.
type Codec = fn(&[u8]) -> String;

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    let codecs: [(&str, Codec); 4] = [
        ("b64enc", base64_encode),
        ("b32enc", base32_encode),
        ("b64dec", |input| match base64_decode(input) {
            Ok(bytes) => go_lossy(&bytes),
            Err(at) => format!("illegal base64 data at input byte {at}"),
        }),
        ("b32dec", |input| match base32_decode(input) {
            Ok(bytes) => go_lossy(&bytes),
            Err(at) => format!("illegal base32 data at input byte {at}"),
        }),
    ];
    for (name, codec) in codecs {
        funcs.insert(
            name,
            Function::new(Signature::fixed(&[GoType::String]), move |_, args| {
                let input = args[0].as_str().unwrap_or_default();
                Ok(Value::from(codec(input.as_bytes())))
            }),
        );
    }
}

/// Standard padded base64 (Go's `base64.StdEncoding`), for `b64enc`, PEM blocks, AES
/// output, random bytes and `.Files.AsSecrets`.
///
/// For example `hi` becomes `aGk=`.
pub(crate) fn base64_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(3) * 4);
    for chunk in input.chunks(3) {
        let mut block = [0u8; 3];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = u32::from(block[0]) << 16 | u32::from(block[1]) << 8 | u32::from(block[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(char::from(
                    BASE64_ALPHABET[(bits >> (18 - 6 * i) & 0x3F) as usize],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

/// Standard padded base32.
fn base32_encode(input: &[u8]) -> String {
    let mut out = String::with_capacity(input.len().div_ceil(5) * 8);
    for chunk in input.chunks(5) {
        let mut block = [0u8; 5];
        block[..chunk.len()].copy_from_slice(chunk);
        let bits = block.iter().fold(0u64, |acc, &b| acc << 8 | u64::from(b));
        // Characters that carry input bits: 2, 4, 5, 7 or 8 for 1 to 5 bytes.
        let used = (chunk.len() * 8).div_ceil(5);
        for i in 0..8 {
            if i < used {
                out.push(char::from(
                    BASE32_ALPHABET[(bits >> (35 - 5 * i) & 0x1F) as usize],
                ));
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn decode_map(alphabet: &[u8]) -> [u8; 256] {
    let mut map = [0xFF; 256];
    for (value, &symbol) in alphabet.iter().enumerate() {
        map[symbol as usize] = value as u8;
    }
    map
}

fn is_newline(b: u8) -> bool {
    b == b'\n' || b == b'\r'
}

/// Go's `base64.StdEncoding.DecodeString`, quantum by quantum; the error is Go's
/// `CorruptInputError` offset into the input.
fn base64_decode(src: &[u8]) -> Result<Vec<u8>, usize> {
    let map = decode_map(BASE64_ALPHABET);
    let mut out = Vec::with_capacity(src.len() / 4 * 3);
    let mut si = 0;
    while si < src.len() {
        let mut quantum = [0u8; 4];
        let mut len = 4;
        let mut j = 0;
        let mut trailing_garbage = None;
        while j < 4 {
            if si == src.len() {
                if j == 0 {
                    return Ok(out);
                }
                // A partial quantum without its padding.
                return Err(si - j);
            }
            let symbol = src[si];
            si += 1;
            let value = map[symbol as usize];
            if value != 0xFF {
                quantum[j] = value;
                j += 1;
                continue;
            }
            if is_newline(symbol) {
                continue;
            }
            if symbol != PAD {
                return Err(si - 1);
            }
            // Padding: only after two or three symbols, and "==" after two.
            match j {
                0 | 1 => return Err(si - 1),
                2 => {
                    while si < src.len() && is_newline(src[si]) {
                        si += 1;
                    }
                    if si == src.len() {
                        return Err(src.len());
                    }
                    if src[si] != PAD {
                        return Err(si - 1);
                    }
                    si += 1;
                }
                _ => {}
            }
            while si < src.len() && is_newline(src[si]) {
                si += 1;
            }
            if si < src.len() {
                trailing_garbage = Some(si);
            }
            len = j;
            break;
        }
        let bits = quantum.iter().fold(0u32, |acc, &v| acc << 6 | u32::from(v));
        let bytes = [(bits >> 16) as u8, (bits >> 8) as u8, bits as u8];
        out.extend_from_slice(&bytes[..len - 1]);
        if let Some(at) = trailing_garbage {
            return Err(at);
        }
    }
    Ok(out)
}

/// Go's `base32.StdEncoding.DecodeString`: newlines removed first, then 8-symbol quanta;
/// the error is Go's `CorruptInputError` offset into the input without newlines.
fn base32_decode(input: &[u8]) -> Result<Vec<u8>, usize> {
    let map = decode_map(BASE32_ALPHABET);
    let src: Vec<u8> = input.iter().copied().filter(|&b| !is_newline(b)).collect();
    let total = src.len();
    let mut out = Vec::with_capacity(total / 8 * 5);
    let mut rest = &src[..];
    let mut end = false;
    while !rest.is_empty() && !end {
        let mut quantum = [0u8; 8];
        let mut len = 8;
        let mut j = 0;
        while j < 8 {
            let Some((&symbol, tail)) = rest.split_first() else {
                // The input ended inside a quantum: its padding is missing.
                return Err(total - j);
            };
            rest = tail;
            if symbol == PAD && j >= 2 && rest.len() < 8 {
                // Padding: the quantum must be completed with `=`.
                if rest.len() + j < 7 {
                    return Err(total);
                }
                for k in 0..7 - j {
                    if rest.len() > k && rest[k] != PAD {
                        return Err(total - rest.len() + k - 1);
                    }
                }
                len = j;
                end = true;
                // 1, 3 and 6 symbols cannot hold a whole byte.
                if matches!(len, 1 | 3 | 6) {
                    return Err(total - rest.len() - 1);
                }
                break;
            }
            let value = map[symbol as usize];
            if value == 0xFF {
                return Err(total - rest.len() - 1);
            }
            quantum[j] = value;
            j += 1;
        }
        let bits = quantum.iter().fold(0u64, |acc, &v| acc << 5 | u64::from(v));
        let bytes = bits.to_be_bytes();
        // Symbols 2, 4, 5, 7, 8 complete bytes 1 to 5.
        let produced = len * 5 / 8;
        out.extend_from_slice(&bytes[3..3 + produced]);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips() {
        for input in [
            "",
            "f",
            "fo",
            "foo",
            "foob",
            "fooba",
            "foobar",
            "héllo wörld ✓",
        ] {
            let b64 = base64_encode(input.as_bytes());
            assert_eq!(base64_decode(b64.as_bytes()).unwrap(), input.as_bytes());
            let b32 = base32_encode(input.as_bytes());
            assert_eq!(base32_decode(b32.as_bytes()).unwrap(), input.as_bytes());
        }
        assert_eq!(base64_encode(b"foobar"), "Zm9vYmFy");
        assert_eq!(base32_encode(b"foobar"), "MZXW6YTBOI======");
    }

    #[test]
    fn go_error_offsets() {
        assert_eq!(base64_decode(b"Zm9v!"), Err(4));
        assert_eq!(base64_decode(b"Zm9"), Err(0));
        assert_eq!(base64_decode(b"Zg="), Err(3));
        assert_eq!(base64_decode(b"Zg==x"), Err(4));
        assert_eq!(base32_decode(b"MY"), Err(0));
        assert_eq!(base32_decode(b"MY======x").unwrap(), b"f");
        assert_eq!(base32_decode(b"MY======xyz"), Err(2));
    }
}
