//! Properties of the random and cryptographic functions that golden files cannot pin
//! (their output is random in Helm): real tools accept what we generate, formats and
//! alphabets are right, and everything is reproducible from the injected seed and clock.
//!
//! The OpenSSL checks run the `openssl` command line tool and are skipped, with a
//! message, where it is not installed.

#[path = "../../template/tests/support/mod.rs"]
// Shared by several test and example binaries; each uses a part of it.
#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use helmpilot_chart::funcs::{helm_functions_with, FunctionEnv, Timestamp};

/// 2025-01-01T00:00:00Z.
const NOW: i64 = 1_735_689_600;

fn env(seed: &str) -> FunctionEnv {
    FunctionEnv {
        seed: seed.to_string(),
        now: Timestamp {
            unix_seconds: NOW,
            nanos: 123_456_789,
        },
        ..FunctionEnv::default()
    }
}

fn render_values(env: &FunctionEnv, template: &str, values: serde_json::Value) -> String {
    let case = support::CaseInput {
        template: template.to_string(),
        values,
        partials: BTreeMap::new(),
    };
    support::render_with(&case, helm_functions_with(env.clone()))
        .unwrap_or_else(|e| panic!("{template}: {e}"))
}

fn render(env: &FunctionEnv, template: &str) -> String {
    render_values(env, template, serde_json::Value::Null)
}

/// A scratch directory for files handed to openssl, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir =
            std::env::temp_dir().join(format!("helmpilot-crypto-{name}-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("scratch dir");
        Scratch(dir)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write scratch file");
        path
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Whether openssl can be run; prints why a test is skipped otherwise.
fn have_openssl(test: &str) -> bool {
    let ok = Command::new("openssl")
        .arg("version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("skipping {test}: the openssl command line tool is not installed");
    }
    ok
}

/// Runs openssl and returns its stdout, failing the test with its stderr on error.
fn openssl(args: &[&str]) -> String {
    let out = Command::new("openssl")
        .args(args)
        .output()
        .expect("run openssl");
    assert!(
        out.status.success(),
        "openssl {args:?} failed:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn path_str(p: &Path) -> &str {
    p.to_str().expect("utf-8 temp path")
}

/// Splits the output of `{{ $c.Cert }}{{ $c.Key }}`-style templates into PEM blocks.
fn pem_blocks(text: &str) -> Vec<String> {
    let mut blocks = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        current.push_str(line);
        current.push('\n');
        if line.starts_with("-----END ") {
            blocks.push(std::mem::take(&mut current));
        }
    }
    blocks
}

#[test]
fn generated_keys_parse_with_openssl() {
    if !have_openssl("generated_keys_parse_with_openssl") {
        return;
    }
    let scratch = Scratch::new("keys");
    let env = env("keys");
    for (kind, header, text) in [
        (
            "rsa",
            "RSA PRIVATE KEY",
            "Private-Key: (4096 bit, 2 primes)",
        ),
        ("ecdsa", "EC PRIVATE KEY", "ASN1 OID: prime256v1"),
        ("ed25519", "PRIVATE KEY", "ED25519 Private-Key"),
        ("dsa", "DSA PRIVATE KEY", "Private-Key: (2048 bit)"),
    ] {
        let pem = render(&env, &format!("{{{{ genPrivateKey {kind:?} }}}}"));
        assert!(
            pem.starts_with(&format!("-----BEGIN {header}-----\n")),
            "{kind}: {pem}"
        );
        let file = scratch.write(&format!("{kind}.pem"), &pem);
        let described = openssl(&["pkey", "-in", path_str(&file), "-noout", "-text"]);
        assert!(described.contains(text), "{kind}: {described}");
        if kind == "rsa" {
            openssl(&["rsa", "-in", path_str(&file), "-check", "-noout"]);
        }
    }
}

#[test]
fn certificates_verify_with_openssl() {
    if !have_openssl("certificates_verify_with_openssl") {
        return;
    }
    let scratch = Scratch::new("certs");
    let env = env("certs");
    let out = render(
        &env,
        r#"{{ $ca := genCA "Test CA" 365 }}{{ $ca.Cert }}{{ $ca.Key }}{{ $leaf := genSignedCert "leaf.example" (list "10.0.0.1" "::1") (list "a.example" "b.example") 30 $ca }}{{ $leaf.Cert }}{{ $leaf.Key }}"#,
    );
    let blocks = pem_blocks(&out);
    assert_eq!(blocks.len(), 4, "{out}");
    let ca = scratch.write("ca.pem", &blocks[0]);
    let leaf = scratch.write("leaf.pem", &blocks[2]);
    let leaf_key = scratch.write("leaf.key", &blocks[3]);
    // Verified at a time inside both validity periods (they start at the injected NOW).
    let at = (NOW + 3600).to_string();
    let verified = openssl(&[
        "verify",
        "-attime",
        &at,
        "-CAfile",
        path_str(&ca),
        path_str(&leaf),
    ]);
    assert!(verified.contains(": OK"), "{verified}");

    let ca_text = openssl(&["x509", "-in", path_str(&ca), "-noout", "-text"]);
    for expected in [
        "Version: 3 (0x2)",
        "Signature Algorithm: sha256WithRSAEncryption",
        "Issuer: CN = Test CA",
        "Subject: CN = Test CA",
        "Not Before: Jan  1 00:00:00 2025 GMT",
        "Not After : Jan  1 00:00:00 2026 GMT",
        "Public-Key: (2048 bit)",
        "X509v3 Key Usage: critical",
        "Digital Signature, Key Encipherment, Certificate Sign",
        "TLS Web Server Authentication, TLS Web Client Authentication",
        "CA:TRUE",
        "X509v3 Subject Key Identifier",
    ] {
        assert!(
            ca_text.contains(expected),
            "CA lacks {expected:?}:\n{ca_text}"
        );
    }
    let leaf_text = openssl(&["x509", "-in", path_str(&leaf), "-noout", "-text"]);
    for expected in [
        "Issuer: CN = Test CA",
        "Subject: CN = leaf.example",
        "Not Before: Jan  1 00:00:00 2025 GMT",
        "Not After : Jan 31 00:00:00 2025 GMT",
        "CA:FALSE",
        "X509v3 Authority Key Identifier",
        "DNS:a.example, DNS:b.example, IP Address:10.0.0.1, IP Address:0:0:0:0:0:0:0:1",
    ] {
        assert!(
            leaf_text.contains(expected),
            "leaf lacks {expected:?}:\n{leaf_text}"
        );
    }
    // The certificate certifies the key returned with it.
    let cert_pub = openssl(&["x509", "-in", path_str(&leaf), "-noout", "-pubkey"]);
    let key_pub = openssl(&["pkey", "-in", path_str(&leaf_key), "-pubout"]);
    assert_eq!(cert_pub, key_pub);
}

#[test]
fn certificates_with_given_keys_verify_with_openssl() {
    if !have_openssl("certificates_with_given_keys_verify_with_openssl") {
        return;
    }
    let scratch = Scratch::new("withkey");
    let env = env("withkey");
    let at = (NOW + 60).to_string();
    for ca_kind in ["ecdsa", "ed25519"] {
        let template = format!(
            r#"{{{{ $cakey := genPrivateKey "{ca_kind}" }}}}{{{{ $ca := genCAWithKey "CA {ca_kind}" 10 $cakey }}}}{{{{ $ca.Cert }}}}{{{{ $leafkey := genPrivateKey "ecdsa" }}}}{{{{ $leaf := genSignedCertWithKey "leaf" nil (list "x.example") 5 $ca $leafkey }}}}{{{{ $leaf.Cert }}}}{{{{ $self := genSelfSignedCertWithKey "self" (list "192.168.0.1") nil 1 $leafkey }}}}{{{{ $self.Cert }}}}{{{{ eq $ca.Key $cakey }}}} {{{{ eq $leaf.Key $leafkey }}}}"#
        );
        let out = render(&env, &template);
        assert!(out.ends_with("true true"), "{ca_kind}: {out}");
        let blocks = pem_blocks(&out);
        let ca = scratch.write("ca.pem", &blocks[0]);
        let leaf = scratch.write("leaf.pem", &blocks[1]);
        let own = scratch.write("self.pem", &blocks[2]);
        let verified = openssl(&[
            "verify",
            "-attime",
            &at,
            "-CAfile",
            path_str(&ca),
            path_str(&leaf),
        ]);
        assert!(verified.contains(": OK"), "{ca_kind}: {verified}");
        let ca_text = openssl(&["x509", "-in", path_str(&ca), "-noout", "-text"]);
        let algorithm = if ca_kind == "ecdsa" {
            "ecdsa-with-SHA256"
        } else {
            "ED25519"
        };
        assert!(
            ca_text.contains(&format!("Signature Algorithm: {algorithm}")),
            "{ca_text}"
        );
        let own_text = openssl(&["x509", "-in", path_str(&own), "-noout", "-text"]);
        assert!(own_text.contains("IP Address:192.168.0.1"), "{own_text}");
        assert!(own_text.contains("Subject: CN = self"), "{own_text}");
    }
}

#[test]
fn aes_output_decrypts_with_openssl() {
    if !have_openssl("aes_output_decrypts_with_openssl") {
        return;
    }
    let scratch = Scratch::new("aes");
    let env = env("aes");
    let password = "pa55word";
    let plaintext = "the quick brown fox jumps over the lazy dog";
    let b64 = render(
        &env,
        &format!("{{{{ encryptAES {password:?} {plaintext:?} }}}}"),
    );
    let file = scratch.write("cipher.b64", &format!("{b64}\n"));
    let mut key = password.as_bytes().to_vec();
    key.resize(32, 0);
    let bin = scratch.0.join("cipher.bin");
    openssl(&[
        "base64",
        "-d",
        "-in",
        path_str(&file),
        "-out",
        path_str(&bin),
    ]);
    let bytes = std::fs::read(&bin).expect("read cipher");
    let (iv, body) = bytes.split_at(16);
    let body_file = scratch.0.join("body.bin");
    std::fs::write(&body_file, body).expect("write body");
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let plain = openssl(&[
        "enc",
        "-d",
        "-aes-256-cbc",
        "-K",
        &hex(&key),
        "-iv",
        &hex(iv),
        "-in",
        path_str(&body_file),
    ]);
    assert_eq!(plain, plaintext);
}

#[test]
fn bcrypt_and_htpasswd_hashes_verify() {
    let env = env("bcrypt");
    let hash = render(&env, r#"{{ bcrypt "correct horse" }}"#);
    assert!(hash.starts_with("$2a$10$") && hash.len() == 60, "{hash}");
    assert!(bcrypt::verify("correct horse", &hash).expect("valid hash"));
    assert!(!bcrypt::verify("wrong horse", &hash).expect("valid hash"));
    let line = render(&env, r#"{{ htpasswd "admin" "s3cret" }}"#);
    let (user, hash) = line.split_once(':').expect("user:hash");
    assert_eq!(user, "admin");
    assert!(bcrypt::verify("s3cret", hash).expect("valid hash"));
    // 72 bytes is the most Go's bcrypt takes.
    let max = "x".repeat(72);
    let hash = render(&env, &format!("{{{{ bcrypt {max:?} }}}}"));
    assert!(bcrypt::verify(&max, &hash).expect("valid hash"));
}

#[test]
fn random_strings_have_length_and_alphabet() {
    let env = env("random");
    let check = |func: &str, allowed: &dyn Fn(char) -> bool| {
        let text = render(&env, &format!("{{{{ {func} 2000 }}}}"));
        assert_eq!(text.chars().count(), 2000, "{func}");
        assert!(text.chars().all(allowed), "{func}: {text}");
        text
    };
    let alnum = check("randAlphaNum", &|c| c.is_ascii_alphanumeric());
    let alpha = check("randAlpha", &|c| c.is_ascii_alphabetic());
    let digits = check("randNumeric", &|c| c.is_ascii_digit());
    let ascii = check("randAscii", &|c| (' '..='~').contains(&c));
    // With 2000 draws every class shows up.
    assert!(
        alnum.chars().any(|c| c.is_ascii_digit()) && alnum.chars().any(|c| c.is_ascii_lowercase())
    );
    assert!(
        alpha.chars().any(|c| c.is_ascii_uppercase())
            && alpha.chars().any(|c| c.is_ascii_lowercase())
    );
    assert!(('0'..='9').all(|d| digits.contains(d)));
    assert!(ascii.contains(' ') && ascii.contains('~'));

    let bytes = render(&env, "{{ randBytes 30 }}");
    assert_eq!(bytes.len(), 40);
    assert!(bytes
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '/'));
}

#[test]
fn uuids_are_version_4() {
    let env = env("uuid");
    let values = serde_json::json!({ "n": [1, 2, 3, 4, 5, 6, 7, 8] });
    let out = render_values(&env, "{{ range .Values.n }}{{ uuidv4 }}\n{{ end }}", values);
    let ids: Vec<&str> = out.lines().collect();
    assert_eq!(ids.len(), 8);
    for id in &ids {
        let groups: Vec<&str> = id.split('-').collect();
        let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
        assert_eq!(lens, [8, 4, 4, 4, 12], "{id}");
        assert!(id
            .chars()
            .all(|c| c == '-' || c.is_ascii_digit() || ('a'..='f').contains(&c)));
        assert!(groups[2].starts_with('4'), "{id}");
        assert!(groups[3].starts_with(['8', '9', 'a', 'b']), "{id}");
    }
    // Each pass of the loop draws anew.
    let distinct: std::collections::BTreeSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len());
}

#[test]
fn output_is_reproducible_from_seed_and_clock() {
    let template = r#"{{ randAlphaNum 16 }}|{{ uuidv4 }}|{{ randBytes 8 }}|{{ encryptAES "k" "v" }}|{{ bcrypt "x" }}|{{ (genSelfSignedCertWithKey "c" nil nil 1 (genPrivateKey "ecdsa")).Cert }}"#;
    let a = render(&env("seed-a"), template);
    assert_eq!(a, render(&env("seed-a"), template));
    let b = render(&env("seed-b"), template);
    let (fields_a, fields_b): (Vec<_>, Vec<_>) = (a.split('|').collect(), b.split('|').collect());
    assert_eq!(fields_a.len(), 6);
    for (x, y) in fields_a.iter().zip(&fields_b) {
        assert_ne!(x, y, "a different seed must change every random value");
    }
    // The clock is the injected one: another time changes the certificate only.
    let mut later = env("seed-a");
    later.now.unix_seconds += 86_400;
    let c = render(&later, template);
    let fields_c: Vec<_> = c.split('|').collect();
    assert_eq!(fields_a[..5], fields_c[..5]);
    assert_ne!(fields_a[5], fields_c[5]);

    // Two calls at different places differ; the same call in a loop differs per pass.
    let two = render(
        &env("seed-a"),
        "{{ randAlphaNum 12 }} {{ randAlphaNum 12 }}",
    );
    let (x, y) = two.split_once(' ').expect("two values");
    assert_ne!(x, y);
    let values = serde_json::json!({ "n": [1, 2] });
    let looped = render_values(
        &env("seed-a"),
        "{{ range .Values.n }}{{ randAlphaNum 12 }} {{ end }}",
        values,
    );
    let parts: Vec<&str> = looped.split_whitespace().collect();
    assert_eq!(parts.len(), 2);
    assert_ne!(parts[0], parts[1]);
}
