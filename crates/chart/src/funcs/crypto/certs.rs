//! Sprig's certificate functions: `genCA`, `genCAWithKey`, `genSelfSignedCert`,
//! `genSelfSignedCertWithKey`, `genSignedCert`, `genSignedCertWithKey` and
//! `buildCustomCert`, all returning Sprig's `certificate` struct (`.Cert` and `.Key`,
//! PEM texts).
//!
//! Certificates come out as Go's `x509.CreateCertificate` writes Sprig's template: v3,
//! a random 128-bit serial, subject (and for self-signed ones issuer) `CN=<cn>` only
//! (PrintableString when possible, else UTF8String; an empty name for an empty CN),
//! validity from the injected clock to clock + days (whole days, with Go's int64
//! nanosecond overflow for huge counts; UTCTime from 1950 to 2049, GeneralizedTime
//! otherwise), and these extensions in Go's order: KeyUsage (critical; digital
//! signature and key encipherment, plus cert sign for a CA), ExtKeyUsage (server and
//! client auth), BasicConstraints (critical; CA:TRUE for a CA, else an empty sequence),
//! SubjectKeyId (CAs only: the first 20 bytes of SHA-256 of the public key bits, as Go
//! 1.25+), AuthorityKeyId (the signer's SubjectKeyId, only when issuer and subject
//! names differ), SubjectAltName (DNS names then IPs; critical when the subject is
//! empty). Signatures: SHA-256 with RSA, ECDSA with the curve's hash, or Ed25519.
//!
//! The DER is built by our own writer ([`super::der`]) rather than a certificate crate:
//! every one of the choices above must match Go's byte for byte, and Go's error texts
//! must come out of the same steps (a DSA key cannot sign, a DSA public key cannot be
//! certified, a CA key that does not match its certificate is refused).

use crate::funcs::dates::time::civil_from_days;
use std::sync::Arc;

use helmpilot_template::{
    gofmt, CallContext, Error, Function, Functions, GoType, Marshal, Member, Object, Signature,
    Value,
};
use rand_chacha::ChaCha20Rng;
use rand_core::RngCore;
use sha2::{Digest, Sha256};

use super::der::{self, Reader};
use super::keys::{self, PrivateKey, PublicKey};
use super::pem;
use crate::funcs::{FunctionEnv, Timestamp};

/// Sprig's `certificate` struct.
#[derive(Debug, Clone)]
pub(super) struct Certificate {
    pub cert: String,
    pub key: String,
}

impl Object for Certificate {
    fn type_name(&self) -> &str {
        "sprig.certificate"
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "Cert" => Member::Field(Value::from(self.cert.as_str())),
            "Key" => Member::Field(Value::from(self.key.as_str())),
            _ => Member::Missing,
        }
    }

    /// Go's `%v` of a struct: its fields separated by a space, in braces.
    fn format(&self) -> String {
        format!("{{{} {}}}", self.cert, self.key)
    }

    fn struct_fields(&self) -> Option<Vec<Value>> {
        Some(vec![
            Value::from(self.cert.as_str()),
            Value::from(self.key.as_str()),
        ])
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    /// A plain struct to Go's encoders: `{"Cert": ..., "Key": ...}`.
    fn marshal(&self) -> Marshal {
        Marshal::Struct(vec![
            ("Cert".to_string(), Value::from(self.cert.as_str())),
            ("Key".to_string(), Value::from(self.key.as_str())),
        ])
    }
}

fn cert_value(cert: Certificate) -> Value {
    Value::Object(Arc::new(cert))
}

/// The arguments the certificate generators share (absent lists are nil).
struct Request<'a> {
    cn: &'a str,
    ips: &'a Value,
    dns: &'a Value,
    days: i64,
}

type Body = dyn Fn(&FunctionEnv, &mut dyn CallContext, &[Value]) -> Result<Certificate, String>
    + Send
    + Sync;

fn insert(
    funcs: &mut Functions,
    env: &Arc<FunctionEnv>,
    name: &str,
    params: &[GoType],
    body: Box<Body>,
) {
    let env = env.clone();
    funcs.insert(
        name,
        Function::new(Signature::fixed(params), move |ctx, args| {
            body(&env, ctx, args)
                .map(cert_value)
                .map_err(Error::function)
        }),
    );
}

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    use GoType::{Int, List, String as Str};
    // The engine admits only a `sprig.certificate` here, with Go's argument errors.
    const CERTIFICATE: GoType = GoType::Named("sprig.certificate");
    // genCA(cn string, daysValid int)
    insert(
        funcs,
        env,
        "genCA",
        &[Str, Int],
        Box::new(|env, ctx, args| {
            let req = request(args, None, None, 1);
            let mut rng = env.rng(&ctx.call_site());
            let key = rsa_2048(&mut rng)?;
            create_self_signed(env, &mut rng, &req, key, true)
        }),
    );
    // genCAWithKey(cn string, daysValid int, privPEM string)
    insert(
        funcs,
        env,
        "genCAWithKey",
        &[Str, Int, Str],
        Box::new(|env, ctx, args| {
            let req = request(args, None, None, 1);
            let key = parse_key(&args[2], "parsing private key")?;
            let mut rng = env.rng(&ctx.call_site());
            create_self_signed(env, &mut rng, &req, key, true)
        }),
    );
    // genSelfSignedCert(cn string, ips, alternateDNS []interface{}, daysValid int)
    insert(
        funcs,
        env,
        "genSelfSignedCert",
        &[Str, List, List, Int],
        Box::new(|env, ctx, args| {
            let req = request(args, Some(1), Some(2), 3);
            // Go generates the key first; its generation never fails, so checking the lists
            // first reports the same errors without the cost.
            check_lists(&req)?;
            let mut rng = env.rng(&ctx.call_site());
            let key = rsa_2048(&mut rng)?;
            create_self_signed(env, &mut rng, &req, key, false)
        }),
    );
    // genSelfSignedCertWithKey(cn, ips, alternateDNS, daysValid, privPEM string)
    insert(
        funcs,
        env,
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        Box::new(|env, ctx, args| {
            let req = request(args, Some(1), Some(2), 3);
            let key = parse_key(&args[4], "parsing private key")?;
            let mut rng = env.rng(&ctx.call_site());
            create_self_signed(env, &mut rng, &req, key, false)
        }),
    );
    // genSignedCert(cn, ips, alternateDNS, daysValid, ca certificate)
    insert(
        funcs,
        env,
        "genSignedCert",
        &[Str, List, List, Int, CERTIFICATE],
        Box::new(|env, ctx, args| {
            let req = request(args, Some(1), Some(2), 3);
            let ca = certificate_arg(&args[4])?;
            let signer = Signer::from_certificate(&ca)?;
            check_lists(&req)?;
            let mut rng = env.rng(&ctx.call_site());
            let key = rsa_2048(&mut rng)?;
            create_signed(env, &mut rng, &req, key, &signer)
        }),
    );
    // genSignedCertWithKey(cn, ips, alternateDNS, daysValid, ca certificate, privPEM string)
    insert(
        funcs,
        env,
        "genSignedCertWithKey",
        &[Str, List, List, Int, CERTIFICATE, Str],
        Box::new(|env, ctx, args| {
            let req = request(args, Some(1), Some(2), 3);
            let ca = certificate_arg(&args[4])?;
            let key = parse_key(&args[5], "parsing private key")?;
            let signer = Signer::from_certificate(&ca)?;
            let mut rng = env.rng(&ctx.call_site());
            create_signed(env, &mut rng, &req, key, &signer)
        }),
    );
    // buildCustomCert(b64cert, b64key string)
    insert(
        funcs,
        env,
        "buildCustomCert",
        &[Str, Str],
        Box::new(|_, _, args| {
            let b64cert = args[0].as_str().unwrap_or_default();
            let b64key = args[1].as_str().unwrap_or_default();
            build_custom(b64cert, b64key)
        }),
    );
}

static NIL: Value = Value::Nil;

fn request(args: &[Value], ips: Option<usize>, dns: Option<usize>, days: usize) -> Request<'_> {
    let int = |v: &Value| match v {
        Value::Int(n, _) => *n,
        _ => 0,
    };
    Request {
        cn: args[0].as_str().unwrap_or_default(),
        ips: ips.map_or(&NIL, |i| &args[i]),
        dns: dns.map_or(&NIL, |i| &args[i]),
        days: int(&args[days]),
    }
}

fn rsa_2048(rng: &mut ChaCha20Rng) -> Result<PrivateKey, String> {
    keys::generate_rsa(rng, 2048).map_err(|e| format!("error generating rsa key: {e}"))
}

fn parse_key(pem_text: &Value, context: &str) -> Result<PrivateKey, String> {
    keys::parse_pem(pem_text.as_str().unwrap_or_default()).map_err(|e| format!("{context}: {e}"))
}

/// The `ca certificate` parameter (the engine has checked its type).
fn certificate_arg(value: &Value) -> Result<Certificate, String> {
    match value {
        Value::Object(object) => object
            .as_any()
            .and_then(|a| a.downcast_ref::<Certificate>())
            .cloned()
            .ok_or_else(|| format!("{} is not a sprig.certificate", object.type_name())),
        other => Err(format!("{} is not a sprig.certificate", other.type_name())),
    }
}

/// List items as Go's `[]interface{}`: nil stands for an empty list.
fn items(list: &Value) -> &[Value] {
    match list {
        Value::List(l) => l.items(),
        _ => &[],
    }
}

/// Sprig's `getNetIPs`: each item a string Go's `net.ParseIP` accepts; IPv4 (also
/// IPv4-mapped IPv6) as 4 bytes, as Go's SAN encoder writes them.
fn net_ips(list: &Value) -> Result<Vec<Vec<u8>>, String> {
    items(list)
        .iter()
        .map(|item| {
            let Some(text) = item.as_str() else {
                return Err(format!("error parsing ip: {item} is not a string"));
            };
            parse_ip(text).ok_or_else(|| format!("error parsing ip: {text}"))
        })
        .collect()
}

/// Go's `net.ParseIP` (no zones, no leading zeros in IPv4 parts), as SAN bytes.
fn parse_ip(text: &str) -> Option<Vec<u8>> {
    use std::net::{Ipv4Addr, Ipv6Addr};
    if let Ok(v4) = text.parse::<Ipv4Addr>() {
        return Some(v4.octets().to_vec());
    }
    if text.contains('%') {
        return None;
    }
    let v6 = text.parse::<Ipv6Addr>().ok()?;
    Some(match v6.to_ipv4_mapped() {
        Some(v4) => v4.octets().to_vec(),
        None => v6.octets().to_vec(),
    })
}

/// Sprig's `getAlternateDNSStrs`.
fn dns_names(list: &Value) -> Result<Vec<String>, String> {
    items(list)
        .iter()
        .map(|item| match item.as_str() {
            Some(text) => Ok(text.to_string()),
            None => Err(format!(
                "error processing alternate dns name: {item} is not a string"
            )),
        })
        .collect()
}

fn check_lists(req: &Request<'_>) -> Result<(), String> {
    net_ips(req.ips)?;
    dns_names(req.dns)?;
    Ok(())
}

/// Sprig's `getBaseCertTemplate`, with IsCA and the CA key usage for `genCA`.
struct Template {
    serial: [u8; 16],
    subject: Vec<u8>,
    ips: Vec<Vec<u8>>,
    dns: Vec<String>,
    not_before: i64,
    not_after: i64,
    is_ca: bool,
}

fn template(
    env: &FunctionEnv,
    rng: &mut ChaCha20Rng,
    req: &Request<'_>,
    is_ca: bool,
) -> Result<Template, String> {
    let ips = net_ips(req.ips)?;
    let dns = dns_names(req.dns)?;
    let mut serial = [0u8; 16];
    rng.fill_bytes(&mut serial);
    let (not_before, not_after) = validity(env.now, req.days);
    Ok(Template {
        serial,
        subject: name_der(req.cn),
        ips,
        dns,
        not_before,
        not_after,
        is_ca,
    })
}

/// NotBefore and NotAfter in whole seconds: `now` and `now + days*24h`, where Go
/// multiplies the duration in int64 nanoseconds and so wraps for huge day counts.
fn validity(now: Timestamp, days: i64) -> (i64, i64) {
    const DAY_NANOS: i64 = 86_400 * 1_000_000_000;
    let delta = i128::from(DAY_NANOS.wrapping_mul(days));
    let start = i128::from(now.unix_seconds) * 1_000_000_000 + i128::from(now.nanos);
    let end = (start + delta).div_euclid(1_000_000_000);
    (
        now.unix_seconds,
        end.clamp(i64::MIN.into(), i64::MAX.into()) as i64,
    )
}

/// A subject of just `CN=<cn>`, or the empty name for an empty CN, with Go's choice of
/// PrintableString (its strict character set) or UTF8String.
fn name_der(cn: &str) -> Vec<u8> {
    if cn.is_empty() {
        return der::sequence(&[]);
    }
    let printable = cn
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || b" '()+,-./:=?".contains(&b));
    let tag = if printable {
        der::TAG_PRINTABLE_STRING
    } else {
        der::TAG_UTF8_STRING
    };
    let atv = der::sequence(&[&der::oid(&[2, 5, 4, 3]), &der::tlv(tag, cn.as_bytes())]);
    der::sequence(&[&der::tlv(der::TAG_SET, &atv)])
}

/// Go's `encoding/asn1` time: UTCTime for 1950..=2049, GeneralizedTime for other years
/// up to 9999, an error beyond.
fn time_der(unix: i64) -> Result<Vec<u8>, String> {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    let (year, month, day) = civil_from_days(days);
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    if (1950..2050).contains(&year) {
        let text = format!("{:02}{month:02}{day:02}{h:02}{m:02}{s:02}Z", year % 100);
        return Ok(der::tlv(der::TAG_UTC_TIME, text.as_bytes()));
    }
    if !(0..=9999).contains(&year) {
        return Err("asn1: structure error: cannot represent time as GeneralizedTime".to_string());
    }
    let text = format!("{year:04}{month:02}{day:02}{h:02}{m:02}{s:02}Z");
    Ok(der::tlv(der::TAG_GENERALIZED_TIME, text.as_bytes()))
}

/// The issuing side: a certificate's subject, key identifier and public key with the
/// private key that signs.
struct Signer {
    subject: Vec<u8>,
    subject_key_id: Option<Vec<u8>>,
    /// The certificate's public key (`None` when Go leaves it unparsed, or self-signing).
    public_key: Option<PublicKey>,
    key: PrivateKey,
}

impl Signer {
    /// Sprig's checks on a `certificate` used as CA, with its error texts.
    fn from_certificate(ca: &Certificate) -> Result<Signer, String> {
        let block = pem::decode(ca.cert.as_bytes()).ok_or("unable to decode certificate")?;
        let parsed = parse_certificate(&block.bytes)
            .map_err(|e| format!("error parsing certificate: decodedSignerCert.Bytes: {e}"))?;
        let key =
            keys::parse_pem(&ca.key).map_err(|e| format!("error parsing private key: {e}"))?;
        Ok(Signer {
            subject: parsed.subject,
            subject_key_id: parsed.subject_key_id,
            public_key: parsed.public_key,
            key,
        })
    }
}

fn create_self_signed(
    env: &FunctionEnv,
    rng: &mut ChaCha20Rng,
    req: &Request<'_>,
    key: PrivateKey,
    is_ca: bool,
) -> Result<Certificate, String> {
    let tmpl = template(env, rng, req, is_ca)?;
    let signer = Signer {
        subject: tmpl.subject.clone(),
        // Go looks at the parent's SubjectKeyId field, which Sprig's template leaves
        // empty: a self-signed certificate never gets an AuthorityKeyId.
        subject_key_id: None,
        public_key: None,
        key: key.clone(),
    };
    finish(&tmpl, &key, &signer, rng)
}

fn create_signed(
    env: &FunctionEnv,
    rng: &mut ChaCha20Rng,
    req: &Request<'_>,
    key: PrivateKey,
    signer: &Signer,
) -> Result<Certificate, String> {
    let tmpl = template(env, rng, req, false)?;
    finish(&tmpl, &key, signer, rng)
}

/// Sprig's `getCertAndKey`: Go's `x509.CreateCertificate` and both PEM texts.
fn finish(
    tmpl: &Template,
    key: &PrivateKey,
    signer: &Signer,
    rng: &mut ChaCha20Rng,
) -> Result<Certificate, String> {
    let der = create_certificate(tmpl, &key.public_key(), signer, rng)
        .map_err(|e| format!("error creating certificate: {e}"))?;
    Ok(Certificate {
        cert: pem::encode("CERTIFICATE", &der),
        key: key.to_pem(),
    })
}

/// Go's `x509.CreateCertificate`, step by step in Go's order so the first failure is
/// the one Go reports.
fn create_certificate(
    tmpl: &Template,
    public: &PublicKey,
    signer: &Signer,
    rng: &mut ChaCha20Rng,
) -> Result<Vec<u8>, String> {
    let signature_algorithm = signer.key.signature_algorithm()?;
    let (spki, public_bits) = public.spki()?;
    let issuer = &signer.subject;
    let authority_key_id = match &signer.subject_key_id {
        Some(id) if !id.is_empty() && *issuer != tmpl.subject => Some(id.clone()),
        _ => None,
    };
    let subject_key_id = tmpl
        .is_ca
        .then(|| Sha256::digest(&public_bits)[..20].to_vec());
    if let Some(parent) = &signer.public_key {
        if *parent != signer.key.public_key() {
            return Err("x509: provided PrivateKey doesn't match parent's PublicKey".to_string());
        }
    }
    let extensions = extensions(tmpl, authority_key_id, subject_key_id)?;
    let validity = der::sequence(&[&time_der(tmpl.not_before)?, &time_der(tmpl.not_after)?]);
    let tbs = der::sequence(&[
        &der::tlv(der::context(0), &der::small_int(2)),
        &der::uint_be(&tmpl.serial),
        &signature_algorithm,
        issuer,
        &validity,
        &tmpl.subject,
        &spki,
        &der::tlv(der::context(3), &der::sequence(&[&extensions.concat()])),
    ]);
    let signature = signer.key.sign(&tbs, rng)?;
    Ok(der::sequence(&[
        &tbs,
        &signature_algorithm,
        &der::bit_string(&signature),
    ]))
}

fn extension(oid: &[u64], critical: bool, value: &[u8]) -> Vec<u8> {
    let id = der::oid(oid);
    let value = der::octet_string(value);
    if critical {
        der::sequence(&[&id, &der::boolean(true), &value])
    } else {
        der::sequence(&[&id, &value])
    }
}

/// Go's `buildCertExtensions` for Sprig's templates.
fn extensions(
    tmpl: &Template,
    authority_key_id: Option<Vec<u8>>,
    subject_key_id: Option<Vec<u8>>,
) -> Result<Vec<Vec<u8>>, String> {
    let mut out = Vec::new();
    // KeyUsage bits, most significant first: digitalSignature(0), keyEncipherment(2),
    // keyCertSign(5); Go trims trailing zero bits from the BIT STRING.
    let usage = if tmpl.is_ca {
        der::bit_string_with_unused(&[0b1010_0100], 2)
    } else {
        der::bit_string_with_unused(&[0b1010_0000], 5)
    };
    out.push(extension(&[2, 5, 29, 15], true, &usage));
    let server_auth = der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 1]);
    let client_auth = der::oid(&[1, 3, 6, 1, 5, 5, 7, 3, 2]);
    out.push(extension(
        &[2, 5, 29, 37],
        false,
        &der::sequence(&[&server_auth, &client_auth]),
    ));
    let basic = if tmpl.is_ca {
        der::sequence(&[&der::boolean(true)])
    } else {
        der::sequence(&[])
    };
    out.push(extension(&[2, 5, 29, 19], true, &basic));
    if let Some(id) = subject_key_id {
        out.push(extension(&[2, 5, 29, 14], false, &der::octet_string(&id)));
    }
    if let Some(id) = authority_key_id {
        out.push(extension(
            &[2, 5, 29, 35],
            false,
            &der::sequence(&[&der::tlv(0x80, &id)]),
        ));
    }
    if !tmpl.dns.is_empty() || !tmpl.ips.is_empty() {
        let mut names = Vec::new();
        for name in &tmpl.dns {
            if !name.is_ascii() {
                return Err(format!(
                    "x509: {} cannot be encoded as an IA5String",
                    gofmt::quote(name)
                ));
            }
            names.push(der::tlv(0x82, name.as_bytes()));
        }
        for ip in &tmpl.ips {
            names.push(der::tlv(0x87, ip));
        }
        let refs: Vec<&[u8]> = names.iter().map(Vec::as_slice).collect();
        let empty_subject = tmpl.subject == der::sequence(&[]);
        out.push(extension(
            &[2, 5, 29, 17],
            empty_subject,
            &der::sequence(&refs),
        ));
    }
    Ok(out)
}

/// What the certificate functions need of a parsed certificate.
struct ParsedCertificate {
    subject: Vec<u8>,
    subject_key_id: Option<Vec<u8>>,
    public_key: Option<PublicKey>,
}

/// Go's `x509.ParseCertificate`, checking the structure in Go's order with Go's error
/// texts. Extensions other than the subject key identifier are not interpreted (Go
/// would also reject some malformed ones).
fn parse_certificate(der_bytes: &[u8]) -> Result<ParsedCertificate, String> {
    let err = |m: &str| m.to_string();
    let mut input = Reader::new(der_bytes);
    let outer = input
        .read(der::TAG_SEQUENCE)
        .ok_or_else(|| err("x509: malformed certificate"))?;
    let trailing = !input.is_empty();
    let mut cert = Reader::new(outer.content);
    let tbs_el = cert
        .read(der::TAG_SEQUENCE)
        .ok_or_else(|| err("x509: malformed tbs certificate"))?;
    let mut tbs = Reader::new(tbs_el.content);
    let version = match tbs
        .read_optional(der::context(0))
        .ok_or_else(|| err("x509: malformed version"))?
    {
        Some(el) => {
            let mut r = Reader::new(el.content);
            match r.read_integer() {
                Some((false, mag)) if r.is_empty() && mag.len() <= 1 => i64::from(mag[0]),
                Some((true, _)) => -1,
                _ => return Err(err("x509: malformed version")),
            }
        }
        None => 0,
    };
    if !(0..=3).contains(&version) {
        return Err(err("x509: malformed version"));
    }
    let version = version + 1;
    if version > 3 {
        return Err(err("x509: invalid version"));
    }
    match tbs.read_integer() {
        None => return Err(err("x509: malformed serial number")),
        Some((true, _)) => return Err(err("x509: negative serial number")),
        Some(_) => {}
    }
    let sig_ai = tbs
        .read(der::TAG_SEQUENCE)
        .ok_or_else(|| err("x509: malformed signature algorithm identifier"))?;
    let outer_ai = cert
        .read(der::TAG_SEQUENCE)
        .ok_or_else(|| err("x509: malformed algorithm identifier"))?;
    if outer_ai.content != sig_ai.content {
        return Err(err(
            "x509: inner and outer signature algorithm identifiers don't match",
        ));
    }
    let mut ai = Reader::new(sig_ai.content);
    ai.read_oid().ok_or_else(|| err("x509: malformed OID"))?;
    if !ai.is_empty() {
        ai.read_any()
            .ok_or_else(|| err("x509: malformed parameters"))?;
    }
    let issuer = tbs
        .read(der::TAG_SEQUENCE)
        .ok_or_else(|| err("x509: malformed issuer"))?;
    check_name(issuer.content)?;
    let validity = tbs
        .read(der::TAG_SEQUENCE)
        .ok_or_else(|| err("x509: malformed validity"))?;
    let mut times = Reader::new(validity.content);
    for _ in 0..2 {
        match times.peek_tag() {
            Some(der::TAG_UTC_TIME) => times
                .read(der::TAG_UTC_TIME)
                .map(|_| ())
                .ok_or_else(|| err("x509: malformed UTCTime"))?,
            Some(der::TAG_GENERALIZED_TIME) => times
                .read(der::TAG_GENERALIZED_TIME)
                .map(|_| ())
                .ok_or_else(|| err("x509: malformed GeneralizedTime"))?,
            _ => return Err(err("x509: unsupported time format")),
        }
    }
    // Go reports a malformed subject as "malformed issuer" too.
    let subject = tbs
        .read(der::TAG_SEQUENCE)
        .ok_or_else(|| err("x509: malformed issuer"))?;
    check_name(subject.content)?;
    let spki = tbs
        .read(der::TAG_SEQUENCE)
        .ok_or_else(|| err("x509: malformed spki"))?;
    let public_key = keys::parse_spki(spki.full)?;
    let mut subject_key_id = None;
    if version > 1 {
        tbs.read_optional(0x81)
            .ok_or_else(|| err("x509: malformed issuerUniqueID"))?;
        tbs.read_optional(0x82)
            .ok_or_else(|| err("x509: malformed subjectUniqueID"))?;
        if version == 3 {
            let exts = tbs
                .read_optional(der::context(3))
                .ok_or_else(|| err("x509: malformed extensions"))?;
            if let Some(exts) = exts {
                subject_key_id = read_extensions(exts.content)?;
            }
        }
    }
    cert.read_bit_string()
        .ok_or_else(|| err("x509: malformed signature"))?;
    if trailing {
        return Err(err("x509: trailing data"));
    }
    Ok(ParsedCertificate {
        subject: subject.full.to_vec(),
        subject_key_id,
        public_key,
    })
}

/// Go's `parseName` structure checks.
fn check_name(content: &[u8]) -> Result<(), String> {
    let mut rdns = Reader::new(content);
    while !rdns.is_empty() {
        let set = rdns.read(der::TAG_SET).ok_or("x509: invalid RDNSequence")?;
        let mut atvs = Reader::new(set.content);
        while !atvs.is_empty() {
            let atv = atvs
                .read(der::TAG_SEQUENCE)
                .ok_or("x509: invalid RDNSequence: invalid attribute")?;
            let mut r = Reader::new(atv.content);
            r.read_oid()
                .ok_or("x509: invalid RDNSequence: invalid attribute type")?;
            r.read_any().ok_or(
                "x509: invalid RDNSequence: invalid attribute value: invalid ASN.1 element",
            )?;
        }
    }
    Ok(())
}

/// The extensions' structure (Go's `parseExtension` and duplicate check) and the
/// subject key identifier.
fn read_extensions(content: &[u8]) -> Result<Option<Vec<u8>>, String> {
    let mut outer = Reader::new(content);
    let seq = outer
        .read(der::TAG_SEQUENCE)
        .ok_or("x509: malformed extensions")?;
    let mut exts = Reader::new(seq.content);
    let mut seen: Vec<&[u8]> = Vec::new();
    let mut skid = None;
    while !exts.is_empty() {
        let ext = exts
            .read(der::TAG_SEQUENCE)
            .ok_or("x509: malformed extension")?;
        let mut r = Reader::new(ext.content);
        let id = r.read_oid().ok_or("x509: malformed extension OID field")?;
        let critical = if r.peek_tag() == Some(der::TAG_BOOLEAN) {
            r.read_boolean()
                .ok_or("x509: malformed extension critical field")?
        } else {
            false
        };
        let value = r
            .read(der::TAG_OCTET_STRING)
            .ok_or("x509: malformed extension value field")?
            .content;
        if seen.contains(&id) {
            return Err(format!(
                "x509: certificate contains duplicate extension with OID {}",
                gofmt::quote(&der::oid_string(id))
            ));
        }
        seen.push(id);
        if id == &der::oid(&[2, 5, 29, 14])[2..] {
            if critical {
                return Err("x509: subject key identifier incorrectly marked critical".to_string());
            }
            let id = Reader::new(value)
                .read(der::TAG_OCTET_STRING)
                .ok_or("x509: invalid subject key identifier")?;
            skid = Some(id.content.to_vec());
        }
    }
    Ok(skid)
}

/// Sprig's `buildCustomCertificate`: checks both parts and returns them unchanged.
fn build_custom(b64cert: &str, b64key: &str) -> Result<Certificate, String> {
    let cert = pem::base64_decode(b64cert.as_bytes())
        .map_err(|_| "unable to decode base64 certificate")?;
    let key =
        pem::base64_decode(b64key.as_bytes()).map_err(|_| "unable to decode base64 private key")?;
    let block = pem::decode(&cert).ok_or("unable to decode certificate")?;
    parse_certificate(&block.bytes)
        .map_err(|e| format!("error parsing certificate: decodedCert.Bytes: {e}"))?;
    // Go's strings hold any bytes; ours are UTF-8 (PEM text always is).
    let key = String::from_utf8_lossy(&key).into_owned();
    keys::parse_pem(&key).map_err(|e| format!("error parsing private key: {e}"))?;
    Ok(Certificate {
        cert: String::from_utf8_lossy(&cert).into_owned(),
        key,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_encode_like_go() {
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(civil_from_days(-1), (1969, 12, 31));
        assert_eq!(civil_from_days(19_723), (2024, 1, 1));
        assert_eq!(time_der(0).unwrap()[2..], *b"700101000000Z");
        assert_eq!(time_der(2_524_608_000).unwrap()[2..], *b"20500101000000Z");
        assert_eq!(time_der(-631_152_001).unwrap()[2..], *b"19491231235959Z");
    }

    #[test]
    fn validity_wraps_like_go_durations() {
        let now = Timestamp {
            unix_seconds: 1_795_276_644,
            nanos: 0,
        };
        assert_eq!(
            validity(now, 1),
            (now.unix_seconds, now.unix_seconds + 86_400)
        );
        // 300000 days overflow int64 nanoseconds: Go lands in 2263.
        let (_, end) = validity(now, 300_000);
        assert_eq!(civil_from_days(end.div_euclid(86_400)).0, 2263);
    }

    #[test]
    fn names_pick_go_string_types() {
        assert_eq!(name_der("a'b")[11], der::TAG_PRINTABLE_STRING);
        assert_eq!(name_der("a&b")[11], der::TAG_UTF8_STRING);
        assert_eq!(name_der(""), [0x30, 0]);
    }

    #[test]
    fn ips_parse_like_go() {
        assert_eq!(parse_ip("10.0.0.1"), Some(vec![10, 0, 0, 1]));
        assert_eq!(parse_ip("::ffff:1.2.3.4"), Some(vec![1, 2, 3, 4]));
        assert_eq!(parse_ip("::1").map(|v| v.len()), Some(16));
        assert_eq!(parse_ip("1.2.3"), None);
        assert_eq!(parse_ip("fe80::1%eth0"), None);
    }
}
