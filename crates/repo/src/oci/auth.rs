//! Registry authentication: `WWW-Authenticate` challenges, token scopes, the realm check
//! and the token cache.
//!
//! A registry answers an anonymous request with 401 and a challenge: `Basic realm=...`
//! (send the user name and password) or `Bearer realm=..., service=..., scope=...` (get
//! a token from `realm` for `scope`, presenting the credentials there, then send the
//! token). Tokens are cached per host and scope for the client's lifetime, so a pull
//! asks once for `repository:x:pull` and a push once for `repository:x:pull,push`.

use std::collections::{BTreeMap, HashMap};
use std::net::IpAddr;
use std::sync::Mutex;

/// The scheme of a challenge.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scheme {
    Basic,
    Bearer,
    Unknown,
}

/// A parsed `WWW-Authenticate` header: its scheme and, for Bearer, its parameters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Challenge {
    pub scheme: Scheme,
    pub params: BTreeMap<String, String>,
}

/// Parses a `WWW-Authenticate` header as oras-go does (RFC 7235: a scheme token, then
/// comma-separated `key=token` or `key="quoted"` parameters, for Bearer only; parsing
/// stops quietly at the first malformed parameter).
///
/// ```
/// use helmpilot_repo::oci::auth::{parse_challenge, Scheme};
/// let c = parse_challenge(r#"Bearer realm="https://auth.example/token",service="registry",scope="repository:a:pull""#);
/// assert_eq!(c.scheme, Scheme::Bearer);
/// assert_eq!(c.params["realm"], "https://auth.example/token");
/// assert_eq!(c.params["scope"], "repository:a:pull");
/// ```
pub fn parse_challenge(header: &str) -> Challenge {
    let (scheme, mut rest) = parse_token(header);
    let scheme = if scheme.eq_ignore_ascii_case("basic") {
        Scheme::Basic
    } else if scheme.eq_ignore_ascii_case("bearer") {
        Scheme::Bearer
    } else {
        Scheme::Unknown
    };
    let mut params = BTreeMap::new();
    if scheme != Scheme::Bearer {
        return Challenge { scheme, params };
    }
    loop {
        let (key, after_key) = parse_token(skip_space(rest));
        if key.is_empty() {
            break;
        }
        let after = skip_space(after_key);
        let Some(after) = after.strip_prefix('=') else {
            break;
        };
        let after = skip_space(after);
        let (value, after_value) = if after.starts_with('"') {
            match parse_quoted(after) {
                Some(v) => v,
                None => break,
            }
        } else {
            let (v, r) = parse_token(after);
            if v.is_empty() {
                break;
            }
            (v.to_string(), r)
        };
        params.insert(key.to_string(), value);
        let after = skip_space(after_value);
        match after.strip_prefix(',') {
            Some(r) => rest = r,
            None => break,
        }
    }
    Challenge { scheme, params }
}

fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "!#$%&'*+-.^_`|~".contains(c)
}

fn parse_token(s: &str) -> (&str, &str) {
    match s.find(|c| !is_token_char(c)) {
        Some(i) => (&s[..i], &s[i..]),
        None => (s, ""),
    }
}

fn skip_space(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

/// A Go-quoted string at the start of `s` (`"..."` with backslash escapes).
fn parse_quoted(s: &str) -> Option<(String, &str)> {
    let mut out = String::new();
    let mut chars = s.char_indices().skip(1);
    while let Some((i, c)) = chars.next() {
        match c {
            '"' => return Some((out, &s[i + 1..])),
            '\\' => {
                let (_, e) = chars.next()?;
                out.push(match e {
                    'n' => '\n',
                    't' => '\t',
                    'r' => '\r',
                    '"' | '\\' | '\'' => e,
                    _ => return None,
                });
            }
            '\n' => return None,
            c => out.push(c),
        }
    }
    None
}

/// The token scope for a repository and actions (`repository:charts/web:pull,push`).
pub fn repository_scope(repository: &str, actions: &[&str]) -> String {
    format!("repository:{repository}:{}", actions.join(","))
}

/// Merges scopes for one token request: the same resource's actions are united
/// (`repository:a:pull` + `repository:a:push` = `repository:a:pull,push`), sorted, `*`
/// swallowing the rest, as oras-go's `CleanScopes`.
pub fn clean_scopes(scopes: &[String]) -> Vec<String> {
    let mut merged: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    let mut other: Vec<String> = Vec::new();
    for scope in scopes {
        let Some((kind, rest)) = scope.split_once(':') else {
            other.push(scope.clone());
            continue;
        };
        let Some((name, actions)) = rest.rsplit_once(':') else {
            other.push(scope.clone());
            continue;
        };
        if actions.is_empty() {
            continue;
        }
        let entry = merged
            .entry((kind.to_string(), name.to_string()))
            .or_default();
        for a in actions.split(',').filter(|a| !a.is_empty()) {
            if !entry.iter().any(|x| x == a) {
                entry.push(a.to_string());
            }
        }
    }
    let mut out: Vec<String> = merged
        .into_iter()
        .filter_map(|((kind, name), mut actions)| {
            if actions.iter().any(|a| a == "*") {
                actions = vec!["*".to_string()];
            }
            actions.sort();
            (!actions.is_empty()).then(|| format!("{kind}:{name}:{}", actions.join(",")))
        })
        .collect();
    other.sort();
    other.dedup();
    out.extend(other);
    out.sort();
    out
}

/// oras-go's guard on a Bearer realm: only http(s); no http realm for a registry reached
/// over https; no loopback, link-local, private or unspecified IP literal unless it is
/// the registry's own host.
pub fn validate_realm(realm: &str, registry_url: &url::Url) -> Result<url::Url, String> {
    let parsed = url::Url::parse(realm)
        .map_err(|e| format!("failed to parse bearer realm {realm:?}: {e}"))?;
    match parsed.scheme() {
        "https" => {}
        "http" if registry_url.scheme() == "https" => {
            return Err(format!(
                "bearer realm {realm:?} uses http but registry was contacted over https"
            ))
        }
        "http" => {}
        other => {
            return Err(format!(
                "bearer realm {realm:?} uses unsupported scheme {other:?}"
            ))
        }
    }
    let host = parsed.host_str().unwrap_or_default();
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        let risky = ip.is_loopback()
            || ip.is_unspecified()
            || match ip {
                IpAddr::V4(v4) => v4.is_private() || v4.is_link_local(),
                IpAddr::V6(v6) => {
                    let seg = v6.segments()[0];
                    // fe80::/10 link-local, fc00::/7 unique local (Go's IsPrivate).
                    (seg & 0xffc0) == 0xfe80 || (seg & 0xfe00) == 0xfc00 || (seg & 0xff0f) == 0xff02
                }
            };
        if risky && registry_url.host_str() != parsed.host_str() {
            return Err(format!(
                "bearer realm host {bare:?} is a loopback, link-local, private, or unspecified address"
            ));
        }
    }
    Ok(parsed)
}

/// Authorization values known per host: the scheme a host asked for, its basic value, and
/// bearer tokens by scope key.
#[derive(Default)]
pub(crate) struct TokenCache {
    inner: Mutex<HashMap<String, HostAuth>>,
}

#[derive(Default, Clone)]
struct HostAuth {
    scheme: Option<Scheme>,
    basic: Option<String>,
    bearer: HashMap<String, String>,
}

impl TokenCache {
    /// The `Authorization` value to try first for `host` and `scope_key`, if known.
    pub(crate) fn authorization(&self, host: &str, scope_key: &str) -> Option<String> {
        let map = self.inner.lock().ok()?;
        let auth = map.get(host)?;
        match auth.scheme? {
            Scheme::Basic => auth.basic.as_ref().map(|b| format!("Basic {b}")),
            Scheme::Bearer => auth.bearer.get(scope_key).map(|t| format!("Bearer {t}")),
            Scheme::Unknown => None,
        }
    }

    pub(crate) fn set_basic(&self, host: &str, value: String) {
        if let Ok(mut map) = self.inner.lock() {
            let e = map.entry(host.to_string()).or_default();
            e.scheme = Some(Scheme::Basic);
            e.basic = Some(value);
        }
    }

    pub(crate) fn set_bearer(&self, host: &str, scope_key: &str, token: String) {
        if let Ok(mut map) = self.inner.lock() {
            let e = map.entry(host.to_string()).or_default();
            e.scheme = Some(Scheme::Bearer);
            e.bearer.insert(scope_key.to_string(), token);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn challenges() {
        let c = parse_challenge("basic realm=\"Registry Realm\"");
        assert_eq!(c.scheme, Scheme::Basic);
        assert!(c.params.is_empty());
        let c = parse_challenge(
            "Bearer realm=\"https://a.example/t\" , service=reg,scope=\"repository:x/y:pull,push\"",
        );
        assert_eq!(c.scheme, Scheme::Bearer);
        assert_eq!(
            c.params.get("realm").map(String::as_str),
            Some("https://a.example/t")
        );
        assert_eq!(c.params.get("service").map(String::as_str), Some("reg"));
        assert_eq!(
            c.params.get("scope").map(String::as_str),
            Some("repository:x/y:pull,push")
        );
        // Escapes in quoted strings; parsing stops at the first bad parameter.
        let c = parse_challenge(r#"Bearer realm="a\"b", bad, service="s""#);
        assert_eq!(c.params.len(), 1);
        assert_eq!(c.params["realm"], "a\"b");
        assert_eq!(parse_challenge("Negotiate abc").scheme, Scheme::Unknown);
        assert_eq!(parse_challenge("").scheme, Scheme::Unknown);
        let c = parse_challenge("Bearer realm=\"unterminated");
        assert!(c.params.is_empty());
    }

    #[test]
    fn scopes() {
        assert_eq!(
            repository_scope("a/b", &["pull", "push"]),
            "repository:a/b:pull,push"
        );
        let s = |v: &[&str]| clean_scopes(&v.iter().map(|s| s.to_string()).collect::<Vec<_>>());
        assert_eq!(
            s(&["repository:a:push", "repository:a:pull"]),
            vec!["repository:a:pull,push"]
        );
        assert_eq!(
            s(&[
                "repository:b:pull",
                "repository:a:pull",
                "repository:a:pull"
            ]),
            vec!["repository:a:pull", "repository:b:pull"]
        );
        assert_eq!(s(&["repository:a:pull,*"]), vec!["repository:a:*"]);
        assert_eq!(s(&["repository:a:"]), Vec::<String>::new());
    }

    #[test]
    fn realms() {
        let https = url::Url::parse("https://r.example/v2/").unwrap();
        let local = url::Url::parse("http://127.0.0.1:5000/v2/").unwrap();
        assert!(validate_realm("https://auth.example/token", &https).is_ok());
        assert_eq!(
            validate_realm("http://auth.example/token", &https).unwrap_err(),
            "bearer realm \"http://auth.example/token\" uses http but registry was contacted over https"
        );
        assert!(validate_realm("ftp://x/", &https)
            .unwrap_err()
            .contains("unsupported scheme"));
        assert_eq!(
            validate_realm("https://169.254.169.254/latest", &https).unwrap_err(),
            "bearer realm host \"169.254.169.254\" is a loopback, link-local, private, or unspecified address"
        );
        // The registry's own host may serve tokens (local and in-cluster registries).
        assert!(validate_realm("http://127.0.0.1:6000/token", &local).is_ok());
        assert!(validate_realm("https://10.0.0.1/token", &https).is_err());
    }

    #[test]
    fn cache() {
        let c = TokenCache::default();
        assert_eq!(c.authorization("h", "s"), None);
        c.set_bearer("h", "s", "t1".into());
        assert_eq!(c.authorization("h", "s").as_deref(), Some("Bearer t1"));
        assert_eq!(c.authorization("h", "other"), None);
        c.set_basic("g", "dTpw".into());
        assert_eq!(c.authorization("g", "any").as_deref(), Some("Basic dTpw"));
    }
}
