//! The endpoints a GitHub App calls besides the REST resources: an installation access
//! token (`POST /app/installations/{installation_id}/access_tokens`, authenticated with
//! the App's JWT) and the answer to a deployment protection rule (`POST
//! /repos/{owner}/{repo}/actions/runs/{run_id}/deployment_protection_rule`). Both are
//! recorded like every request, so tests count callbacks and check them against the
//! OpenAPI description.

use serde_json::{json, Value};

use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use crate::RecordedRequest;

fn error_body(status: u16, message: &str, doc: &str) -> Value {
    json!({
        "message": message,
        "documentation_url": format!("https://docs.github.com/rest{doc}"),
        "status": status.to_string(),
    })
}

/// A JSON answer (`None`: no body, for 204), with the API version header GitHub sends.
fn reply(status: u16, body: Option<&Value>) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = match body {
        Some(b) => (code, b.to_string()).into_response(),
        None => code.into_response(),
    };
    let h = response.headers_mut();
    if body.is_some() {
        h.insert(
            "content-type",
            HeaderValue::from_static("application/json; charset=utf-8"),
        );
    }
    h.insert(
        "x-github-api-version-selected",
        HeaderValue::from_static("2022-11-28"),
    );
    response
}

/// The token handed to installation `id` (tests use it with `require_token`-style checks).
pub fn installation_token(id: u64) -> String {
    format!("ghs_fakeinstallation{id}")
}

/// Serves an App endpoint, or `None` when the request is for another one.
pub(crate) fn serve(req: &RecordedRequest, segments: &[&str]) -> Option<Response> {
    match (req.method.as_str(), segments) {
        ("POST", ["app", "installations", id, "access_tokens"]) => {
            let Ok(id) = id.parse::<u64>() else {
                return Some(reply(404, Some(&error_body(404, "Not Found", ""))));
            };
            // An App JWT is three base64url parts; anything else is what GitHub refuses.
            let jwt = req
                .header("authorization")
                .and_then(|h| h.split_once(' '))
                .map(|(_, t)| t.trim())
                .unwrap_or_default();
            if jwt.split('.').count() != 3 {
                return Some(reply(
                    401,
                    Some(&error_body(
                        401,
                        "A JSON web token could not be decoded",
                        "/apps/apps#create-an-installation-access-token-for-an-app",
                    )),
                ));
            }
            let expires = jiff::Timestamp::now()
                .checked_add(jiff::SignedDuration::from_hours(1))
                .unwrap_or(jiff::Timestamp::MAX)
                .strftime("%Y-%m-%dT%H:%M:%SZ")
                .to_string();
            Some(reply(
                201,
                Some(&json!({
                    "token": installation_token(id),
                    "expires_at": expires,
                    "permissions": {
                        "actions": "read",
                        "contents": "read",
                        "deployments": "write",
                        "members": "read",
                        "pull_requests": "read",
                    },
                    "repository_selection": "all",
                })),
            ))
        }
        ("POST", ["repos", _, _, "actions", "runs", run_id, "deployment_protection_rule"]) => {
            if run_id.parse::<u64>().is_err() {
                return Some(reply(404, Some(&error_body(404, "Not Found", ""))));
            }
            let body = req.body.as_ref();
            let field = |name: &str| body.and_then(|b| b.get(name)).and_then(Value::as_str);
            let valid = field("environment_name").is_some()
                && matches!(field("state"), Some("approved" | "rejected"));
            if !valid {
                return Some(reply(
                    422,
                    Some(&error_body(
                        422,
                        "Invalid request.",
                        "/actions/workflow-runs#review-custom-deployment-protection-rules-for-a-workflow-run",
                    )),
                ));
            }
            Some(reply(204, None))
        }
        _ => None,
    }
}
