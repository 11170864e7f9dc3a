//! Private keys: `genPrivateKey`, and the key handling the certificate functions share
//! (Sprig's `pemBlockForKey`, `parsePrivateKeyPEM`, public keys and signing).
//!
//! Encodings are Go's: RSA as PKCS#1 `RSA PRIVATE KEY`, ECDSA as SEC1 `EC PRIVATE KEY`,
//! Ed25519 as PKCS#8 `PRIVATE KEY` (seed only), DSA as Sprig's own ASN.1 sequence
//! `DSA PRIVATE KEY` (version, P, Q, G, Y, X). `genPrivateKey` makes RSA keys of 4096
//! bits (Sprig's choice; the certificate functions use 2048), ECDSA on P-256, DSA with
//! L2048N256 parameters. An unknown type is not an error but the output
//! `Unknown type TYPE`, as in Sprig.
//!
//! Keys read back (the `...WithKey` functions, `buildCustomCert`, a CA's key) follow Go's
//! `x509` parsers, including their "use ParseXXX instead" hints; ECDSA keys on P-256,
//! P-384 and P-521 are supported. Known gaps: P-224, X25519 and multi-prime RSA keys are
//! rejected (Go accepts them), and malformed DER nested inside a well-formed outer
//! sequence is reported with a shorter message than Go's `encoding/asn1` prints.

use std::sync::Arc;

use helmpilot_template::{Function, Functions, GoType, Signature, Value};
use rand_chacha::ChaCha20Rng;
use rsa::traits::{PrivateKeyParts, PublicKeyParts};
use rsa::{BigUint, RsaPrivateKey};
use sha2::Sha256;

use super::der::{self, Reader};
use super::pem;
use crate::funcs::FunctionEnv;

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    let env = env.clone();
    // genPrivateKey(typ string) string
    funcs.insert(
        "genPrivateKey",
        Function::new(Signature::fixed(&[GoType::String]), move |ctx, args| {
            let kind = args[0].as_str().unwrap_or_default();
            let mut rng = env.rng(&ctx.call_site());
            Ok(Value::from(match generate(kind, &mut rng) {
                Some(Ok(key)) => key.to_pem(),
                Some(Err(err)) => format!("failed to generate private key: {err}"),
                None => format!("Unknown type {kind}"),
            }))
        }),
    );
}

/// The elliptic curves Go's x509 knows and we can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Curve {
    P256,
    P384,
    P521,
}

impl Curve {
    fn oid(self) -> &'static [u64] {
        match self {
            Curve::P256 => &[1, 2, 840, 10045, 3, 1, 7],
            Curve::P384 => &[1, 3, 132, 0, 34],
            Curve::P521 => &[1, 3, 132, 0, 35],
        }
    }

    fn from_oid(content: &[u8]) -> Option<Curve> {
        [Curve::P256, Curve::P384, Curve::P521]
            .into_iter()
            .find(|c| der::oid(c.oid())[2..] == *content)
    }

    /// Whether Go knows the curve at all (P-224 is known to Go, not to us).
    fn known_to_go(content: &[u8]) -> bool {
        Curve::from_oid(content).is_some() || der::oid(&[1, 3, 132, 0, 33])[2..] == *content
    }

    fn scalar_len(self) -> usize {
        match self {
            Curve::P256 => 32,
            Curve::P384 => 48,
            Curve::P521 => 66,
        }
    }
}

/// An ECDSA private key on one of the supported curves.
#[derive(Clone)]
pub(super) enum EcKey {
    P256(p256::ecdsa::SigningKey),
    P384(p384::ecdsa::SigningKey),
    P521(p521::ecdsa::SigningKey),
}

impl EcKey {
    fn curve(&self) -> Curve {
        match self {
            EcKey::P256(_) => Curve::P256,
            EcKey::P384(_) => Curve::P384,
            EcKey::P521(_) => Curve::P521,
        }
    }

    fn from_scalar(curve: Curve, scalar: &[u8]) -> Option<EcKey> {
        Some(match curve {
            Curve::P256 => EcKey::P256(p256::ecdsa::SigningKey::from_slice(scalar).ok()?),
            Curve::P384 => EcKey::P384(p384::ecdsa::SigningKey::from_slice(scalar).ok()?),
            Curve::P521 => EcKey::P521(p521::ecdsa::SigningKey::from_slice(scalar).ok()?),
        })
    }

    fn scalar(&self) -> Vec<u8> {
        match self {
            EcKey::P256(k) => k.to_bytes().to_vec(),
            EcKey::P384(k) => k.to_bytes().to_vec(),
            EcKey::P521(k) => k.to_bytes().to_vec(),
        }
    }

    /// The public point, uncompressed (`04 || X || Y`).
    fn public_point(&self) -> Vec<u8> {
        match self {
            EcKey::P256(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            EcKey::P384(k) => k
                .verifying_key()
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
            EcKey::P521(k) => p521::ecdsa::VerifyingKey::from(k)
                .to_encoded_point(false)
                .as_bytes()
                .to_vec(),
        }
    }

    /// A DER `ECDSA-Sig-Value`, hashing with the curve's hash as Go's x509 does; the
    /// nonce is drawn from `rng` (Go's signatures are randomized too).
    fn sign(&self, message: &[u8], rng: &mut ChaCha20Rng) -> Result<Vec<u8>, String> {
        use p256::ecdsa::signature::RandomizedSigner;
        let failed = |e: p256::ecdsa::Error| format!("x509: signing failed: {e}");
        Ok(match self {
            EcKey::P256(k) => {
                let sig: p256::ecdsa::Signature =
                    k.try_sign_with_rng(rng, message).map_err(failed)?;
                sig.to_der().as_bytes().to_vec()
            }
            EcKey::P384(k) => {
                let sig: p384::ecdsa::Signature =
                    k.try_sign_with_rng(rng, message).map_err(failed)?;
                sig.to_der().as_bytes().to_vec()
            }
            EcKey::P521(k) => {
                let sig: p521::ecdsa::Signature =
                    k.try_sign_with_rng(rng, message).map_err(failed)?;
                sig.to_der().as_bytes().to_vec()
            }
        })
    }
}

/// DSA key material: Go cannot sign certificates with it, so the numbers are all we keep.
#[derive(Clone)]
pub(super) struct DsaKey {
    p: BigUint,
    q: BigUint,
    g: BigUint,
    y: BigUint,
    x: BigUint,
}

/// A private key of any type Sprig handles.
#[derive(Clone)]
pub(super) enum PrivateKey {
    Rsa(Box<RsaPrivateKey>),
    Ec(Box<EcKey>),
    Ed25519(Box<ed25519_dalek::SigningKey>),
    Dsa(Box<DsaKey>),
}

/// A public key, compared the way Go's `Equal` methods compare them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) enum PublicKey {
    Rsa {
        n: BigUint,
        e: BigUint,
    },
    Ec {
        curve: Curve,
        point: Vec<u8>,
    },
    Ed25519(Vec<u8>),
    /// A DSA key (never equal to a key that can sign).
    Dsa,
}

/// Generates a key of Sprig's `genPrivateKey` type; `None` for an unknown type.
pub(super) fn generate(kind: &str, rng: &mut ChaCha20Rng) -> Option<Result<PrivateKey, String>> {
    Some(Ok(match kind {
        "" | "rsa" => return Some(generate_rsa(rng, 4096)),
        "dsa" => {
            let components = dsa::Components::generate(rng, dsa::KeySize::DSA_2048_256);
            let key = dsa::SigningKey::generate(rng, components);
            let public = key.verifying_key();
            PrivateKey::Dsa(Box::new(DsaKey {
                p: public.components().p().clone(),
                q: public.components().q().clone(),
                g: public.components().g().clone(),
                y: public.y().clone(),
                x: key.x().clone(),
            }))
        }
        "ecdsa" => PrivateKey::Ec(Box::new(EcKey::P256(p256::ecdsa::SigningKey::random(rng)))),
        "ed25519" => {
            // Go reads the 32-byte seed straight from the random source.
            let mut seed = [0u8; 32];
            rand_core::RngCore::fill_bytes(rng, &mut seed);
            PrivateKey::Ed25519(Box::new(ed25519_dalek::SigningKey::from_bytes(&seed)))
        }
        _ => return None,
    }))
}

/// An RSA key with exponent 65537, as Go's `rsa.GenerateKey`.
pub(super) fn generate_rsa(rng: &mut ChaCha20Rng, bits: usize) -> Result<PrivateKey, String> {
    RsaPrivateKey::new(rng, bits)
        .map(|key| PrivateKey::Rsa(Box::new(key)))
        .map_err(|e| e.to_string())
}

const OID_RSA: &[u64] = &[1, 2, 840, 113549, 1, 1, 1];
const OID_EC: &[u64] = &[1, 2, 840, 10045, 2, 1];
const OID_ED25519: &[u64] = &[1, 3, 101, 112];
const OID_DSA: &[u64] = &[1, 2, 840, 10040, 4, 1];

impl PrivateKey {
    /// Sprig's `pemBlockForKey` encoded as Go's `pem.EncodeToMemory` prints it.
    pub(super) fn to_pem(&self) -> String {
        match self {
            PrivateKey::Rsa(k) => pem::encode("RSA PRIVATE KEY", &pkcs1_der(k)),
            PrivateKey::Ec(k) => pem::encode("EC PRIVATE KEY", &sec1_der(k)),
            PrivateKey::Ed25519(k) => {
                let inner = der::octet_string(&k.to_bytes());
                let body = der::sequence(&[
                    &der::small_int(0),
                    &der::sequence(&[&der::oid(OID_ED25519)]),
                    &der::octet_string(&inner),
                ]);
                pem::encode("PRIVATE KEY", &body)
            }
            PrivateKey::Dsa(k) => {
                let body = der::sequence(&[
                    &der::small_int(0),
                    &der::biguint(&k.p),
                    &der::biguint(&k.q),
                    &der::biguint(&k.g),
                    &der::biguint(&k.y),
                    &der::biguint(&k.x),
                ]);
                pem::encode("DSA PRIVATE KEY", &body)
            }
        }
    }

    pub(super) fn public_key(&self) -> PublicKey {
        match self {
            PrivateKey::Rsa(k) => PublicKey::Rsa {
                n: k.n().clone(),
                e: k.e().clone(),
            },
            PrivateKey::Ec(k) => PublicKey::Ec {
                curve: k.curve(),
                point: k.public_point(),
            },
            PrivateKey::Ed25519(k) => PublicKey::Ed25519(k.verifying_key().to_bytes().to_vec()),
            PrivateKey::Dsa(_) => PublicKey::Dsa,
        }
    }

    /// The signature AlgorithmIdentifier Go's x509 picks for this signing key, or Go's
    /// error for keys that cannot sign.
    pub(super) fn signature_algorithm(&self) -> Result<Vec<u8>, String> {
        Ok(match self {
            PrivateKey::Rsa(_) => {
                der::sequence(&[&der::oid(&[1, 2, 840, 113549, 1, 1, 11]), &der::null()])
            }
            PrivateKey::Ec(k) => {
                let last = match k.curve() {
                    Curve::P256 => 2,
                    Curve::P384 => 3,
                    Curve::P521 => 4,
                };
                der::sequence(&[&der::oid(&[1, 2, 840, 10045, 4, 3, last])])
            }
            PrivateKey::Ed25519(_) => der::sequence(&[&der::oid(OID_ED25519)]),
            // Go's *dsa.PrivateKey does not implement crypto.Signer.
            PrivateKey::Dsa(_) => {
                return Err(
                    "x509: certificate private key does not implement crypto.Signer".to_string(),
                )
            }
        })
    }

    /// Signs `message` with the algorithm of [`PrivateKey::signature_algorithm`].
    pub(super) fn sign(&self, message: &[u8], rng: &mut ChaCha20Rng) -> Result<Vec<u8>, String> {
        match self {
            PrivateKey::Rsa(k) => {
                use rsa::signature::RandomizedSigner;
                let signer = rsa::pkcs1v15::SigningKey::<Sha256>::new((**k).clone());
                let sig = signer
                    .try_sign_with_rng(rng, message)
                    .map_err(|e| format!("x509: signing failed: {e}"))?;
                Ok(rsa::signature::SignatureEncoding::to_vec(&sig))
            }
            PrivateKey::Ec(k) => k.sign(message, rng),
            PrivateKey::Ed25519(k) => {
                use ed25519_dalek::Signer;
                Ok(k.sign(message).to_bytes().to_vec())
            }
            PrivateKey::Dsa(_) => {
                Err("x509: certificate private key does not implement crypto.Signer".to_string())
            }
        }
    }
}

impl PublicKey {
    /// Go's `marshalPublicKey`: the SubjectPublicKeyInfo and the raw key bits (the
    /// latter hashed for the subject key identifier).
    pub(super) fn spki(&self) -> Result<(Vec<u8>, Vec<u8>), String> {
        let (algorithm, bits) = match self {
            PublicKey::Rsa { n, e } => (
                der::sequence(&[&der::oid(OID_RSA), &der::null()]),
                der::sequence(&[&der::biguint(n), &der::biguint(e)]),
            ),
            PublicKey::Ec { curve, point } => (
                der::sequence(&[&der::oid(OID_EC), &der::oid(curve.oid())]),
                point.clone(),
            ),
            PublicKey::Ed25519(bytes) => (der::sequence(&[&der::oid(OID_ED25519)]), bytes.clone()),
            PublicKey::Dsa => {
                return Err("x509: unsupported public key type: *dsa.PublicKey".to_string())
            }
        };
        let spki = der::sequence(&[&algorithm, &der::bit_string(&bits)]);
        Ok((spki, bits))
    }
}

/// Go's `x509.MarshalPKCS1PrivateKey` (two primes, CRT values included).
fn pkcs1_der(key: &RsaPrivateKey) -> Vec<u8> {
    let primes = key.primes();
    let zero = BigUint::default();
    let (p, q) = (
        primes.first().unwrap_or(&zero),
        primes.get(1).unwrap_or(&zero),
    );
    let one = BigUint::from(1u8);
    // Computed here rather than taken from the crate's precomputation, so the encoding
    // never depends on whether that ran: dp = d mod (p-1), dq = d mod (q-1),
    // qinv = q^-1 mod p. The crate only holds keys whose primes exceed 1; the guards keep
    // a broken invariant from dividing by zero.
    let reduce = |prime: &BigUint| {
        if *prime > one {
            key.d() % (prime - &one)
        } else {
            BigUint::default()
        }
    };
    let (dp, dq) = (reduce(p), reduce(q));
    let qinv = key.crt_coefficient().unwrap_or_default();
    der::sequence(&[
        &der::small_int(0),
        &der::biguint(key.n()),
        &der::biguint(key.e()),
        &der::biguint(key.d()),
        &der::biguint(p),
        &der::biguint(q),
        &der::biguint(&dp),
        &der::biguint(&dq),
        &der::biguint(&qinv),
    ])
}

/// Go's `x509.MarshalECPrivateKey`: version 1, the scalar, the curve, the public point.
fn sec1_der(key: &EcKey) -> Vec<u8> {
    der::sequence(&[
        &der::small_int(1),
        &der::octet_string(&key.scalar()),
        &der::tlv(der::context(0), &der::oid(key.curve().oid())),
        &der::tlv(der::context(1), &der::bit_string(&key.public_point())),
    ])
}

/// Sprig's `parsePrivateKeyPEM`.
pub(super) fn parse_pem(text: &str) -> Result<PrivateKey, String> {
    let block = pem::decode(text.as_bytes()).ok_or("no PEM data in input")?;
    if block.kind == "PRIVATE KEY" {
        return parse_pkcs8(&block.bytes).map_err(|e| format!("decoding PEM as PKCS#8: {e}"));
    }
    let Some(prefix) = block.kind.strip_suffix(" PRIVATE KEY") else {
        return Err(format!(
            "no private key data in PEM block of type {}",
            block.kind
        ));
    };
    match prefix {
        "RSA" => {
            parse_pkcs1(&block.bytes).map_err(|e| format!("parsing RSA private key from PEM: {e}"))
        }
        "EC" => parse_sec1(None, &block.bytes)
            .map_err(|e| format!("parsing EC private key from PEM: {e}")),
        "DSA" => {
            parse_dsa(&block.bytes).map_err(|e| format!("parsing DSA private key from PEM: {e}"))
        }
        _ => Err(format!("invalid private key type {}", block.kind)),
    }
}

/// Go's `encoding/asn1` reading the outer SEQUENCE of a struct named `name`: its errors
/// for a missing, truncated or mistagged outer element are Go's, word for word. Returns
/// the content and what follows the element.
fn outer_sequence<'a>(der_bytes: &'a [u8], name: &str) -> Result<(&'a [u8], &'a [u8]), String> {
    let syntax = |m: &str| format!("asn1: syntax error: {m}");
    let structure = |m: &str| format!("asn1: structure error: {m}");
    let Some(&first) = der_bytes.first() else {
        return Err(syntax("sequence truncated"));
    };
    let class = first >> 6;
    let compound = first & 0x20 != 0;
    let mut tag = u64::from(first & 0x1f);
    let mut offset = 1;
    if tag == 0x1f {
        tag = 0;
        let mut shifted = 0;
        loop {
            if offset >= der_bytes.len() {
                return Err(syntax("truncated base 128 integer"));
            }
            if shifted == 5 {
                return Err(structure("base 128 integer too large"));
            }
            let b = der_bytes[offset];
            if shifted == 0 && b == 0x80 {
                return Err(syntax("integer is not minimally encoded"));
            }
            tag = tag << 7 | u64::from(b & 0x7f);
            offset += 1;
            shifted += 1;
            if b & 0x80 == 0 {
                break;
            }
        }
        if tag > i32::MAX as u64 {
            return Err(structure("base 128 integer too large"));
        }
        if tag < 0x1f {
            return Err(syntax("non-minimal tag"));
        }
    }
    let Some(&len_byte) = der_bytes.get(offset) else {
        return Err(syntax("truncated tag or length"));
    };
    offset += 1;
    let length = if len_byte & 0x80 == 0 {
        usize::from(len_byte)
    } else {
        let count = usize::from(len_byte & 0x7f);
        if count == 0 {
            return Err(syntax("indefinite length found (not DER)"));
        }
        let mut length = 0usize;
        for _ in 0..count {
            let Some(&b) = der_bytes.get(offset) else {
                return Err(syntax("truncated tag or length"));
            };
            offset += 1;
            if length >= 1 << 23 {
                return Err(structure("length too large"));
            }
            length = length << 8 | usize::from(b);
            if length == 0 {
                return Err(structure("superfluous leading zeros in length"));
            }
        }
        if length < 0x80 {
            return Err(structure("non-minimal length"));
        }
        length
    };
    if class != 0 || tag != 16 || !compound {
        return Err(structure(&format!(
            "tags don't match (16 vs {{class:{class} tag:{tag} length:{length} isCompound:{compound}}}) \
             {{optional:false explicit:false application:false private:false defaultValue:<nil> \
             tag:<nil> stringType:0 timeType:0 set:false omitEmpty:false}} {name} @{offset}"
        )));
    }
    let end = offset
        .checked_add(length)
        .filter(|&end| end <= der_bytes.len())
        .ok_or_else(|| syntax("data truncated"))?;
    Ok((&der_bytes[offset..end], &der_bytes[end..]))
}

/// A nested part of a key that Go's `encoding/asn1` would reject (our message is
/// shorter than Go's, which names the Go field type and offset).
fn malformed(name: &str) -> String {
    format!("asn1: structure error: malformed {name}")
}

struct Pkcs1Fields {
    version: (bool, Vec<u8>),
    n: (bool, BigUint),
    e: (bool, BigUint),
    d: (bool, BigUint),
    p: (bool, BigUint),
    q: (bool, BigUint),
    extra_primes: bool,
}

/// Reads an INTEGER as (negative, magnitude); negative magnitudes are not decoded.
fn signed(r: &mut Reader<'_>) -> Option<(bool, BigUint)> {
    let (neg, mag) = r.read_integer()?;
    Some((
        neg,
        if neg {
            BigUint::default()
        } else {
            BigUint::from_bytes_be(mag)
        },
    ))
}

/// The structure of Go's `pkcs1PrivateKey`.
fn pkcs1_structure(content: &[u8]) -> Option<Pkcs1Fields> {
    let mut r = Reader::new(content);
    let (vneg, version) = r.read_integer()?;
    // Go decodes Version and E into an int: at most 64 bits.
    if version.len() > 8 {
        return None;
    }
    let n = signed(&mut r)?;
    let e = signed(&mut r)?;
    let d = signed(&mut r)?;
    let p = signed(&mut r)?;
    let q = signed(&mut r)?;
    for _ in 0..3 {
        if r.peek_tag() == Some(der::TAG_INTEGER) {
            r.read_integer()?;
        }
    }
    let extra_primes = match r.peek_tag() {
        Some(der::TAG_SEQUENCE) => {
            let seq = r.read(der::TAG_SEQUENCE)?;
            !seq.content.is_empty()
        }
        _ => false,
    };
    Some(Pkcs1Fields {
        version: (vneg, version.to_vec()),
        n,
        e,
        d,
        p,
        q,
        extra_primes,
    })
}

struct Sec1Fields<'a> {
    version: (bool, &'a [u8]),
    private: &'a [u8],
    curve: Option<&'a [u8]>,
}

/// The structure of Go's `ecPrivateKey`.
fn sec1_structure(content: &[u8]) -> Option<Sec1Fields<'_>> {
    let mut r = Reader::new(content);
    let version = r.read_integer()?;
    if version.1.len() > 8 {
        return None;
    }
    let private = r.read(der::TAG_OCTET_STRING)?.content;
    let curve = match r.read_optional(der::context(0))? {
        Some(el) => {
            let mut inner = Reader::new(el.content);
            Some(inner.read_oid()?)
        }
        None => None,
    };
    if let Some(el) = r.read_optional(der::context(1))? {
        Reader::new(el.content).read_bit_string()?;
    }
    Some(Sec1Fields {
        version,
        private,
        curve,
    })
}

struct Pkcs8Fields<'a> {
    algorithm: &'a [u8],
    parameters: Option<&'a [u8]>,
    private: &'a [u8],
}

/// The structure of Go's `pkcs8`.
fn pkcs8_structure(content: &[u8]) -> Option<Pkcs8Fields<'_>> {
    let mut r = Reader::new(content);
    let version = r.read_integer()?;
    if version.1.len() > 8 {
        return None;
    }
    let ai = r.read(der::TAG_SEQUENCE)?;
    let mut air = Reader::new(ai.content);
    let algorithm = air.read_oid()?;
    let parameters = if air.is_empty() {
        None
    } else {
        Some(air.read_any()?.full)
    };
    let private = r.read(der::TAG_OCTET_STRING)?.content;
    Some(Pkcs8Fields {
        algorithm,
        parameters,
        private,
    })
}

fn is_sec1(der_bytes: &[u8]) -> bool {
    outer_sequence(der_bytes, "ecPrivateKey")
        .ok()
        .and_then(|(c, _)| sec1_structure(c))
        .is_some()
}

fn is_pkcs8(der_bytes: &[u8]) -> bool {
    outer_sequence(der_bytes, "pkcs8")
        .ok()
        .and_then(|(c, _)| pkcs8_structure(c))
        .is_some()
}

fn is_pkcs1(der_bytes: &[u8]) -> bool {
    outer_sequence(der_bytes, "pkcs1PrivateKey")
        .ok()
        .and_then(|(c, _)| pkcs1_structure(c))
        .is_some()
}

const USE_EC: &str =
    "x509: failed to parse private key (use ParseECPrivateKey instead for this key format)";
const USE_PKCS8: &str =
    "x509: failed to parse private key (use ParsePKCS8PrivateKey instead for this key format)";
const USE_PKCS1: &str =
    "x509: failed to parse private key (use ParsePKCS1PrivateKey instead for this key format)";

/// Go's `x509.ParsePKCS1PrivateKey`.
fn parse_pkcs1(der_bytes: &[u8]) -> Result<PrivateKey, String> {
    let parsed = outer_sequence(der_bytes, "pkcs1PrivateKey").and_then(|(content, rest)| {
        let fields = pkcs1_structure(content).ok_or_else(|| malformed("pkcs1PrivateKey"))?;
        Ok((fields, rest))
    });
    let (fields, rest) = match parsed {
        Ok(ok) => ok,
        Err(err) => {
            if is_sec1(der_bytes) {
                return Err(USE_EC.to_string());
            }
            if is_pkcs8(der_bytes) {
                return Err(USE_PKCS8.to_string());
            }
            return Err(err);
        }
    };
    if !rest.is_empty() {
        return Err("asn1: syntax error: trailing data".to_string());
    }
    let version_gt_1 =
        !fields.version.0 && BigUint::from_bytes_be(&fields.version.1) > BigUint::from(1u8);
    if version_gt_1 {
        return Err("x509: unsupported private key version".to_string());
    }
    let zero = BigUint::default();
    let non_positive = |(neg, v): &(bool, BigUint)| *neg || *v == zero;
    if [&fields.n, &fields.d, &fields.p, &fields.q]
        .into_iter()
        .any(non_positive)
    {
        return Err("x509: private key contains zero or negative value".to_string());
    }
    if fields.e.0 {
        return Err("crypto/rsa: invalid public exponent".to_string());
    }
    if fields.extra_primes {
        return Err("x509: multi-prime RSA keys are not supported".to_string());
    }
    let key = RsaPrivateKey::from_components(
        fields.n.1,
        fields.e.1,
        fields.d.1,
        vec![fields.p.1, fields.q.1],
    )
    .map_err(|e| format!("crypto/rsa: invalid private key: {e}"))?;
    Ok(PrivateKey::Rsa(Box::new(key)))
}

/// Go's `parseECPrivateKey`: `curve_oid` is the PKCS#8 wrapper's curve, if any.
fn parse_sec1(curve_oid: Option<&[u8]>, der_bytes: &[u8]) -> Result<PrivateKey, String> {
    let parsed = outer_sequence(der_bytes, "ecPrivateKey")
        .and_then(|(content, _)| sec1_structure(content).ok_or_else(|| malformed("ecPrivateKey")));
    let fields = match parsed {
        Ok(fields) => fields,
        Err(err) => {
            if is_pkcs8(der_bytes) {
                return Err(USE_PKCS8.to_string());
            }
            if is_pkcs1(der_bytes) {
                return Err(USE_PKCS1.to_string());
            }
            return Err(format!("x509: failed to parse EC private key: {err}"));
        }
    };
    if fields.version.0 || fields.version.1 != [1] {
        let version = if fields.version.0 {
            "negative".to_string()
        } else {
            BigUint::from_bytes_be(fields.version.1).to_string()
        };
        return Err(format!("x509: unknown EC private key version {version}"));
    }
    let oid = curve_oid.or(fields.curve).unwrap_or_default();
    let Some(curve) = Curve::from_oid(oid) else {
        return Err(if Curve::known_to_go(oid) {
            "x509: P-224 keys are not supported".to_string()
        } else {
            "x509: unknown elliptic curve".to_string()
        });
    };
    let size = curve.scalar_len();
    let mut private = fields.private;
    // Go tolerates leading zero padding and missing leading zeros.
    while private.len() > size {
        if private[0] != 0 {
            return Err("x509: invalid private key length".to_string());
        }
        private = &private[1..];
    }
    let mut scalar = vec![0u8; size];
    scalar[size - private.len()..].copy_from_slice(private);
    // Go compares the value with the curve order before anything else.
    if BigUint::from_bytes_be(&scalar) >= curve_order(curve) {
        return Err("x509: invalid elliptic curve private key value".to_string());
    }
    EcKey::from_scalar(curve, &scalar)
        .map(|key| PrivateKey::Ec(Box::new(key)))
        .ok_or_else(|| "x509: invalid private key: crypto/ecdsa: invalid private key".to_string())
}

fn curve_order(curve: Curve) -> BigUint {
    let hex: &[u8] = match curve {
        Curve::P256 => b"ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551",
        Curve::P384 => b"ffffffffffffffffffffffffffffffffffffffffffffffffc7634d81f4372ddf581a0db248b0a77aecec196accc52973",
        Curve::P521 => b"01fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffa51868783bf2f966b7fcc0148f709a5d03bb5c9b8899c47aebb6fb71e91386409",
    };
    BigUint::parse_bytes(hex, 16).unwrap_or_default()
}

/// Go's `x509.ParsePKCS8PrivateKey`.
fn parse_pkcs8(der_bytes: &[u8]) -> Result<PrivateKey, String> {
    let parsed = outer_sequence(der_bytes, "pkcs8")
        .and_then(|(content, _)| pkcs8_structure(content).ok_or_else(|| malformed("pkcs8")));
    let fields = match parsed {
        Ok(fields) => fields,
        Err(err) => {
            if is_sec1(der_bytes) {
                return Err(USE_EC.to_string());
            }
            if is_pkcs1(der_bytes) {
                return Err(USE_PKCS1.to_string());
            }
            return Err(err);
        }
    };
    let algorithm = fields.algorithm;
    if algorithm == &der::oid(OID_RSA)[2..] {
        return parse_pkcs1(fields.private)
            .map_err(|e| format!("x509: failed to parse RSA private key embedded in PKCS#8: {e}"));
    }
    if algorithm == &der::oid(OID_EC)[2..] {
        let curve = fields.parameters.and_then(|p| Reader::new(p).read_oid());
        return parse_sec1(curve, fields.private)
            .map_err(|e| format!("x509: failed to parse EC private key embedded in PKCS#8: {e}"));
    }
    if algorithm == &der::oid(OID_ED25519)[2..] {
        if fields.parameters.is_some() {
            return Err("x509: invalid Ed25519 private key parameters".to_string());
        }
        let mut r = Reader::new(fields.private);
        let seed = r
            .read(der::TAG_OCTET_STRING)
            .ok_or_else(|| {
                "x509: invalid Ed25519 private key: asn1: structure error: malformed OCTET STRING"
                    .to_string()
            })?
            .content;
        let seed: [u8; 32] = seed
            .try_into()
            .map_err(|_| format!("x509: invalid Ed25519 private key length: {}", seed.len()))?;
        return Ok(PrivateKey::Ed25519(Box::new(
            ed25519_dalek::SigningKey::from_bytes(&seed),
        )));
    }
    Err(format!(
        "x509: PKCS#8 wrapping contained private key with unknown algorithm: {}",
        der::oid_string(algorithm)
    ))
}

/// Sprig's `DSAKeyFormat` (no validation, as in Sprig).
fn parse_dsa(der_bytes: &[u8]) -> Result<PrivateKey, String> {
    let (content, _) = outer_sequence(der_bytes, "DSAKeyFormat")?;
    let mut r = Reader::new(content);
    let mut next = || {
        r.read_integer()
            .map(|(neg, mag)| {
                if neg {
                    BigUint::default()
                } else {
                    BigUint::from_bytes_be(mag)
                }
            })
            .ok_or_else(|| malformed("DSAKeyFormat"))
    };
    let _version = next()?;
    Ok(PrivateKey::Dsa(Box::new(DsaKey {
        p: next()?,
        q: next()?,
        g: next()?,
        y: next()?,
        x: next()?,
    })))
}

/// Go's `parsePublicKey` for a certificate's SubjectPublicKeyInfo: `Ok(None)` for
/// algorithms Go leaves unparsed.
pub(super) fn parse_spki(spki: &[u8]) -> Result<Option<PublicKey>, String> {
    let mut r = Reader::new(spki);
    let seq = r.read(der::TAG_SEQUENCE).ok_or("x509: malformed spki")?;
    let mut r = Reader::new(seq.content);
    let ai = r
        .read(der::TAG_SEQUENCE)
        .ok_or("x509: malformed public key algorithm identifier")?;
    let mut air = Reader::new(ai.content);
    let algorithm = air.read_oid().ok_or("x509: malformed OID")?;
    let params = if air.is_empty() {
        None
    } else {
        Some(air.read_any().ok_or("x509: malformed parameters")?.full)
    };
    let bits = r
        .read_bit_string()
        .ok_or("x509: malformed subjectPublicKey")?;
    if algorithm == &der::oid(OID_RSA)[2..] {
        if params != Some(&der::null()[..]) {
            return Err("x509: RSA key missing NULL parameters".to_string());
        }
        let mut r = Reader::new(bits);
        let seq = r
            .read(der::TAG_SEQUENCE)
            .ok_or("x509: invalid RSA public key")?;
        let mut r = Reader::new(seq.content);
        let (nneg, n) = r.read_integer().ok_or("x509: invalid RSA modulus")?;
        let (eneg, e) = r
            .read_integer()
            .filter(|(_, e)| e.len() <= 8)
            .ok_or("x509: invalid RSA public exponent")?;
        let n = BigUint::from_bytes_be(n);
        let e = BigUint::from_bytes_be(e);
        if nneg || n == BigUint::default() {
            return Err("x509: RSA modulus is not a positive number".to_string());
        }
        if eneg || e == BigUint::default() {
            return Err("x509: RSA public exponent is not a positive number".to_string());
        }
        return Ok(Some(PublicKey::Rsa { n, e }));
    }
    if algorithm == &der::oid(OID_EC)[2..] {
        let curve_oid = params
            .and_then(|p| Reader::new(p).read_oid())
            .ok_or("x509: invalid ECDSA parameters")?;
        let curve = Curve::from_oid(curve_oid).ok_or("x509: unsupported elliptic curve")?;
        if bits.len() != 1 + 2 * curve.scalar_len() || bits[0] != 4 {
            return Err("ecdsa: invalid public key".to_string());
        }
        return Ok(Some(PublicKey::Ec {
            curve,
            point: bits.to_vec(),
        }));
    }
    if algorithm == &der::oid(OID_ED25519)[2..] {
        if params.is_some() {
            return Err("x509: Ed25519 key encoded with illegal parameters".to_string());
        }
        if bits.len() != 32 {
            return Err("x509: wrong Ed25519 public key size".to_string());
        }
        return Ok(Some(PublicKey::Ed25519(bits.to_vec())));
    }
    if algorithm == &der::oid(OID_DSA)[2..] {
        return Ok(Some(PublicKey::Dsa));
    }
    Ok(None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::SeedableRng;

    fn rng() -> ChaCha20Rng {
        ChaCha20Rng::from_seed([7; 32])
    }

    #[test]
    fn keys_round_trip_through_pem() {
        let mut rng = rng();
        for kind in ["ecdsa", "ed25519"] {
            let key = generate(kind, &mut rng).unwrap().unwrap();
            let pem = key.to_pem();
            let back = parse_pem(&pem).unwrap();
            assert_eq!(back.to_pem(), pem, "{kind}");
            assert_eq!(back.public_key(), key.public_key());
        }
        let rsa = generate_rsa(&mut rng, 1024).unwrap();
        assert_eq!(parse_pem(&rsa.to_pem()).unwrap().to_pem(), rsa.to_pem());
        assert!(generate("nope", &mut rng).is_none());
    }

    #[test]
    fn curve_orders_have_the_curve_sizes() {
        for (curve, bits) in [(Curve::P256, 256), (Curve::P384, 384), (Curve::P521, 521)] {
            assert_eq!(curve_order(curve).bits(), bits);
        }
    }

    #[test]
    fn parse_errors_follow_go() {
        let err = |text: &str| parse_pem(text).err().unwrap();
        assert_eq!(err("junk"), "no PEM data in input");
        let block = |kind: &str, b64: &str| {
            format!("-----BEGIN {kind}-----\n{b64}\n-----END {kind}-----\n")
        };
        assert_eq!(
            err(&block("CERTIFICATE", "AAAA")),
            "no private key data in PEM block of type CERTIFICATE"
        );
        assert_eq!(
            err(&block("FOO PRIVATE KEY", "AAAA")),
            "invalid private key type FOO PRIVATE KEY"
        );
        assert_eq!(
            err(&block("RSA PRIVATE KEY", "AAAA")),
            "parsing RSA private key from PEM: asn1: structure error: tags don't match (16 vs \
             {class:0 tag:0 length:0 isCompound:false}) {optional:false explicit:false \
             application:false private:false defaultValue:<nil> tag:<nil> stringType:0 \
             timeType:0 set:false omitEmpty:false} pkcs1PrivateKey @2"
        );
        let ec = generate("ecdsa", &mut rng()).unwrap().unwrap().to_pem();
        assert_eq!(
            err(&ec.replace("EC PRIVATE", "RSA PRIVATE")),
            format!("parsing RSA private key from PEM: {USE_EC}")
        );
        assert_eq!(
            err(&ec.replace("EC PRIVATE", "PRIVATE")),
            format!("decoding PEM as PKCS#8: {USE_EC}")
        );
    }
}
