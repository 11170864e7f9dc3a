//! `oci://host[:port]/path/name[:tag|@digest]` references, parsed as Helm parses them
//! (Helm's `newReference` over oras-go's `ParseReference`), and the `+` <-> `_` tag rule.

use std::fmt;

/// The URL scheme of OCI references.
pub const OCI_SCHEME: &str = "oci";

/// Whether `url` names an OCI registry (`oci://...`), as Helm's `registry.IsOCI`.
pub fn is_oci(url: &str) -> bool {
    url.starts_with("oci://")
}

/// A chart version as a registry tag: OCI tags cannot hold `+`, so Helm writes `_`.
///
/// ```
/// assert_eq!(helmpilot_repo::oci::version_to_tag("1.2.3+build.5"), "1.2.3_build.5");
/// ```
pub fn version_to_tag(version: &str) -> String {
    version.replace('+', "_")
}

/// A registry tag back to a chart version (`_` -> `+`), as Helm reads tags.
pub fn tag_to_version(tag: &str) -> String {
    tag.replace('_', "+")
}

/// A reference that does not parse; `Display` is oras-go's text.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("invalid reference: {0}")]
pub struct InvalidReference(pub String);

/// A parsed reference: registry host, repository path, and a tag and/or digest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `host[:port]`.
    pub registry: String,
    /// The repository path under the registry (`charts/web`).
    pub repository: String,
    /// The tag, with `+` already mapped to `_`; empty when absent. Kept beside a digest.
    pub tag: String,
    /// `sha256:...` when the reference pins a digest; empty otherwise.
    pub digest: String,
}

impl Reference {
    /// Parses `[oci://]host[:port]/path[:tag][@digest]` with Helm's rules: the `oci://`
    /// prefix is optional, a `+` in the tag becomes `_`, a tag before a digest is
    /// dropped (the digest decides), and the parts are checked with the distribution
    /// grammar (lower-case repository path components, tags of at most 128 word
    /// characters, dots and dashes).
    ///
    /// ```
    /// use helmpilot_repo::oci::Reference;
    /// let r = Reference::parse("oci://localhost:5000/charts/web:1.0.0+b1").unwrap();
    /// assert_eq!((r.registry.as_str(), r.repository.as_str(), r.tag.as_str()),
    ///            ("localhost:5000", "charts/web", "1.0.0_b1"));
    /// assert_eq!(r.to_string(), "localhost:5000/charts/web:1.0.0_b1");
    /// assert_eq!(Reference::parse("oci://localhost:5000").unwrap_err().to_string(),
    ///            "invalid reference: missing registry or repository");
    /// ```
    pub fn parse(raw: &str) -> Result<Reference, InvalidReference> {
        let raw = raw.strip_prefix("oci://").unwrap_or(raw);
        // Helm splits the digest off at the last `@` and keeps it unparsed here.
        let (raw, helm_digest) = match raw.rfind('@') {
            Some(i) => (&raw[..i], Some(&raw[i + 1..])),
            None => (raw, None),
        };
        // Helm's tag rewrite: the text after the last `:`, when it has no `/`, is a tag;
        // every occurrence of that text in the reference has its `+` replaced (Helm
        // replaces with strings.ReplaceAll on the whole reference, and so do we).
        let mut text = raw.to_string();
        if let Some(tag) = raw.rsplit(':').next().filter(|_| raw.contains(':')) {
            if !tag.contains('/') && !tag.is_empty() {
                text = raw.replace(tag, &version_to_tag(tag));
            }
        }
        let mut parsed = parse_oras(&text)?;
        if let Some(d) = helm_digest {
            // Helm keeps the digest beside a tag (it checks one against the other when
            // resolving); oras-go, which fetches it later, rejects a malformed one.
            validate_digest(d).map_err(|why| {
                InvalidReference(format!("invalid digest {}: {why}", go_quote(d)))
            })?;
            parsed.digest = d.to_string();
        }
        Ok(parsed)
    }

    /// `host/path` without tag or digest.
    pub fn repository_name(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }

    /// The host to connect to (Docker Hub's API lives on another host than its name).
    pub fn host(&self) -> &str {
        if self.registry == "docker.io" {
            "registry-1.docker.io"
        } else {
            &self.registry
        }
    }

    /// What to ask the registry for: the digest when pinned, else the tag.
    pub fn target(&self) -> Option<&str> {
        if !self.digest.is_empty() {
            Some(&self.digest)
        } else if !self.tag.is_empty() {
            Some(&self.tag)
        } else {
            None
        }
    }
}

impl fmt::Display for Reference {
    /// Helm's `reference.String()`: `host/path:tag`, or `host/path@digest` without a tag.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.registry, self.repository)?;
        if !self.tag.is_empty() {
            write!(f, ":{}", self.tag)
        } else if !self.digest.is_empty() {
            write!(f, "@{}", self.digest)
        } else {
            Ok(())
        }
    }
}

/// oras-go's `ParseReference`: four forms `repo`, `repo:tag`, `repo@digest`,
/// `repo:tag@digest` (tag dropped unchecked).
fn parse_oras(artifact: &str) -> Result<Reference, InvalidReference> {
    let Some((registry, path)) = artifact.split_once('/') else {
        return Err(InvalidReference("missing registry or repository".into()));
    };
    let (repository, reference, is_tag) = if let Some(i) = path.find('@') {
        let repo = &path[..i];
        let repo = repo.split(':').next().unwrap_or(repo);
        (repo, &path[i + 1..], false)
    } else if let Some(i) = path.find(':') {
        (&path[..i], &path[i + 1..], true)
    } else {
        (path, "", false)
    };
    if !valid_registry(registry) {
        return Err(InvalidReference(format!(
            "invalid registry {}",
            go_quote(registry)
        )));
    }
    if !valid_repository(repository) {
        return Err(InvalidReference(format!(
            "invalid repository {}",
            go_quote(repository)
        )));
    }
    let mut parsed = Reference {
        registry: registry.to_string(),
        repository: repository.to_string(),
        tag: String::new(),
        digest: String::new(),
    };
    if reference.is_empty() {
        return Ok(parsed);
    }
    if is_tag {
        if !valid_tag(reference) {
            return Err(InvalidReference(format!(
                "invalid tag {}",
                go_quote(reference)
            )));
        }
        parsed.tag = reference.to_string();
    } else {
        validate_digest(reference).map_err(|why| {
            InvalidReference(format!("invalid digest {}: {why}", go_quote(reference)))
        })?;
        parsed.digest = reference.to_string();
    }
    Ok(parsed)
}

/// A registry is a host with an optional port, and nothing else (no user info, path,
/// query): what `url.ParseRequestURI("dummy://" + r)` accepts with `Host == r`.
fn valid_registry(registry: &str) -> bool {
    if registry.is_empty() || registry.contains(['/', '?', '#', '@', ' ']) {
        return false;
    }
    let (host, port) = if let Some(rest) = registry.strip_prefix('[') {
        match rest.split_once(']') {
            Some((ip6, after)) => {
                if ip6.parse::<std::net::Ipv6Addr>().is_err() {
                    return false;
                }
                match after {
                    "" => return true,
                    p => match p.strip_prefix(':') {
                        Some(p) => ("x", p),
                        None => return false,
                    },
                }
            }
            None => return false,
        }
    } else {
        match registry.rsplit_once(':') {
            Some((h, p)) => (h, p),
            None => (registry, ""),
        }
    };
    !host.is_empty()
        && !host.contains(':')
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-._~!$&'()*+,;=%".contains(c))
        && port.chars().all(|c| c.is_ascii_digit())
}

/// The distribution repository grammar: `/`-separated components of lower-case
/// alphanumerics joined by `.`, `_`, `__` or runs of `-`.
fn valid_repository(repo: &str) -> bool {
    !repo.is_empty() && repo.split('/').all(valid_component)
}

fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut i = 0;
    while i < b.len() {
        if alnum(b[i]) {
            i += 1;
            continue;
        }
        // A separator: `.`, `_`, `__`, or any run of `-`, between alphanumerics.
        let start = i;
        match b[i] {
            b'.' => i += 1,
            b'_' => {
                i += 1;
                if i < b.len() && b[i] == b'_' {
                    i += 1;
                }
            }
            b'-' => {
                while i < b.len() && b[i] == b'-' {
                    i += 1;
                }
            }
            _ => return false,
        }
        if i >= b.len() || !alnum(b[i]) || start == 0 {
            return false;
        }
    }
    true
}

/// `^[\w][\w.-]{0,127}$`.
fn valid_tag(tag: &str) -> bool {
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let b = tag.as_bytes();
    !b.is_empty()
        && b.len() <= 128
        && word(b[0])
        && b[1..].iter().all(|&c| word(c) || c == b'.' || c == b'-')
}

/// go-digest's `Parse` for the algorithms Helm links (sha256, sha384, sha512).
pub(crate) fn validate_digest(d: &str) -> Result<(), &'static str> {
    let Some((algo, hex)) = d.split_once(':') else {
        return Err("invalid checksum digest format");
    };
    let valid_algo = !algo.is_empty()
        && algo.split(['+', '.', '_', '-']).all(|p| {
            !p.is_empty()
                && p.bytes()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        });
    if !valid_algo {
        return Err("invalid checksum digest format");
    }
    let len = match algo {
        "sha256" => 64,
        "sha384" => 96,
        "sha512" => 128,
        _ => return Err("unsupported digest algorithm"),
    };
    if hex.len() != len {
        return Err("invalid checksum digest length");
    }
    if !hex
        .bytes()
        .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(&c))
    {
        return Err("invalid checksum digest format");
    }
    Ok(())
}

/// Go's `%q` for the ASCII texts references are made of.
fn go_quote(s: &str) -> String {
    let mut out = String::new();
    helmpilot_yaml::json::write_string(&mut out, s, false);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(s: &str) -> (String, String, String, String) {
        let r = Reference::parse(s).unwrap();
        (r.registry, r.repository, r.tag, r.digest)
    }

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn forms() {
        assert_eq!(
            parts("oci://r.example/a/b"),
            ("r.example".into(), "a/b".into(), "".into(), "".into())
        );
        assert_eq!(
            parts("r.example:5000/a/b:1.0.0"),
            (
                "r.example:5000".into(),
                "a/b".into(),
                "1.0.0".into(),
                "".into()
            )
        );
        assert_eq!(
            parts(&format!("oci://r.example/a@{D}")),
            ("r.example".into(), "a".into(), "".into(), D.into())
        );
        let r = Reference::parse(&format!("oci://r.example/a:1.0.0@{D}")).unwrap();
        // Helm keeps both; the digest is what gets fetched.
        assert_eq!((r.tag.as_str(), r.digest.as_str()), ("1.0.0", D));
        assert_eq!(r.to_string(), "r.example/a:1.0.0");
        assert_eq!(r.target(), Some(D));
        let r = Reference::parse(&format!("oci://r.example/a@{D}")).unwrap();
        assert_eq!(r.to_string(), format!("r.example/a@{D}"));
    }

    #[test]
    fn plus_becomes_underscore() {
        let r = Reference::parse("oci://localhost:5000/charts/web:1.0.0+build.7").unwrap();
        assert_eq!(r.tag, "1.0.0_build.7");
        assert_eq!(r.to_string(), "localhost:5000/charts/web:1.0.0_build.7");
        assert_eq!(tag_to_version(&r.tag), "1.0.0+build.7");
        assert_eq!(version_to_tag("2.0.0+a+b"), "2.0.0_a_b");
    }

    #[test]
    fn errors() {
        let cases = [
            (
                "oci://localhost:5000",
                "invalid reference: missing registry or repository",
            ),
            (
                "oci://r.example/Upper",
                "invalid reference: invalid repository \"Upper\"",
            ),
            (
                "oci://r.example/a--/b",
                "invalid reference: invalid repository \"a--/b\"",
            ),
            (
                "oci://r.example/a:-bad",
                "invalid reference: invalid tag \"-bad\"",
            ),
            (
                "oci://r.example/a@sha256:12",
                "invalid reference: invalid digest \"sha256:12\": invalid checksum digest length",
            ),
            (
                "oci://r.example/a@md5:12",
                "invalid reference: invalid digest \"md5:12\": unsupported digest algorithm",
            ),
            (
                "oci://user@r.example/a",
                "invalid reference: missing registry or repository",
            ),
            (
                "oci://r ex/a",
                "invalid reference: invalid registry \"r ex\"",
            ),
            (
                "oci://r.example:port/a",
                "invalid reference: invalid registry \"r.example:port\"",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(
                Reference::parse(input).unwrap_err().to_string(),
                want,
                "{input}"
            );
        }
    }

    #[test]
    fn repository_grammar() {
        for ok in [
            "a",
            "a/b",
            "a.b",
            "a_b",
            "a__b",
            "a---b",
            "0/1/2",
            "charts/fraud-detector",
        ] {
            assert!(valid_repository(ok), "{ok}");
        }
        for bad in [
            "", "A", "a/", "/a", "a//b", "a___b", "a._b", ".a", "a-", "a..",
        ] {
            assert!(!valid_repository(bad), "{bad}");
        }
        assert!(valid_tag("a"));
        assert!(valid_tag(&"x".repeat(128)));
        assert!(!valid_tag(&"x".repeat(129)));
        assert!(!valid_tag(".a"));
        assert!(!valid_tag("1.0+b"));
    }

    #[test]
    fn registries() {
        for ok in [
            "localhost",
            "localhost:5000",
            "127.0.0.1:5000",
            "[::1]:5000",
            "[::1]",
            "r.example",
        ] {
            assert!(valid_registry(ok), "{ok}");
        }
        for bad in ["", ":5000", "a:b:c", "[zz]:1", "u@h"] {
            assert!(!valid_registry(bad), "{bad}");
        }
    }
}
