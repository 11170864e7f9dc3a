//! Webhook deliveries: signature verification (before anything is parsed) and routing of
//! the events the App subscribes to into what the store records.

use helmpilot_github::RepoName;
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use crate::gate::{GateRequest, ManualCommand};
use crate::store::Effect;

/// Why a delivery's signature was refused (all answered 401).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SignatureError {
    /// No `X-Hub-Signature-256` header.
    #[error("missing X-Hub-Signature-256 header")]
    Missing,
    /// Only the SHA-1 `X-Hub-Signature` header, which the App does not accept.
    #[error("only an X-Hub-Signature (SHA-1) header; X-Hub-Signature-256 is required")]
    Sha1Only,
    /// Not `sha256=` followed by 64 hex digits.
    #[error("malformed X-Hub-Signature-256 header (expected sha256=<64 hex digits>)")]
    Malformed,
    /// Well-formed, but not the HMAC of this body with the configured secret.
    #[error("X-Hub-Signature-256 does not match the body (is HELMPILOT_WEBHOOK_SECRET the App's webhook secret?)")]
    Mismatch,
}

/// Checks `X-Hub-Signature-256` (`sha256_header`) against the HMAC-SHA256 of the raw
/// `body` with `secret`, in constant time. `sha1_header` only tells a SHA-1-only sender
/// apart in the error.
///
/// ```
/// use hmac::{Hmac, Mac};
/// use helmpilot_app::webhook::{verify_signature, SignatureError};
/// let body = br#"{"zen":"Keep it logically awesome."}"#;
/// let mut mac = Hmac::<sha2::Sha256>::new_from_slice(b"secret").unwrap();
/// mac.update(body);
/// let hex: String = mac.finalize().into_bytes().iter().map(|b| format!("{b:02x}")).collect();
/// let header = format!("sha256={hex}");
/// assert_eq!(verify_signature(b"secret", Some(&header), None, body), Ok(()));
/// assert_eq!(verify_signature(b"other", Some(&header), None, body), Err(SignatureError::Mismatch));
/// ```
pub fn verify_signature(
    secret: &[u8],
    sha256_header: Option<&str>,
    sha1_header: Option<&str>,
    body: &[u8],
) -> Result<(), SignatureError> {
    let Some(header) = sha256_header else {
        return Err(if sha1_header.is_some() {
            SignatureError::Sha1Only
        } else {
            SignatureError::Missing
        });
    };
    let hex = header
        .trim()
        .strip_prefix("sha256=")
        .ok_or(SignatureError::Malformed)?;
    let expected = decode_hex(hex).ok_or(SignatureError::Malformed)?;
    let mut mac = Hmac::<Sha256>::new_from_slice(secret).map_err(|_| SignatureError::Mismatch)?;
    mac.update(body);
    // `verify_slice` compares in constant time.
    mac.verify_slice(&expected)
        .map_err(|_| SignatureError::Mismatch)
}

fn decode_hex(hex: &str) -> Option<[u8; 32]> {
    let bytes = hex.as_bytes();
    if bytes.len() != 64 {
        return None;
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        let hi = (pair[0] as char).to_digit(16)?;
        let lo = (pair[1] as char).to_digit(16)?;
        out[i] = u8::try_from(hi * 16 + lo).ok()?;
    }
    Some(out)
}

/// A delivery that verified but cannot be used (answered 400 with this text).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PayloadError {
    /// The body is not JSON.
    #[error("the body is not valid JSON: {0}")]
    Json(String),
    /// A field the event needs is missing or of the wrong type.
    #[error("the {event} payload has no usable `{field}`")]
    Field {
        /// The event.
        event: String,
        /// The JSON path of the field.
        field: &'static str,
    },
}

/// What a verified delivery means to the App.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Routed {
    /// The payload's `action` (empty when none).
    pub action: String,
    /// What to record.
    pub effect: Effect,
    /// False for events and actions the App does not act on (answered 202).
    pub handled: bool,
}

/// The events the App subscribes to (README lists them for the App's settings).
pub const EVENTS: [&str; 5] = [
    "deployment_protection_rule",
    "pull_request_review",
    "deployment_status",
    "issue_comment",
    "ping",
];

/// Routes a verified delivery of event `event` with raw `body`, received at `now`
/// (Unix seconds). Unknown events are `handled: false` without parsing the body.
pub fn route(event: &str, body: &[u8], now: i64) -> Result<Routed, PayloadError> {
    if !EVENTS.contains(&event) {
        return Ok(Routed {
            action: String::new(),
            effect: Effect::None,
            handled: false,
        });
    }
    let payload: Value =
        serde_json::from_slice(body).map_err(|e| PayloadError::Json(e.to_string()))?;
    if !payload.is_object() {
        return Err(PayloadError::Json("not a JSON object".to_string()));
    }
    let action = payload
        .get("action")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    let field = |field: &'static str| PayloadError::Field {
        event: event.to_string(),
        field,
    };
    let ignored = |action: String| Routed {
        action,
        effect: Effect::None,
        handled: false,
    };
    match event {
        "ping" => Ok(Routed {
            action,
            effect: Effect::None,
            handled: true,
        }),
        "deployment_protection_rule" => {
            if action != "requested" {
                return Ok(ignored(action));
            }
            let request = gate_request(&payload, now).map_err(field)?;
            Ok(Routed {
                action,
                effect: Effect::NewGate(request),
                handled: true,
            })
        }
        "pull_request_review" | "deployment_status" => {
            let relevant = match event {
                "pull_request_review" => {
                    matches!(action.as_str(), "submitted" | "dismissed" | "edited")
                }
                _ => action == "created",
            };
            if !relevant {
                return Ok(ignored(action));
            }
            let repository = repository(&payload).ok_or_else(|| field("repository.full_name"))?;
            Ok(Routed {
                action,
                effect: Effect::Recheck { repository },
                handled: true,
            })
        }
        "issue_comment" => {
            if action != "created" {
                return Ok(ignored(action));
            }
            let body = payload
                .pointer("/comment/body")
                .and_then(Value::as_str)
                .ok_or_else(|| field("comment.body"))?;
            let Some((approve, environment, reason)) = parse_command(body) else {
                return Ok(ignored(action));
            };
            let repository = repository(&payload).ok_or_else(|| field("repository.full_name"))?;
            let author = payload
                .pointer("/comment/user/login")
                .and_then(Value::as_str)
                .ok_or_else(|| field("comment.user.login"))?;
            let installation_id = payload
                .pointer("/installation/id")
                .and_then(Value::as_u64)
                .ok_or_else(|| field("installation.id"))?;
            let issue_number = payload
                .pointer("/issue/number")
                .and_then(Value::as_u64)
                .ok_or_else(|| field("issue.number"))?;
            Ok(Routed {
                action,
                effect: Effect::Command {
                    installation_id,
                    repository,
                    issue_number,
                    command: ManualCommand {
                        author: author.to_string(),
                        environment,
                        approve,
                        reason,
                        at: now,
                    },
                },
                handled: true,
            })
        }
        _ => Ok(ignored(action)),
    }
}

fn repository(payload: &Value) -> Option<RepoName> {
    let name = payload.pointer("/repository/full_name")?.as_str()?;
    RepoName::parse(name).ok()
}

fn gate_request(p: &Value, now: i64) -> Result<GateRequest, &'static str> {
    let text = |ptr: &str| p.pointer(ptr).and_then(Value::as_str).map(str::to_string);
    let environment = text("/environment").ok_or("environment")?;
    let deployment_callback_url =
        text("/deployment_callback_url").ok_or("deployment_callback_url")?;
    let installation_id = p
        .pointer("/installation/id")
        .and_then(Value::as_u64)
        .ok_or("installation.id")?;
    let repository = repository(p).ok_or("repository.full_name")?;
    // `sha` and `ref` are always set from the check suite; the deployment object may be
    // null when no deployment is created.
    let sha = text("/sha")
        .or_else(|| text("/deployment/sha"))
        .ok_or("sha")?;
    let git_ref = text("/ref")
        .or_else(|| text("/deployment/ref"))
        .ok_or("ref")?;
    let deployment_id = p
        .pointer("/deployment/id")
        .and_then(Value::as_u64)
        .unwrap_or(0);
    let requested_by = text("/deployment/creator/login")
        .or_else(|| text("/sender/login"))
        .unwrap_or_default();
    Ok(GateRequest {
        installation_id,
        repository,
        environment,
        sha,
        git_ref,
        deployment_id,
        deployment_callback_url,
        requested_by,
        requested_at: now,
    })
}

/// Parses `/helmpilot approve <env>` or `/helmpilot reject <env> <reason>` on the first
/// line of a comment: `(approve, environment, reason)`.
pub fn parse_command(body: &str) -> Option<(bool, String, String)> {
    let line = body.trim_start().lines().next()?.trim();
    let mut words = line.split_whitespace();
    if words.next()? != "/helmpilot" {
        return None;
    }
    let approve = match words.next()? {
        "approve" => true,
        "reject" => false,
        _ => return None,
    };
    let environment = words.next()?.to_string();
    let reason = words.collect::<Vec<_>>().join(" ");
    Some((approve, environment, reason))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signature_header_forms() {
        let body = b"{}";
        assert_eq!(
            verify_signature(b"s", None, None, body),
            Err(SignatureError::Missing)
        );
        assert_eq!(
            verify_signature(b"s", None, Some("sha1=0000"), body),
            Err(SignatureError::Sha1Only)
        );
        for bad in [
            "sha1=00",
            "sha256=zz",
            "sha256=",
            &format!("sha256={}", "0".repeat(63)),
        ] {
            assert_eq!(
                verify_signature(b"s", Some(bad), None, body),
                Err(SignatureError::Malformed),
                "{bad}"
            );
        }
        assert_eq!(
            verify_signature(
                b"s",
                Some(&format!("sha256={}", "0".repeat(64))),
                None,
                body
            ),
            Err(SignatureError::Mismatch)
        );
    }

    #[test]
    fn commands() {
        assert_eq!(
            parse_command("/helmpilot approve prod"),
            Some((true, "prod".into(), String::new()))
        );
        assert_eq!(
            parse_command("  /helmpilot reject prod  not during the sale \nmore"),
            Some((false, "prod".into(), "not during the sale".into()))
        );
        assert_eq!(parse_command("/helmpilot approve"), None);
        assert_eq!(parse_command("please /helmpilot approve prod"), None);
        assert_eq!(parse_command("/helmpilot deploy prod"), None);
    }

    #[test]
    fn unknown_events_are_not_parsed() {
        let r = route("push", b"not json", 0).unwrap();
        assert!(!r.handled);
        assert!(matches!(
            route("ping", b"not json", 0),
            Err(PayloadError::Json(_))
        ));
    }
}
