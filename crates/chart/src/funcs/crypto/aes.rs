//! Sprig's `encryptAES` and `decryptAES`: AES-256-CBC with the password as key.
//!
//! Quirks reproduced from Sprig:
//! - the key is the password's bytes truncated or zero-padded to 32 bytes, no KDF;
//! - `encryptAES` pads with PKCS#7, prepends a random IV and base64-encodes; an empty
//!   plaintext gives an empty string (and `decryptAES` of "" gives "");
//! - `decryptAES` checks nothing: it strips as many bytes as the last byte says, so a
//!   wrong key yields garbage rather than an error. Inputs that make Go panic (shorter
//!   than an IV, not whole blocks, a padding count beyond the data) fail with the
//!   runtime error text Go's template engine reports for the panic.

use std::sync::Arc;

use aes::cipher::{BlockDecrypt, BlockEncrypt, KeyInit};
use aes::Aes256;
use helmpilot_template::{Error, Function, Functions, GoType, Signature, Value};
use rand_core::RngCore;

use super::pem::base64_decode;
use crate::funcs::encoding::base64_encode;
use crate::funcs::FunctionEnv;

const BLOCK: usize = 16;

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    let env = env.clone();
    funcs.insert(
        "encryptAES",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::String]),
            move |ctx, args| {
                let password = args[0].as_str().unwrap_or_default();
                let plaintext = args[1].as_str().unwrap_or_default();
                if plaintext.is_empty() {
                    return Ok(Value::from(""));
                }
                let mut iv = [0u8; BLOCK];
                env.rng(&ctx.call_site()).fill_bytes(&mut iv);
                Ok(Value::from(encrypt(password, plaintext.as_bytes(), iv)))
            },
        ),
    );
    funcs.insert(
        "decryptAES",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::String]),
            |_, args| {
                let password = args[0].as_str().unwrap_or_default();
                let crypt64 = args[1].as_str().unwrap_or_default();
                if crypt64.is_empty() {
                    return Ok(Value::from(""));
                }
                let plain = decrypt(password, crypt64).map_err(Error::function)?;
                // Go strings may hold any bytes; ours must be UTF-8 (a wrong key's garbage
                // comes out with replacement characters).
                Ok(Value::from(String::from_utf8_lossy(&plain).into_owned()))
            },
        ),
    );
}

fn cipher(password: &str) -> Aes256 {
    let mut key = [0u8; 32];
    let n = password.len().min(32);
    key[..n].copy_from_slice(&password.as_bytes()[..n]);
    Aes256::new(&key.into())
}

/// `base64(iv || AES-256-CBC(pkcs7(plaintext)))`.
fn encrypt(password: &str, plaintext: &[u8], iv: [u8; BLOCK]) -> String {
    let cipher = cipher(password);
    let padding = BLOCK - plaintext.len() % BLOCK;
    let mut data = plaintext.to_vec();
    data.resize(plaintext.len() + padding, padding as u8);
    let mut out = iv.to_vec();
    let mut prev = iv;
    for chunk in data.chunks(BLOCK) {
        let mut block = [0u8; BLOCK];
        for (b, (p, c)) in block.iter_mut().zip(prev.iter().zip(chunk)) {
            *b = p ^ c;
        }
        let mut ga = block.into();
        cipher.encrypt_block(&mut ga);
        prev = ga.into();
        out.extend_from_slice(&prev);
    }
    base64_encode(&out)
}

fn decrypt(password: &str, crypt64: &str) -> Result<Vec<u8>, String> {
    let crypt = base64_decode(crypt64.as_bytes())?;
    if crypt.len() < BLOCK {
        // Go slices `crypt[:16]` of the decoded buffer, whose capacity is the decoded
        // length of the whole input (DecodedLen).
        let capacity = crypt64.len() / 4 * 3;
        return Err(format!(
            "runtime error: slice bounds out of range [:{BLOCK}] with capacity {capacity}"
        ));
    }
    let (iv, body) = crypt.split_at(BLOCK);
    if body.len() % BLOCK != 0 {
        return Err("crypto/cipher: input not full blocks".to_string());
    }
    let cipher = cipher(password);
    let mut prev: [u8; BLOCK] = iv.try_into().unwrap_or([0; BLOCK]);
    let mut plain = Vec::with_capacity(body.len());
    for chunk in body.chunks(BLOCK) {
        let mut ga = aes::Block::clone_from_slice(chunk);
        cipher.decrypt_block(&mut ga);
        plain.extend(ga.iter().zip(prev.iter()).map(|(d, p)| d ^ p));
        prev.copy_from_slice(chunk);
    }
    let Some(&pad) = plain.last() else {
        return Err("runtime error: index out of range [-1]".to_string());
    };
    let keep = plain.len() as i64 - i64::from(pad);
    if keep < 0 {
        return Err(format!(
            "runtime error: slice bounds out of range [:{keep}]"
        ));
    }
    plain.truncate(keep as usize);
    Ok(plain)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_fails_like_go() {
        let text = encrypt("secret", b"hello, world", [7; BLOCK]);
        assert_eq!(decrypt("secret", &text).unwrap(), b"hello, world");
        // A 16-byte plaintext gets a whole block of padding.
        let text = encrypt("k", &[b'x'; 16], [1; BLOCK]);
        assert_eq!(base64_decode(text.as_bytes()).unwrap().len(), 48);
        assert_eq!(decrypt("k", &text).unwrap(), [b'x'; 16]);
        assert_eq!(
            decrypt("k", "YWJj").unwrap_err(),
            "runtime error: slice bounds out of range [:16] with capacity 3"
        );
        assert_eq!(
            decrypt("k", "MDEyMzQ1Njc4OWFiY2RlZg==").unwrap_err(),
            "runtime error: index out of range [-1]"
        );
    }
}
