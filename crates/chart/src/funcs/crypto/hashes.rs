//! Sprig's digests of a string: `sha1sum`, `sha256sum`, `sha512sum` (lowercase hex) and
//! `adler32sum` (the checksum in decimal, as Sprig prints it with `%d`).

use helmpilot_template::{Function, Functions, GoType, Signature, Value};
use sha1::Sha1;
use sha2::{Digest, Sha256, Sha512};

pub(super) fn register(funcs: &mut Functions) {
    funcs.insert("sha1sum", digest_function::<Sha1>());
    funcs.insert("sha256sum", digest_function::<Sha256>());
    funcs.insert("sha512sum", digest_function::<Sha512>());
    funcs.insert(
        "adler32sum",
        Function::new(Signature::fixed(&[GoType::String]), |_, args| {
            let input = args[0].as_str().unwrap_or_default();
            Ok(Value::from(adler32(input.as_bytes()).to_string()))
        }),
    );
}

/// `func(input string) string`: the hex digest of the string's bytes.
fn digest_function<D: Digest>() -> Function {
    Function::new(Signature::fixed(&[GoType::String]), |_, args| {
        let input = args[0].as_str().unwrap_or_default();
        Ok(Value::from(hex(&D::digest(input.as_bytes()))))
    })
}

/// Lowercase hex, as Go's `hex.EncodeToString`.
pub(super) fn hex(bytes: &[u8]) -> String {
    use std::fmt::Write;
    bytes
        .iter()
        .fold(String::with_capacity(bytes.len() * 2), |mut s, b| {
            let _ = write!(s, "{b:02x}");
            s
        })
}

/// Adler-32 (RFC 1950), as Go's `hash/adler32.Checksum`.
fn adler32(data: &[u8]) -> u32 {
    const MOD: u32 = 65521;
    let (mut a, mut b) = (1u32, 0u32);
    // 5552 bytes is the most that can be summed before `b` could overflow a u32.
    for chunk in data.chunks(5552) {
        for &byte in chunk {
            a += u32::from(byte);
            b += a;
        }
        a %= MOD;
        b %= MOD;
    }
    b << 16 | a
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adler32_known_values() {
        assert_eq!(adler32(b""), 1);
        assert_eq!(adler32(b"Wikipedia"), 0x11e6_0398);
        // Long input exercises the modular reduction.
        assert_eq!(adler32(&[0xff; 100_000]), {
            let (mut a, mut b) = (1u64, 0u64);
            for _ in 0..100_000 {
                a = (a + 255) % 65521;
                b = (b + a) % 65521;
            }
            (b << 16 | a) as u32
        });
    }
}
