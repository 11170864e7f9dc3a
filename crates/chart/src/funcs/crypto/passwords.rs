//! Sprig's password functions: `bcrypt`, `htpasswd` and `derivePassword`.
//!
//! Quirks reproduced from Sprig v3.3.0:
//! - failures are outputs, not errors: `failed to encrypt string with bcrypt: ...`,
//!   `invalid username: ...`, `cannot find password template ...`;
//! - `bcrypt` is Go's `x/crypto/bcrypt` with cost 10 and the `$2a$` prefix, refusing
//!   passwords over 72 bytes; `htpasswd` always uses it (Sprig v3.3.0's htpasswd takes
//!   no algorithm argument);
//! - `derivePassword` is the Master Password algorithm (scrypt N=32768, r=8, p=2 over
//!   the password salted with "com.lyndir.masterpassword" and the user, then
//!   HMAC-SHA256 over the site and counter) with Sprig's templates. Its counter is a Go
//!   `uint32`: the engine accepts only an unsigned integer constant there (truncated to
//!   32 bits) or a `uint32` value, as Go does.

use std::sync::Arc;

use helmpilot_template::{Function, Functions, GoType, Signature, Value};
use hmac::{Hmac, Mac};
use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use sha2::Sha256;

use crate::funcs::FunctionEnv;

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    let bcrypt_env = env.clone();
    funcs.insert(
        "bcrypt",
        Function::new(Signature::fixed(&[GoType::String]), move |ctx, args| {
            let mut rng = bcrypt_env.rng(&ctx.call_site());
            Ok(Value::from(bcrypt(
                args[0].as_str().unwrap_or_default(),
                &mut rng,
            )))
        }),
    );
    let htpasswd_env = env.clone();
    funcs.insert(
        "htpasswd",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::String]),
            move |ctx, args| {
                let user = args[0].as_str().unwrap_or_default();
                if user.contains(':') {
                    return Ok(Value::from(format!("invalid username: {user}")));
                }
                let mut rng = htpasswd_env.rng(&ctx.call_site());
                let hash = bcrypt(args[1].as_str().unwrap_or_default(), &mut rng);
                Ok(Value::from(format!("{user}:{hash}")))
            },
        ),
    );
    // derivePassword(counter uint32, passwordType, password, user, site string)
    funcs.insert(
        "derivePassword",
        Function::new(
            Signature::fixed(&[
                GoType::Uint32,
                GoType::String,
                GoType::String,
                GoType::String,
                GoType::String,
            ]),
            |_, args| {
                let counter = match args[0] {
                    Value::Uint(n, _) => n as u32,
                    _ => 0,
                };
                let s = |i: usize| args[i].as_str().unwrap_or_default();
                Ok(Value::from(derive_password(
                    counter,
                    s(1),
                    s(2),
                    s(3),
                    s(4),
                )))
            },
        ),
    );
}

/// Go's `bcrypt.DefaultCost`.
const COST: u32 = 10;

/// Sprig's `bcrypt`: the `$2a$10$` hash with a 16-byte salt from `rng`, or Sprig's
/// failure text.
fn bcrypt(password: &str, rng: &mut ChaCha20Rng) -> String {
    if password.len() > 72 {
        return "failed to encrypt string with bcrypt: bcrypt: password length exceeds 72 bytes"
            .to_string();
    }
    let mut salt = [0u8; 16];
    rng.fill_bytes(&mut salt);
    match bcrypt::hash_with_salt(password, COST, salt) {
        Ok(parts) => parts.format_for_version(bcrypt::Version::TwoA),
        Err(err) => format!("failed to encrypt string with bcrypt: {err}"),
    }
}

/// Sprig's templates per password type, and the characters each template letter draws.
fn templates(kind: &str) -> Option<&'static [&'static str]> {
    Some(match kind {
        "maximum" => &["anoxxxxxxxxxxxxxxxxx", "axxxxxxxxxxxxxxxxxno"],
        "long" => &[
            "CvcvnoCvcvCvcv",
            "CvcvCvcvnoCvcv",
            "CvcvCvcvCvcvno",
            "CvccnoCvcvCvcv",
            "CvccCvcvnoCvcv",
            "CvccCvcvCvcvno",
            "CvcvnoCvccCvcv",
            "CvcvCvccnoCvcv",
            "CvcvCvccCvcvno",
            "CvcvnoCvcvCvcc",
            "CvcvCvcvnoCvcc",
            "CvcvCvcvCvccno",
            "CvccnoCvccCvcv",
            "CvccCvccnoCvcv",
            "CvccCvccCvcvno",
            "CvcvnoCvccCvcc",
            "CvcvCvccnoCvcc",
            "CvcvCvccCvccno",
            "CvccnoCvcvCvcc",
            "CvccCvcvnoCvcc",
            "CvccCvcvCvccno",
        ],
        "medium" => &["CvcnoCvc", "CvcCvcno"],
        "short" => &["Cvcn"],
        "basic" => &["aaanaaan", "aannaaan", "aaannaaa"],
        "pin" => &["nnnn"],
        _ => return None,
    })
}

fn template_characters(class: u8) -> &'static [u8] {
    match class {
        b'V' => b"AEIOU",
        b'C' => b"BCDFGHJKLMNPQRSTVWXYZ",
        b'v' => b"aeiou",
        b'c' => b"bcdfghjklmnpqrstvwxyz",
        b'A' => b"AEIOUBCDFGHJKLMNPQRSTVWXYZ",
        b'a' => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz",
        b'n' => b"0123456789",
        b'o' => b"@&%?,=[]_:-+*$#!'^~;()/.",
        _ => b"AEIOUaeiouBCDFGHJKLMNPQRSTVWXYZbcdfghjklmnpqrstvwxyz0123456789!@#$%^&*()",
    }
}

const SEED: &[u8] = b"com.lyndir.masterpassword";

/// Sprig's `derivePassword`.
fn derive_password(counter: u32, kind: &str, password: &str, user: &str, site: &str) -> String {
    let Some(templates) = templates(kind) else {
        return format!("cannot find password template {kind}");
    };
    // Go writes the lengths as uint32: longer strings wrap, as there.
    let mut salt = SEED.to_vec();
    salt.extend_from_slice(&(user.len() as u32).to_be_bytes());
    salt.extend_from_slice(user.as_bytes());
    let mut key = [0u8; 64];
    let params = match scrypt::Params::new(15, 8, 2, key.len()) {
        Ok(params) => params,
        Err(err) => return format!("failed to derive password: {err}"),
    };
    if let Err(err) = scrypt::scrypt(password.as_bytes(), &salt, &params, &mut key) {
        return format!("failed to derive password: {err}");
    }
    let mut message = SEED.to_vec();
    message.extend_from_slice(&(site.len() as u32).to_be_bytes());
    message.extend_from_slice(site.as_bytes());
    message.extend_from_slice(&counter.to_be_bytes());
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(&key) else {
        // HMAC takes keys of any length.
        return "failed to derive password".to_string();
    };
    mac.update(&message);
    let seed = mac.finalize().into_bytes();
    let template = templates[usize::from(seed[0]) % templates.len()];
    template
        .bytes()
        .enumerate()
        .map(|(i, class)| {
            let chars = template_characters(class);
            char::from(chars[usize::from(seed[i + 1]) % chars.len()])
        })
        .collect()
}
