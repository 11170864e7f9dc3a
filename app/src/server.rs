//! The HTTP side: the axum router and its handlers. Handlers stay short; the work is in
//! [`crate::webhook`] (verify, route), [`crate::store`] (record) and [`crate::audit`].

use std::sync::Arc;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use axum::body::{Body, Bytes};
use axum::extract::{RawQuery, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;
use tokio::sync::Notify;

use crate::audit;
use crate::config::Secret;
use crate::metrics::Metrics;
use crate::store::{Delivery, Recorded, Store};
use crate::webhook;

/// What the handlers share.
#[derive(Clone, Debug)]
pub struct AppState {
    /// The webhook secret.
    pub webhook_secret: Secret,
    /// The `/audit` bearer token, if served.
    pub audit_token: Option<Secret>,
    /// Larger deliveries get 413.
    pub max_body: usize,
    /// The store.
    pub store: Store,
    /// The metrics.
    pub metrics: Arc<Metrics>,
    /// Notified when a gate became due (wakes the worker).
    pub wake: Arc<Notify>,
}

/// The App's routes: `POST /webhook`, `GET /healthz`, `GET /readyz`, `GET /metrics`,
/// `GET /audit`.
pub fn router(state: AppState) -> Router {
    Router::new()
        .route("/webhook", post(webhook_handler))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .route("/audit", get(audit_handler))
        .with_state(state)
}

fn message(status: StatusCode, text: &str) -> Response {
    (status, Json(json!({ "message": text }))).into_response()
}

async fn healthz() -> &'static str {
    "ok\n"
}

async fn readyz(State(state): State<AppState>) -> Response {
    match state.store.ping().await {
        Ok(()) => (StatusCode::OK, "ok\n").into_response(),
        Err(e) => {
            tracing::warn!("not ready: {e}");
            (StatusCode::SERVICE_UNAVAILABLE, "store unreachable\n").into_response()
        }
    }
}

async fn metrics(State(state): State<AppState>) -> Response {
    let gates = match state.store.gate_counts().await {
        Ok(g) => g,
        Err(e) => {
            tracing::warn!("metrics without gate counts: {e}");
            Vec::new()
        }
    };
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        state.metrics.render(&gates),
    )
        .into_response()
}

async fn audit_handler(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
    headers: HeaderMap,
) -> Response {
    let authorization = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok());
    if let Err(refused) = audit::authorize(state.audit_token.as_ref(), authorization) {
        let status = match refused {
            audit::AuditAccess::Disabled => StatusCode::NOT_FOUND,
            audit::AuditAccess::Unauthorized => StatusCode::UNAUTHORIZED,
        };
        let mut response = message(status, &refused.to_string());
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        return response;
    }
    match state
        .store
        .recent_decisions(audit::limit(query.as_deref()))
        .await
    {
        Ok(decisions) => Json(audit::body(&decisions)).into_response(),
        Err(e) => {
            tracing::error!("audit: {e}");
            message(StatusCode::SERVICE_UNAVAILABLE, "the store is unavailable")
        }
    }
}

fn header_text<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name).and_then(|v| v.to_str().ok())
}

async fn webhook_handler(
    State(state): State<AppState>,
    headers: HeaderMap,
    body: Body,
) -> Response {
    let started = Instant::now();
    let (event, outcome, response) = handle_delivery(&state, &headers, body).await;
    state.metrics.delivery(&event, outcome, started.elapsed());
    response
}

/// One delivery: returns the event label and outcome for the metrics, and the answer.
async fn handle_delivery(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
) -> (String, &'static str, Response) {
    // The event name is not trusted before the signature is checked: unverified
    // deliveries are counted under `unverified`.
    let unverified = || "unverified".to_string();
    let too_large = || {
        message(
            StatusCode::PAYLOAD_TOO_LARGE,
            &format!(
                "the body is larger than {} bytes (HELMPILOT_MAX_BODY)",
                state.max_body
            ),
        )
    };
    let declared = header_text(headers, "content-length").and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > state.max_body) {
        return (unverified(), "too_large", too_large());
    }
    let body: Bytes = match axum::body::to_bytes(body, state.max_body).await {
        Ok(b) => b,
        Err(_) => return (unverified(), "too_large", too_large()),
    };
    if let Err(e) = webhook::verify_signature(
        state.webhook_secret.expose().as_bytes(),
        header_text(headers, "x-hub-signature-256"),
        header_text(headers, "x-hub-signature"),
        &body,
    ) {
        return (
            unverified(),
            "unauthorized",
            message(StatusCode::UNAUTHORIZED, &e.to_string()),
        );
    }
    let event = header_text(headers, "x-github-event")
        .unwrap_or_default()
        .to_string();
    let Some(delivery_id) = header_text(headers, "x-github-delivery")
        .map(str::trim)
        .filter(|d| !d.is_empty() && d.len() <= 200)
    else {
        return (
            event,
            "bad_request",
            message(StatusCode::BAD_REQUEST, "missing X-GitHub-Delivery header"),
        );
    };
    let now_ms = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX));
    let routed = match webhook::route(&event, &body, now_ms / 1000) {
        Ok(r) => r,
        Err(e) => {
            return (
                event,
                "bad_request",
                message(StatusCode::BAD_REQUEST, &e.to_string()),
            )
        }
    };
    if !routed.handled {
        return (
            event,
            "ignored",
            message(StatusCode::ACCEPTED, "event or action not handled; ignored"),
        );
    }
    let delivery = Delivery {
        id: delivery_id.to_string(),
        event: event.clone(),
        action: routed.action.clone(),
        received_at_ms: now_ms,
    };
    match state.store.record(&delivery, &routed.effect).await {
        Ok(Recorded::Duplicate) => (
            event,
            "duplicate",
            message(StatusCode::OK, "delivery already received; nothing changed"),
        ),
        Ok(Recorded::New { woke }) => {
            if woke {
                state.wake.notify_one();
            }
            (event, "accepted", message(StatusCode::ACCEPTED, "accepted"))
        }
        Err(e) => {
            tracing::error!(delivery = %delivery.id, "cannot record the delivery: {e}");
            // 503 makes GitHub's redelivery (or an operator) try again later.
            (
                event,
                "error",
                message(
                    StatusCode::SERVICE_UNAVAILABLE,
                    "cannot record the delivery; try again",
                ),
            )
        }
    }
}
