//! Sprig's cryptographic functions: digests ([`hashes`]), password hashing and
//! derivation ([`passwords`]), private keys ([`keys`]), X.509 certificates ([`certs`])
//! and AES ([`aes`]).
//!
//! Every random draw (keys, serial numbers, salts, IVs) comes from the call's seeded
//! generator ([`FunctionEnv::rng`]) and every timestamp from [`FunctionEnv::now`], so a
//! render is reproducible; the formats are Go's, byte for byte. Go helpers they share:
//! [`pem`] (Go's base64 and PEM) and [`der`] (a DER writer and reader).

use std::sync::Arc;

use helmpilot_template::Functions;

use super::FunctionEnv;

mod aes;
mod certs;
mod der;
mod hashes;
mod keys;
mod passwords;
mod pem;

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    hashes::register(funcs);
    passwords::register(funcs, env);
    keys::register(funcs, env);
    certs::register(funcs, env);
    aes::register(funcs, env);
}
