//! `GET /audit`: the recent decisions as JSON, for a bearer of `HELMPILOT_AUDIT_TOKEN`.

use hmac::{Hmac, Mac};
use serde_json::json;
use sha2::Sha256;

use crate::config::Secret;
use crate::store::DecisionRecord;

/// Decisions returned when `?limit=` is not given, and the most ever returned.
pub const DEFAULT_LIMIT: u32 = 100;
/// See [`DEFAULT_LIMIT`].
pub const MAX_LIMIT: u32 = 1000;

/// Why a request to `/audit` is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum AuditAccess {
    /// No `HELMPILOT_AUDIT_TOKEN` configured: the endpoint is off (404).
    #[error("the audit log is not served: HELMPILOT_AUDIT_TOKEN is not set")]
    Disabled,
    /// No or another bearer token (401).
    #[error("a bearer token (HELMPILOT_AUDIT_TOKEN) is required")]
    Unauthorized,
}

/// Checks the `Authorization` header against the configured token, in constant time (both
/// sides are MACed with a fixed key first, so lengths do not leak either).
pub fn authorize(
    configured: Option<&Secret>,
    authorization: Option<&str>,
) -> Result<(), AuditAccess> {
    let Some(expected) = configured else {
        return Err(AuditAccess::Disabled);
    };
    let given = authorization
        .and_then(|h| {
            let (scheme, token) = h.trim().split_once(' ')?;
            scheme.eq_ignore_ascii_case("bearer").then(|| token.trim())
        })
        .ok_or(AuditAccess::Unauthorized)?;
    let digest = |text: &str| {
        let mut mac = Hmac::<Sha256>::new_from_slice(b"helmpilot-audit").ok()?;
        mac.update(text.as_bytes());
        Some(mac)
    };
    let expected_tag = digest(expected.expose())
        .ok_or(AuditAccess::Unauthorized)?
        .finalize()
        .into_bytes();
    digest(given)
        .ok_or(AuditAccess::Unauthorized)?
        .verify_slice(&expected_tag)
        .map_err(|_| AuditAccess::Unauthorized)
}

/// The `limit` query parameter, bounded.
pub fn limit(query: Option<&str>) -> u32 {
    query
        .and_then(|q| {
            q.split('&')
                .find_map(|kv| kv.strip_prefix("limit="))
                .and_then(|v| v.parse::<u32>().ok())
        })
        .unwrap_or(DEFAULT_LIMIT)
        .clamp(1, MAX_LIMIT)
}

/// The response body: `{"decisions": [...]}`, newest first.
pub fn body(decisions: &[DecisionRecord]) -> serde_json::Value {
    json!({ "decisions": decisions })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_token_is_required() {
        let token = Secret::new("t0ken");
        assert_eq!(
            authorize(None, Some("Bearer t0ken")),
            Err(AuditAccess::Disabled)
        );
        assert_eq!(
            authorize(Some(&token), None),
            Err(AuditAccess::Unauthorized)
        );
        assert_eq!(
            authorize(Some(&token), Some("Bearer nope")),
            Err(AuditAccess::Unauthorized)
        );
        assert_eq!(
            authorize(Some(&token), Some("Basic t0ken")),
            Err(AuditAccess::Unauthorized)
        );
        assert_eq!(authorize(Some(&token), Some("bearer t0ken")), Ok(()));
    }

    #[test]
    fn limits() {
        assert_eq!(limit(None), DEFAULT_LIMIT);
        assert_eq!(limit(Some("limit=5")), 5);
        assert_eq!(limit(Some("x=1&limit=0")), 1);
        assert_eq!(limit(Some("limit=99999")), MAX_LIMIT);
    }
}
