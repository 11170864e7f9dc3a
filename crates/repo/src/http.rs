//! HTTP(S) downloads from chart repositories, with Helm's credential rule: a repository's
//! credentials go only to that repository's scheme and host, unless the repository says
//! `pass_credentials_all`.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use crate::credentials::Credentials;

/// TLS settings of one repository (Helm's `caFile`, `certFile`, `keyFile`,
/// `insecure_skip_tls_verify`).
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct TlsOptions {
    pub ca_file: String,
    pub cert_file: String,
    pub key_file: String,
    pub insecure_skip_tls_verify: bool,
}

/// One GET.
#[derive(Clone, Debug)]
pub struct Request<'a> {
    pub url: &'a str,
    /// The repository the URL belongs to: credentials are sent only to its host.
    pub repository_url: &'a str,
    pub credentials: Option<&'a Credentials>,
    pub pass_credentials_all: bool,
    pub tls: &'a TlsOptions,
}

/// Why a download failed. URLs in messages never carry user info.
#[derive(Debug, thiserror::Error)]
pub enum HttpError {
    #[error("failed to fetch {url} : {status}")]
    Status {
        url: String,
        status: u16,
        status_text: String,
    },
    #[error("failed to fetch {url} : {reason}")]
    Unreachable { url: String, reason: String },
    #[error("{url} is larger than the {limit_mib} MiB helmpilot accepts")]
    TooLarge { url: String, limit_mib: u64 },
    #[error("TLS settings for {url}: {reason}")]
    Tls { url: String, reason: String },
}

impl HttpError {
    /// The HTTP status, when the server answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            HttpError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
}

/// The most a single index or archive may weigh: far above real ones (the largest public
/// indexes are tens of MiB), low enough that a hostile server cannot exhaust memory.
const MAX_BODY: u64 = 512 * 1024 * 1024;
/// Helm's HTTP getter timeout.
const TIMEOUT: Duration = Duration::from_secs(120);

/// A pool of clients, one per TLS configuration.
#[derive(Default)]
pub struct HttpGetter {
    clients: Mutex<HashMap<TlsOptions, reqwest::Client>>,
}

impl HttpGetter {
    pub fn new() -> HttpGetter {
        HttpGetter::default()
    }

    /// Downloads a whole body.
    ///
    /// ```no_run
    /// # async fn example() -> Result<(), helmpilot_repo::http::HttpError> {
    /// use helmpilot_repo::http::{HttpGetter, Request, TlsOptions};
    /// let url = "https://charts.example.com/index.yaml";
    /// let body = HttpGetter::new()
    ///     .get(&Request { url, repository_url: "https://charts.example.com", credentials: None, pass_credentials_all: false, tls: &TlsOptions::default() })
    ///     .await?;
    /// # Ok(()) }
    /// ```
    pub async fn get(&self, request: &Request<'_>) -> Result<Vec<u8>, HttpError> {
        let shown = redact_url(request.url);
        let client = self.client(request.tls).map_err(|reason| HttpError::Tls {
            url: shown.clone(),
            reason,
        })?;
        let mut builder = client.get(request.url);
        if let Some(credentials) = request.credentials {
            if request.pass_credentials_all || same_origin(request.url, request.repository_url) {
                builder = match credentials {
                    Credentials::Basic { username, password } => {
                        builder.basic_auth(username, Some(password))
                    }
                    Credentials::Bearer { token } => builder.bearer_auth(token),
                    // A registry refresh token means nothing to a chart repository.
                    Credentials::IdentityToken { .. } => builder,
                };
            }
        }
        let unreachable = |e: reqwest::Error| HttpError::Unreachable {
            url: shown.clone(),
            reason: describe(&e),
        };
        let mut response = builder.send().await.map_err(unreachable)?;
        let status = response.status();
        if status != reqwest::StatusCode::OK {
            return Err(HttpError::Status {
                url: shown.clone(),
                status: status.as_u16(),
                status_text: status.to_string(),
            });
        }
        if response.content_length().is_some_and(|n| n > MAX_BODY) {
            return Err(HttpError::TooLarge {
                url: shown,
                limit_mib: MAX_BODY >> 20,
            });
        }
        let mut body = Vec::new();
        while let Some(chunk) = response.chunk().await.map_err(unreachable)? {
            if body.len() as u64 + chunk.len() as u64 > MAX_BODY {
                return Err(HttpError::TooLarge {
                    url: shown,
                    limit_mib: MAX_BODY >> 20,
                });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }

    fn client(&self, tls: &TlsOptions) -> Result<reqwest::Client, String> {
        let mut clients = self
            .clients
            .lock()
            .map_err(|_| "client pool poisoned".to_string())?;
        if let Some(client) = clients.get(tls) {
            return Ok(client.clone());
        }
        let mut builder = reqwest::Client::builder()
            .user_agent(concat!("helmpilot/", env!("CARGO_PKG_VERSION")))
            .connect_timeout(Duration::from_secs(30))
            .timeout(TIMEOUT)
            .danger_accept_invalid_certs(tls.insecure_skip_tls_verify);
        if !tls.ca_file.is_empty() {
            let pem = std::fs::read(&tls.ca_file)
                .map_err(|e| format!("can't read CA file {}: {e}", tls.ca_file))?;
            for cert in reqwest::Certificate::from_pem_bundle(&pem)
                .map_err(|e| format!("CA file {}: {e}", tls.ca_file))?
            {
                builder = builder.add_root_certificate(cert);
            }
        }
        if !tls.cert_file.is_empty() || !tls.key_file.is_empty() {
            let mut pem = std::fs::read(&tls.cert_file)
                .map_err(|e| format!("can't read certificate file {}: {e}", tls.cert_file))?;
            pem.extend(
                std::fs::read(&tls.key_file)
                    .map_err(|e| format!("can't read key file {}: {e}", tls.key_file))?,
            );
            let identity = reqwest::Identity::from_pem(&pem)
                .map_err(|e| format!("client certificate: {e}"))?;
            builder = builder.identity(identity);
        }
        let client = builder.build().map_err(|e| describe(&e))?;
        clients.insert(tls.clone(), client.clone());
        Ok(client)
    }
}

/// reqwest's Display stops at the outermost error; the cause ("connection refused", "dns
/// error") is what a person needs.
pub(crate) fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    // reqwest names the URL itself; it may carry user info.
    redact_in_text(&text)
}

fn same_origin(a: &str, b: &str) -> bool {
    match (url::Url::parse(a), url::Url::parse(b)) {
        (Ok(x), Ok(y)) => {
            x.scheme() == y.scheme()
                && x.host_str() == y.host_str()
                && x.port_or_known_default() == y.port_or_known_default()
        }
        _ => false,
    }
}

/// A URL with any `user:password@` removed.
pub fn redact_url(text: &str) -> String {
    match url::Url::parse(text) {
        Ok(mut u) if !u.username().is_empty() || u.password().is_some() => {
            let _ = u.set_username("");
            let _ = u.set_password(None);
            u.to_string()
        }
        _ => text.to_string(),
    }
}

fn redact_in_text(text: &str) -> String {
    text.split(' ')
        .map(|word| {
            let trimmed = word.trim_matches(|c| c == '(' || c == ')' || c == ',');
            if trimmed.contains("://") && trimmed.contains('@') {
                word.replace(trimmed, &redact_url(trimmed))
            } else {
                word.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credentials_stay_on_their_host() {
        assert!(same_origin(
            "https://charts.example.com/a/b.tgz",
            "https://charts.example.com/a"
        ));
        assert!(!same_origin(
            "https://cdn.example.net/b.tgz",
            "https://charts.example.com/"
        ));
        assert!(!same_origin(
            "http://charts.example.com/b.tgz",
            "https://charts.example.com/"
        ));
        assert!(same_origin(
            "https://charts.example.com:443/x",
            "https://charts.example.com/"
        ));
    }

    #[test]
    fn user_info_never_shown() {
        assert_eq!(
            redact_url("https://ci:s3cret@charts.example.com/index.yaml"),
            "https://charts.example.com/index.yaml"
        );
        let text = redact_in_text(
            "error sending request for url (https://ci:s3cret@charts.example.com/index.yaml)",
        );
        assert!(!text.contains("s3cret"), "{text}");
        assert!(text.contains("charts.example.com/index.yaml"), "{text}");
    }
}
