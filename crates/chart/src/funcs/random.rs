//! Sprig's random values: `randAlphaNum`, `randAlpha`, `randNumeric`, `randAscii`
//! (strings from goutils' `CryptoRandom*` alphabets), `randBytes` (base64 of random
//! bytes) and `uuidv4` (RFC 4122 version 4, lowercase).
//!
//! Every draw comes from the call's seeded generator ([`FunctionEnv::rng`]), so a render
//! is reproducible. Quirks reproduced: the string functions give "" for a negative
//! count (Sprig drops goutils' error), while `randBytes` with a negative count fails
//! with the runtime error Go's `make` panics with. Counts so large that Go would run out
//! of memory fail with an error instead (see [`MAX_COUNT`]).

use crate::funcs::cast::int_arg;
use std::sync::Arc;

use helmpilot_template::{Error, Function, Functions, GoType, Signature, Value};
use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;

use super::encoding::base64_encode;
use super::FunctionEnv;

/// The largest count we generate (64 Mi characters or bytes). Go would allocate up to
/// 4 bytes per requested character and fail only when memory runs out; a template
/// asking for more than this is a mistake we report rather than attempt.
pub(crate) const MAX_COUNT: i64 = 64 << 20;

/// Go's `make` refuses lengths whose allocation exceeds the address space it supports
/// (2^48 bytes on 64-bit) with a recoverable panic; elements of `size` bytes.
fn go_makeslice_ok(count: i64, size: i64) -> bool {
    (0..=(1i64 << 48) / size).contains(&count)
}

const DIGITS: &[u8] = b"0123456789";
const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
const ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    // goutils draws from ' '..='z' and keeps letters and digits (alphanumeric), letters
    // (alphabetic) or digits (numeric); `CryptoRandomAscii` takes all of 32..=126.
    let ascii: Vec<u8> = (32u8..127).collect();
    for (name, alphabet) in [
        ("randAlphaNum", ALPHANUMERIC.to_vec()),
        ("randAlpha", LETTERS.to_vec()),
        ("randNumeric", DIGITS.to_vec()),
        ("randAscii", ascii),
    ] {
        let env = env.clone();
        funcs.insert(
            name,
            Function::new(Signature::fixed(&[GoType::Int]), move |ctx, args| {
                let count = int_arg(&args[0]);
                if count <= 0 {
                    return Ok(Value::from(""));
                }
                check_count(name, count, 4)?;
                let mut rng = env.rng(&ctx.call_site());
                let text: String = (0..count)
                    .map(|_| char::from(alphabet[uniform(&mut rng, alphabet.len())]))
                    .collect();
                Ok(Value::from(text))
            }),
        );
    }
    let bytes_env = env.clone();
    funcs.insert(
        "randBytes",
        Function::new(Signature::fixed(&[GoType::Int]), move |ctx, args| {
            let count = int_arg(&args[0]);
            if count < 0 {
                return Err(Error::function(
                    "runtime error: makeslice: len out of range",
                ));
            }
            check_count("randBytes", count, 1)?;
            let mut buf = vec![0u8; count as usize];
            bytes_env.rng(&ctx.call_site()).fill_bytes(&mut buf);
            Ok(Value::from(base64_encode(&buf)))
        }),
    );
    let uuid_env = env.clone();
    funcs.insert(
        "uuidv4",
        Function::new(Signature::fixed(&[]), move |ctx, _| {
            let mut b = [0u8; 16];
            uuid_env.rng(&ctx.call_site()).fill_bytes(&mut b);
            Ok(Value::from(uuid_v4(b)))
        }),
    );
}

/// Fails for counts Go could not allocate (with Go's panic text) or that exceed
/// [`MAX_COUNT`].
fn check_count(name: &str, count: i64, element_size: i64) -> Result<(), Error> {
    if !go_makeslice_ok(count, element_size) {
        return Err(Error::function(
            "runtime error: makeslice: len out of range",
        ));
    }
    if count > MAX_COUNT {
        return Err(Error::function(format!(
            "{name}: count {count} is larger than the supported maximum of {MAX_COUNT}"
        )));
    }
    Ok(())
}

/// A uniform index below `n` (0 < n <= 2^32), by rejection so no index is favoured.
fn uniform(rng: &mut ChaCha20Rng, n: usize) -> usize {
    let n = n as u64;
    let zone = (1u64 << 32) - (1u64 << 32) % n;
    loop {
        let v = u64::from(rng.next_u32());
        if v < zone {
            return (v % n) as usize;
        }
    }
}

/// The textual form of a version 4, variant 10 UUID built from 16 random bytes: 16 zero
/// bytes give `00000000-0000-4000-8000-000000000000`.
fn uuid_v4(mut b: [u8; 16]) -> String {
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    #[test]
    fn uuid_layout() {
        assert_eq!(uuid_v4([0; 16]), "00000000-0000-4000-8000-000000000000");
        assert_eq!(uuid_v4([0xff; 16]), "ffffffff-ffff-4fff-bfff-ffffffffffff");
    }

    #[test]
    fn uniform_covers_the_range() {
        let mut rng = ChaCha20Rng::from_seed([1; 32]);
        let mut seen = [false; 10];
        for _ in 0..1000 {
            seen[uniform(&mut rng, 10)] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn counts_are_bounded() {
        assert!(check_count("x", MAX_COUNT, 4).is_ok());
        assert!(check_count("x", MAX_COUNT + 1, 4).is_err());
        assert_eq!(
            check_count("x", 1 << 47, 4).unwrap_err().to_string(),
            "runtime error: makeslice: len out of range"
        );
    }
}
