//! One REST call with GitHub's retry rules, shared by every client of this crate: an
//! attempt reads the status, the rate-limit headers, the `Link` header and the body;
//! [`crate::retry::decide`] says whether to wait and try again. Callers turn a
//! [`GiveUp`] into their own error, worded for what they were doing.

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use octocrab::Octocrab;
use serde::Deserialize;

use crate::retry::{decide, Answer, Decision, Outcome};
use crate::RetryPolicy;

/// A client's connection: octocrab with the token, and the API URL it was given.
pub(crate) struct Connection {
    pub octocrab: Octocrab,
    /// The URL without trailing slashes (`https://api.github.com`, `https://HOST/api/v3`).
    pub trimmed: String,
    pub parsed: url::Url,
}

/// Why a connection could not be set up; each client words it in its own error type.
pub(crate) enum SetupError {
    ApiUrl(String),
    Token(&'static str),
    Client(String),
}

/// Checks the API URL and the token and builds the octocrab client. `caller` names the
/// constructor in the message for a missing tokio runtime.
pub(crate) fn connect(api_url: &str, token: &str, caller: &str) -> Result<Connection, SetupError> {
    let trimmed = api_url.trim().trim_end_matches('/');
    let parsed = url::Url::parse(trimmed).map_err(|e| SetupError::ApiUrl(e.to_string()))?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(SetupError::ApiUrl(format!(
            "the scheme is {:?}, not http or https",
            parsed.scheme()
        )));
    }
    if parsed.host().is_none() {
        return Err(SetupError::ApiUrl("no host".to_string()));
    }
    if parsed.query().is_some() || parsed.fragment().is_some() {
        return Err(SetupError::ApiUrl("it has a query or fragment".to_string()));
    }
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(SetupError::ApiUrl("it carries credentials".to_string()));
    }
    let token = token.trim();
    if token.is_empty() {
        return Err(SetupError::Token("empty"));
    }
    if token.bytes().any(|b| !(0x21..0x7f).contains(&b)) {
        return Err(SetupError::Token(
            "not a printable ASCII string (was the secret pasted with line breaks?)",
        ));
    }
    // octocrab's service stack spawns its worker onto the current runtime, and panics
    // without one.
    if tokio::runtime::Handle::try_current().is_err() {
        return Err(SetupError::Client(format!(
            "{caller} must be called inside a tokio runtime (the client's connection worker runs on it)"
        )));
    }
    let octocrab = Octocrab::builder()
        .base_uri(trimmed)
        .map_err(|e| SetupError::ApiUrl(e.to_string()))?
        .personal_token(token.to_string())
        .build()
        .map_err(|e| SetupError::Client(e.to_string()))?;
    Ok(Connection {
        octocrab,
        trimmed: trimmed.to_string(),
        parsed,
    })
}

#[derive(Clone, Copy)]
pub(crate) enum Method {
    Get,
    Post,
    Patch,
}

/// A successful answer.
pub(crate) struct Reply {
    pub link: Option<String>,
    pub body: String,
}

/// Why a call gave up.
pub(crate) enum GiveUp {
    /// GitHub asks to wait longer than the policy's budget allows.
    RateLimitTooLong { outcome: Outcome, wait: Duration },
    /// An answer not worth retrying, or no attempts left. `transport_reason` describes a
    /// failure without an answer (never with the token).
    Stopped {
        outcome: Outcome,
        transport_reason: Option<String>,
        attempts: u32,
    },
}

/// Sends one call, retrying as `policy` and GitHub's answers say; `on_retry` hears of each
/// retry (attempt number, wait, what failed) so the caller can log it in its own words.
pub(crate) async fn send(
    octocrab: &Octocrab,
    policy: &RetryPolicy,
    method: Method,
    url: &str,
    body: Option<&serde_json::Value>,
    on_retry: impl Fn(u32, Duration, &Outcome, Option<&str>),
) -> Result<Reply, GiveUp> {
    let started = Instant::now();
    let mut attempts = 0u32;
    loop {
        attempts += 1;
        let (outcome, transport_reason) = match tokio::time::timeout(
            policy.request_timeout,
            attempt(octocrab, method, url, body),
        )
        .await
        {
            Ok(Ok((answer, reply))) if (200..300).contains(&answer.status) => return Ok(reply),
            Ok(Ok((answer, _))) => (Outcome::Answer(answer), None),
            Ok(Err(reason)) => (Outcome::Transport, Some(reason)),
            Err(_) => (
                Outcome::Transport,
                Some(format!(
                    "no answer within {} s",
                    policy.request_timeout.as_secs_f32()
                )),
            ),
        };
        let now_epoch = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        match decide(policy, attempts, started.elapsed(), &outcome, now_epoch) {
            Decision::Retry(wait) => {
                on_retry(attempts, wait, &outcome, transport_reason.as_deref());
                tokio::time::sleep(wait).await;
            }
            Decision::RateLimitTooLong(wait) => {
                return Err(GiveUp::RateLimitTooLong { outcome, wait })
            }
            Decision::Stop => {
                return Err(GiveUp::Stopped {
                    outcome,
                    transport_reason,
                    attempts,
                })
            }
        }
    }
}

/// One request. `Err` is a transport failure, described without the token.
async fn attempt(
    octocrab: &Octocrab,
    method: Method,
    url: &str,
    body: Option<&serde_json::Value>,
) -> Result<(Answer, Reply), String> {
    let response = match method {
        Method::Get => octocrab._get(url).await,
        Method::Post => octocrab._post(url, body).await,
        Method::Patch => octocrab._patch(url, body).await,
    }
    .map_err(|e| error_chain(&e))?;
    let status = response.status().as_u16();
    let header = |name: &str| {
        response
            .headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let mut answer = Answer {
        status,
        retry_after: header("retry-after"),
        ratelimit_remaining: header("x-ratelimit-remaining"),
        ratelimit_reset: header("x-ratelimit-reset"),
        message: None,
    };
    let link = header("link");
    let text = octocrab
        .body_to_string(response)
        .await
        .map_err(|e| error_chain(&e))?;
    if !(200..300).contains(&status) {
        answer.message = github_message(&text);
    }
    Ok((answer, Reply { link, body: text }))
}

/// GitHub's error bodies are `{"message": ..., "documentation_url": ...}`.
fn github_message(body: &str) -> Option<String> {
    #[derive(Deserialize)]
    struct ErrorBody {
        message: String,
    }
    serde_json::from_str::<ErrorBody>(body)
        .ok()
        .map(|b| b.message)
        .filter(|m| !m.is_empty())
}

/// An error and its causes on one line (hyper's outer errors alone say little).
pub(crate) fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_error_bodies_give_their_message() {
        assert_eq!(
            github_message(r#"{"message":"Resource not accessible by integration","documentation_url":"https://docs.github.com/rest","status":"403"}"#).as_deref(),
            Some("Resource not accessible by integration")
        );
        assert_eq!(github_message("<html>502</html>"), None);
    }
}
