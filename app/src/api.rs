//! The two GitHub API calls the server side makes itself: buying an installation token
//! (`POST /app/installations/{id}/access_tokens`) and answering a deployment protection
//! rule (`POST {deployment_callback_url}`). Policy evaluation reads GitHub through
//! `gate::GitHubData` instead.
//!
//! One attempt per call, bounded by a timeout: retries belong to the worker, which backs
//! off in the store so a slow GitHub never holds a webhook answer or a task.

use std::sync::Arc;
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::metrics::Metrics;

/// GitHub's answer when a call fails.
#[derive(Debug, thiserror::Error, Clone, PartialEq, Eq)]
pub enum ApiError {
    /// No answer (connection refused, timeout, TLS).
    #[error("{what}: no answer from {api_url}: {reason}")]
    Transport {
        /// The call.
        what: &'static str,
        /// Where.
        api_url: String,
        /// The transport error.
        reason: String,
    },
    /// An HTTP error status.
    #[error("{what}: GitHub answered {status}{}", message.as_deref().map(|m| format!(": {m}")).unwrap_or_default())]
    Status {
        /// The call.
        what: &'static str,
        /// The status.
        status: u16,
        /// GitHub's `message`, when the body had one.
        message: Option<String>,
    },
    /// A 2xx answer that is not the JSON documented.
    #[error("{what}: unexpected answer: {reason}")]
    Decode {
        /// The call.
        what: &'static str,
        /// Why it did not parse.
        reason: String,
    },
    /// The callback URL of an event points elsewhere than the configured API.
    #[error("the deployment callback URL {url:?} is not on the configured GitHub API ({api_url}); not sending the installation token there")]
    ForeignCallback {
        /// The URL from the event.
        url: String,
        /// `GITHUB_API_URL`.
        api_url: String,
    },
}

impl ApiError {
    /// Whether trying again later can help (not for a 4xx other than 403/429 rate limits,
    /// nor for a foreign callback URL).
    pub fn is_transient(&self) -> bool {
        match self {
            ApiError::Transport { .. } | ApiError::Decode { .. } => true,
            ApiError::Status { status, .. } => {
                *status >= 500 || *status == 429 || *status == 403 || *status == 401
            }
            ApiError::ForeignCallback { .. } => false,
        }
    }
}

/// An installation access token and when it expires (Unix seconds).
#[derive(Clone, PartialEq, Eq)]
pub struct InstallationToken {
    /// The token (`ghs_...`).
    pub token: String,
    /// Its expiry.
    pub expires_at: i64,
}

impl std::fmt::Debug for InstallationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstallationToken")
            .field("token", &"***")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// The HTTP side of the App. Cheap to clone.
#[derive(Clone, Debug)]
pub struct GitHubApi {
    http: reqwest::Client,
    api_url: String,
    origin: reqwest::Url,
    metrics: Arc<Metrics>,
}

/// Per-request bound: GitHub answers these in well under a second when healthy.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(10);

impl GitHubApi {
    /// A client for `api_url` (`https://api.github.com` or `https://HOST/api/v3`).
    pub fn new(api_url: &str, metrics: Arc<Metrics>) -> Result<GitHubApi, ApiError> {
        let api_url = api_url.trim().trim_end_matches('/').to_string();
        let origin = reqwest::Url::parse(&api_url).map_err(|e| ApiError::Transport {
            what: "setting up the GitHub client",
            api_url: api_url.clone(),
            reason: e.to_string(),
        })?;
        let http = reqwest::Client::builder()
            .timeout(REQUEST_TIMEOUT)
            .user_agent(concat!("helmpilot-app/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Transport {
                what: "setting up the GitHub client",
                api_url: api_url.clone(),
                reason: e.to_string(),
            })?;
        Ok(GitHubApi {
            http,
            api_url,
            origin,
            metrics,
        })
    }

    /// The API base URL, without a trailing slash.
    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    /// Exchanges the App's JWT for a token of installation `installation_id`.
    pub async fn create_installation_token(
        &self,
        jwt: &str,
        installation_id: u64,
    ) -> Result<InstallationToken, ApiError> {
        const WHAT: &str = "creating an installation access token";
        let url = format!(
            "{}/app/installations/{installation_id}/access_tokens",
            self.api_url
        );
        let (status, body) = self.send("access_tokens", WHAT, &url, jwt, None).await?;
        if status != 201 && status != 200 {
            return Err(ApiError::Status {
                what: WHAT,
                status,
                message: message(&body),
            });
        }
        #[derive(Deserialize)]
        struct Raw {
            token: String,
            expires_at: String,
        }
        let raw: Raw = serde_json::from_str(&body).map_err(|e| ApiError::Decode {
            what: WHAT,
            reason: e.to_string(),
        })?;
        let expires_at = raw
            .expires_at
            .parse::<jiff::Timestamp>()
            .map_err(|e| ApiError::Decode {
                what: WHAT,
                reason: format!("expires_at {:?}: {e}", raw.expires_at),
            })?
            .as_second();
        Ok(InstallationToken {
            token: raw.token,
            expires_at,
        })
    }

    /// Answers a deployment protection rule: `state` is `approved` or `rejected`.
    pub async fn review_deployment(
        &self,
        callback_url: &str,
        token: &str,
        environment: &str,
        state: &str,
        comment: &str,
    ) -> Result<(), ApiError> {
        const WHAT: &str = "answering the deployment protection rule";
        // The URL comes from a signed event, but the token is only ever sent to the API
        // it belongs to.
        let same_origin = reqwest::Url::parse(callback_url)
            .map(|u| {
                u.origin() == self.origin.origin()
                    && u.path()
                        .starts_with(self.origin.path().trim_end_matches('/'))
            })
            .unwrap_or(false);
        if !same_origin {
            return Err(ApiError::ForeignCallback {
                url: callback_url.to_string(),
                api_url: self.api_url.clone(),
            });
        }
        let body = serde_json::json!({
            "environment_name": environment,
            "state": state,
            "comment": comment,
        });
        let (status, text) = self
            .send("callback", WHAT, callback_url, token, Some(body))
            .await?;
        if (200..300).contains(&status) {
            Ok(())
        } else {
            Err(ApiError::Status {
                what: WHAT,
                status,
                message: message(&text),
            })
        }
    }

    async fn send(
        &self,
        endpoint: &'static str,
        what: &'static str,
        url: &str,
        bearer: &str,
        body: Option<serde_json::Value>,
    ) -> Result<(u16, String), ApiError> {
        let started = Instant::now();
        let mut request = self
            .http
            .post(url)
            .bearer_auth(bearer)
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28");
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_string());
        }
        let result = async {
            let response = request.send().await?;
            let status = response.status().as_u16();
            let text = response.text().await?;
            Ok::<_, reqwest::Error>((status, text))
        }
        .await;
        match result {
            Ok((status, text)) => {
                self.metrics
                    .github_call(endpoint, status, started.elapsed());
                Ok((status, text))
            }
            Err(e) => {
                self.metrics.github_call(endpoint, 0, started.elapsed());
                Err(ApiError::Transport {
                    what,
                    api_url: self.api_url.clone(),
                    // Without the URL (reqwest's text has it, and it is in `api_url`).
                    reason: e.without_url().to_string(),
                })
            }
        }
    }
}

fn message(body: &str) -> Option<String> {
    serde_json::from_str::<serde_json::Value>(body)
        .ok()
        .and_then(|v| v.get("message")?.as_str().map(str::to_string))
}
