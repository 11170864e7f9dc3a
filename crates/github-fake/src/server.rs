//! The fake server: state, failure injection, recording, and the three endpoints (the
//! App gate's read endpoints are in `app`).

mod app;

use std::collections::{BTreeMap, VecDeque};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Router;
use serde_json::{json, Value};

/// GitHub's limit on a comment body, in characters.
const MAX_BODY_CHARS: usize = 65_536;

/// The first comment id handed out (real ids are large; starting high catches code that
/// assumes small ones fit in 32 bits).
const FIRST_ID: u64 = 2_000_000_001;

/// One request as the fake received it.
#[derive(Debug, Clone, PartialEq)]
pub struct RecordedRequest {
    /// `GET`, `POST`, `PATCH`, ...
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// `authorization`, `accept`, `content-type`, `user-agent` and `x-github-api-version`,
    /// when sent (names lower-cased).
    pub headers: BTreeMap<String, String>,
    /// The JSON body, when there was one and it parsed.
    pub body: Option<Value>,
    /// The status the fake answered.
    pub status: u16,
}

impl RecordedRequest {
    /// A recorded header's value.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(&name.to_ascii_lowercase())
            .map(String::as_str)
    }

    /// A query parameter's first value.
    pub fn query_param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// A failure the fake answers with instead of serving a request; see
/// [`FakeGitHub::fail_next`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// This status with GitHub's generic JSON error body (500, 502, 503, 422, ...).
    Status(u16),
    /// A secondary rate limit with `Retry-After: seconds` (`status` is 403 or 429).
    RetryAfter {
        /// 403 or 429.
        status: u16,
        /// The `Retry-After` value.
        seconds: u64,
    },
    /// A secondary rate limit announced only by the message (403, no headers).
    SecondaryRateLimit,
    /// The primary rate limit used up: 403, `x-ratelimit-remaining: 0` and
    /// `x-ratelimit-reset` this many seconds from now.
    RateLimitExhausted {
        /// Seconds until the reset.
        reset_in: u64,
    },
    /// 403 "Resource not accessible by integration": a token without the permission.
    Forbidden,
    /// 404 "Not Found": a token that may not see the repository, or no such resource.
    NotFound,
}

/// A comment as the fake stores it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredComment {
    /// The comment's id.
    pub id: u64,
    /// The Markdown body.
    pub body: String,
    /// The author.
    pub user_login: String,
    /// `2024-01-02T03:04:05Z`.
    pub created_at: String,
    /// Same format; changes on every edit.
    pub updated_at: String,
}

#[derive(Debug, Clone)]
struct Stored {
    comment: StoredComment,
    owner: String,
    repo: String,
    number: u64,
}

#[derive(Debug)]
struct Inner {
    comments: Vec<Stored>,
    next_id: u64,
    login: String,
    token: Option<String>,
    failures: VecDeque<Failure>,
    requests: Vec<RecordedRequest>,
    app: app::AppState,
}

#[derive(Clone)]
struct Shared {
    inner: Arc<Mutex<Inner>>,
    /// Where the web pages would be (`http://127.0.0.1:PORT`).
    base_url: String,
    /// The API's path prefix: empty like api.github.com, or `/api/v3` like GHES.
    prefix: String,
}

fn lock(inner: &Mutex<Inner>) -> MutexGuard<'_, Inner> {
    // A test that panicked while holding the lock must not hide the state from others.
    inner
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The fake GitHub API server on `127.0.0.1` and a free port, serving from its own thread
/// (so sync tests that run a binary and async tests alike can use it). Stops when dropped.
pub struct FakeGitHub {
    shared: Shared,
    addr: SocketAddr,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl FakeGitHub {
    /// Starts a fake whose API-created comments are authored by `github-actions[bot]`
    /// (the workflow token's identity) and that accepts any token.
    ///
    /// # Panics
    /// When no port on 127.0.0.1 can be bound: a test helper has no better answer.
    pub fn start() -> FakeGitHub {
        match FakeGitHub::try_start() {
            Ok(fake) => fake,
            Err(e) => panic!("cannot start the fake GitHub API on 127.0.0.1: {e}"),
        }
    }

    /// A fake shaped like GitHub Enterprise Server: the API under `/api/v3`
    /// ([`FakeGitHub::url`] ends with it), web pages at the host's root.
    ///
    /// # Panics
    /// As [`FakeGitHub::start`].
    pub fn start_enterprise() -> FakeGitHub {
        match FakeGitHub::try_start_with_prefix("/api/v3") {
            Ok(fake) => fake,
            Err(e) => panic!("cannot start the fake GitHub API on 127.0.0.1: {e}"),
        }
    }

    /// [`FakeGitHub::start`], returning the error.
    pub fn try_start() -> std::io::Result<FakeGitHub> {
        FakeGitHub::try_start_with_prefix("")
    }

    fn try_start_with_prefix(prefix: &str) -> std::io::Result<FakeGitHub> {
        let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
        listener.set_nonblocking(true)?;
        let addr = listener.local_addr()?;
        let shared = Shared {
            inner: Arc::new(Mutex::new(Inner {
                comments: Vec::new(),
                next_id: FIRST_ID,
                login: "github-actions[bot]".to_string(),
                token: None,
                failures: VecDeque::new(),
                requests: Vec::new(),
                app: app::AppState::default(),
            })),
            base_url: format!("http://{addr}"),
            prefix: prefix.to_string(),
        };
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let app = Router::new().fallback(handle).with_state(shared.clone());
        let thread = std::thread::Builder::new()
            .name("fake-github".to_string())
            .spawn(move || {
                runtime.block_on(async move {
                    let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                        return;
                    };
                    tokio::spawn(async move {
                        let _ = axum::serve(listener, app).await;
                    });
                    // Returning drops the runtime, which cancels the server and its
                    // connections at once (no waiting for clients' keep-alive).
                    let _ = stopped.await;
                });
            })?;
        Ok(FakeGitHub {
            shared,
            addr,
            stop: Some(stop),
            thread: Some(thread),
        })
    }

    /// The API base URL, e.g. `http://127.0.0.1:41234` (what `GITHUB_API_URL` would be),
    /// or `http://127.0.0.1:41234/api/v3` for [`FakeGitHub::start_enterprise`].
    pub fn url(&self) -> String {
        format!("{}{}", self.shared.base_url, self.shared.prefix)
    }

    /// The address the fake listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The comments of `owner/repo#number`, by id.
    pub fn comments(&self, owner: &str, repo: &str, number: u64) -> Vec<StoredComment> {
        let inner = lock(&self.shared.inner);
        let mut out: Vec<StoredComment> = inner
            .comments
            .iter()
            .filter(|s| s.owner == owner && s.repo == repo && s.number == number)
            .map(|s| s.comment.clone())
            .collect();
        out.sort_by_key(|c| c.id);
        out
    }

    /// A comment as the API would return it (the JSON shape of GET/POST/PATCH answers).
    pub fn comment_json(&self, id: u64) -> Option<Value> {
        let inner = lock(&self.shared.inner);
        inner
            .comments
            .iter()
            .find(|s| s.comment.id == id)
            .map(|s| to_json(&self.shared, s))
    }

    /// Every request received so far, oldest first.
    pub fn requests(&self) -> Vec<RecordedRequest> {
        lock(&self.shared.inner).requests.clone()
    }

    /// Forgets the recorded requests.
    pub fn clear_requests(&self) {
        lock(&self.shared.inner).requests.clear();
    }

    /// Adds a comment as if `login` had posted it; returns its id.
    pub fn add_comment(
        &self,
        owner: &str,
        repo: &str,
        number: u64,
        login: &str,
        body: &str,
    ) -> u64 {
        let mut inner = lock(&self.shared.inner);
        insert(&mut inner, owner, repo, number, login, body)
            .comment
            .id
    }

    /// The login comments created through the API are authored by.
    pub fn set_login(&self, login: &str) {
        lock(&self.shared.inner).login = login.to_string();
    }

    /// Accepts only this token from now on (others get 401 "Bad credentials").
    pub fn require_token(&self, token: &str) {
        lock(&self.shared.inner).token = Some(token.to_string());
    }

    /// Answers the next `count` requests, whatever they are, with `failure`.
    pub fn fail_next(&self, count: usize, failure: Failure) {
        let mut inner = lock(&self.shared.inner);
        inner
            .failures
            .extend(std::iter::repeat(failure).take(count));
    }
}

impl Drop for FakeGitHub {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn now() -> String {
    jiff::Timestamp::now()
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}

fn insert<'a>(
    inner: &'a mut Inner,
    owner: &str,
    repo: &str,
    number: u64,
    login: &str,
    body: &str,
) -> &'a Stored {
    let id = inner.next_id;
    inner.next_id += 1;
    let at = now();
    inner.comments.push(Stored {
        comment: StoredComment {
            id,
            body: body.to_string(),
            user_login: login.to_string(),
            created_at: at.clone(),
            updated_at: at,
        },
        owner: owner.to_string(),
        repo: repo.to_string(),
        number,
    });
    &inner.comments[inner.comments.len() - 1]
}

/// The issue comment object, with the fields GitHub returns (URLs on the fake's host, as
/// on GitHub Enterprise Server where API and web share one).
fn to_json(shared: &Shared, s: &Stored) -> Value {
    let base = shared.base_url.as_str();
    let api = format!("{base}{}", shared.prefix);
    let c = &s.comment;
    let login = &c.user_login;
    let bot = login.ends_with("[bot]");
    let repo_api = format!("{api}/repos/{}/{}", s.owner, s.repo);
    json!({
        "id": c.id,
        "node_id": format!("IC_kwDOfake{}", c.id),
        "url": format!("{repo_api}/issues/comments/{}", c.id),
        "html_url": format!("{base}/{}/{}/pull/{}#issuecomment-{}", s.owner, s.repo, s.number, c.id),
        "issue_url": format!("{repo_api}/issues/{}", s.number),
        "body": c.body,
        "user": app::user_json(shared, login),
        "created_at": c.created_at,
        "updated_at": c.updated_at,
        "author_association": if bot { "NONE" } else { "CONTRIBUTOR" },
        "performed_via_github_app": null,
        "reactions": {
            "url": format!("{repo_api}/issues/comments/{}/reactions", c.id),
            "total_count": 0, "+1": 0, "-1": 0, "laugh": 0, "hooray": 0,
            "confused": 0, "heart": 0, "rocket": 0, "eyes": 0,
        },
    })
}

fn error_body(status: u16, message: &str, doc: &str) -> Value {
    json!({
        "message": message,
        "documentation_url": format!("https://docs.github.com/rest{doc}"),
        "status": status.to_string(),
    })
}

fn reply(status: u16, body: &Value, headers: &[(&str, String)]) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut response = (code, body.to_string()).into_response();
    let h = response.headers_mut();
    h.insert(
        "content-type",
        HeaderValue::from_static("application/json; charset=utf-8"),
    );
    h.insert(
        "x-github-api-version-selected",
        HeaderValue::from_static("2022-11-28"),
    );
    for (name, value) in headers {
        if let (Ok(name), Ok(value)) = (
            axum::http::HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(value),
        ) {
            h.insert(name, value);
        }
    }
    response
}

fn failure_reply(failure: &Failure) -> Response {
    const SECONDARY: &str = "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID FAKE:0000:0000000:0000000:00000000.";
    let limit_doc = "/overview/rate-limits-for-the-rest-api";
    match failure {
        Failure::Status(status) => {
            let message = match status {
                500 => "Server Error",
                502 => "Bad Gateway",
                503 => "Service Unavailable",
                422 => "Validation Failed",
                _ => "Error",
            };
            reply(*status, &error_body(*status, message, ""), &[])
        }
        Failure::RetryAfter { status, seconds } => reply(
            *status,
            &error_body(*status, SECONDARY, limit_doc),
            &[("retry-after", seconds.to_string())],
        ),
        Failure::SecondaryRateLimit => reply(403, &error_body(403, SECONDARY, limit_doc), &[]),
        Failure::RateLimitExhausted { reset_in } => {
            let reset = jiff::Timestamp::now()
                .as_second()
                .saturating_add(i64::try_from(*reset_in).unwrap_or(i64::MAX));
            reply(
                403,
                &error_body(
                    403,
                    "API rate limit exceeded for installation ID 1.",
                    limit_doc,
                ),
                &[
                    ("x-ratelimit-limit", "5000".to_string()),
                    ("x-ratelimit-remaining", "0".to_string()),
                    ("x-ratelimit-used", "5000".to_string()),
                    ("x-ratelimit-reset", reset.to_string()),
                    ("x-ratelimit-resource", "core".to_string()),
                ],
            )
        }
        Failure::Forbidden => reply(
            403,
            &error_body(
                403,
                "Resource not accessible by integration",
                "/issues/comments#create-an-issue-comment",
            ),
            &[],
        ),
        Failure::NotFound => reply(404, &error_body(404, "Not Found", ""), &[]),
    }
}

const RECORDED_HEADERS: [&str; 5] = [
    "authorization",
    "accept",
    "content-type",
    "user-agent",
    "x-github-api-version",
];

async fn handle(
    State(shared): State<Shared>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let query: Vec<(String, String)> = uri
        .query()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default();
    let recorded_headers: BTreeMap<String, String> = RECORDED_HEADERS
        .iter()
        .filter_map(|name| {
            let value = headers.get(*name)?.to_str().ok()?;
            Some((name.to_string(), value.to_string()))
        })
        .collect();
    let json_body: Result<Option<Value>, ()> = if body.is_empty() {
        Ok(None)
    } else {
        serde_json::from_slice(&body).map(Some).map_err(|_| ())
    };
    // Recorded relative to the API's root, as the OpenAPI paths are; a path outside the
    // prefix keeps its full form and is answered 404.
    let path = match uri.path().strip_prefix(shared.prefix.as_str()) {
        Some(rest) if rest.starts_with('/') => rest.to_string(),
        _ if shared.prefix.is_empty() => uri.path().to_string(),
        _ => format!("(outside {}) {}", shared.prefix, uri.path()),
    };
    let mut request = RecordedRequest {
        method: method.as_str().to_string(),
        path,
        query,
        headers: recorded_headers,
        body: json_body.clone().ok().flatten(),
        status: 0,
    };
    let mut inner = lock(&shared.inner);
    let response = serve(&shared, &mut inner, &request, json_body.is_err());
    request.status = response.status().as_u16();
    inner.requests.push(request);
    let remaining = 5000usize.saturating_sub(inner.requests.len());
    drop(inner);
    let mut response = response;
    let h = response.headers_mut();
    if !h.contains_key("x-ratelimit-remaining") {
        h.insert("x-ratelimit-limit", HeaderValue::from_static("5000"));
        if let Ok(v) = HeaderValue::from_str(&remaining.to_string()) {
            h.insert("x-ratelimit-remaining", v);
        }
    }
    response
}

fn serve(shared: &Shared, inner: &mut Inner, req: &RecordedRequest, bad_json: bool) -> Response {
    if let Some(failure) = inner.failures.pop_front() {
        return failure_reply(&failure);
    }
    let token = req.header("authorization").and_then(|h| {
        let (scheme, token) = h.split_once(' ')?;
        let scheme = scheme.to_ascii_lowercase();
        (matches!(scheme.as_str(), "bearer" | "token") && !token.trim().is_empty())
            .then(|| token.trim().to_string())
    });
    let Some(token) = token else {
        return reply(401, &error_body(401, "Requires authentication", ""), &[]);
    };
    if inner.token.as_ref().is_some_and(|want| *want != token) {
        return reply(401, &error_body(401, "Bad credentials", ""), &[]);
    }
    if bad_json {
        return reply(400, &error_body(400, "Problems parsing JSON", ""), &[]);
    }
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    match (req.method.as_str(), segments.as_slice()) {
        ("GET", ["repos", owner, repo, "issues", number, "comments"]) => match number.parse() {
            Ok(n) => list(shared, inner, req, owner, repo, n),
            Err(_) => not_found(),
        },
        ("POST", ["repos", owner, repo, "issues", number, "comments"]) => match number.parse() {
            Ok(n) => create(shared, inner, req, owner, repo, n),
            Err(_) => not_found(),
        },
        ("PATCH", ["repos", owner, repo, "issues", "comments", id]) => match id.parse() {
            Ok(id) => edit(shared, inner, req, owner, repo, id),
            Err(_) => not_found(),
        },
        // The App's endpoints: installation tokens and deployment callbacks, then the
        // data the gate reads (contents, pulls, reviews, teams, deployments).
        _ => crate::app::serve(req, segments.as_slice())
            .unwrap_or_else(|| app::serve(shared, inner, req)),
    }
}

fn not_found() -> Response {
    reply(404, &error_body(404, "Not Found", ""), &[])
}

fn list(
    shared: &Shared,
    inner: &Inner,
    req: &RecordedRequest,
    owner: &str,
    repo: &str,
    number: u64,
) -> Response {
    // GitHub's defaults and bounds: 30 a page, at most 100; bad values fall back.
    let per_page = req
        .query_param("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(30)
        .min(100);
    let page = req
        .query_param("page")
        .and_then(|v| v.parse::<usize>().ok())
        .filter(|v| *v > 0)
        .unwrap_or(1);
    let mut all: Vec<&Stored> = inner
        .comments
        .iter()
        .filter(|s| s.owner == owner && s.repo == repo && s.number == number)
        .collect();
    all.sort_by_key(|s| s.comment.id);
    let items: Vec<Value> = all
        .iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .map(|s| to_json(shared, s))
        .collect();
    let last = all.len().div_ceil(per_page).max(1);
    let link = |p: usize| {
        let mut query: Vec<(String, String)> = req
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .cloned()
            .collect();
        query.push(("page".to_string(), p.to_string()));
        let encoded = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(query)
            .finish();
        format!(
            "<{}{}{}?{encoded}>",
            shared.base_url, shared.prefix, req.path
        )
    };
    let mut links = Vec::new();
    if page > 1 {
        links.push(format!("{}; rel=\"prev\"", link((page - 1).min(last))));
    }
    if page < last {
        links.push(format!("{}; rel=\"next\"", link(page + 1)));
        links.push(format!("{}; rel=\"last\"", link(last)));
    }
    if page > 1 {
        links.push(format!("{}; rel=\"first\"", link(1)));
    }
    let headers: Vec<(&str, String)> = if links.is_empty() {
        Vec::new()
    } else {
        vec![("link", links.join(", "))]
    };
    reply(200, &Value::Array(items), &headers)
}

/// The comment body from a POST or PATCH, or GitHub's 422.
fn body_field(req: &RecordedRequest, doc: &str) -> Result<String, Box<Response>> {
    let body = req.body.as_ref().and_then(|b| b.get("body"));
    match body.and_then(Value::as_str) {
        Some(text) if text.chars().count() > MAX_BODY_CHARS => Err(Box::new(reply(
            422,
            &json!({
                "message": "Validation Failed",
                "errors": [{
                    "resource": "IssueComment",
                    "code": "custom",
                    "field": "body",
                    "message": "body is too long (maximum is 65536 characters)",
                }],
                "documentation_url": format!("https://docs.github.com/rest{doc}"),
                "status": "422",
            }),
            &[],
        ))),
        Some(text) => Ok(text.to_string()),
        None => Err(Box::new(reply(
            422,
            &error_body(422, "Invalid request.\n\n\"body\" wasn't supplied.", doc),
            &[],
        ))),
    }
}

fn create(
    shared: &Shared,
    inner: &mut Inner,
    req: &RecordedRequest,
    owner: &str,
    repo: &str,
    number: u64,
) -> Response {
    let text = match body_field(req, "/issues/comments#create-an-issue-comment") {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let login = inner.login.clone();
    let stored = insert(inner, owner, repo, number, &login, &text);
    let json = to_json(shared, stored);
    let location = json["url"].as_str().unwrap_or_default().to_string();
    reply(201, &json, &[("location", location)])
}

fn edit(
    shared: &Shared,
    inner: &mut Inner,
    req: &RecordedRequest,
    owner: &str,
    repo: &str,
    id: u64,
) -> Response {
    let Some(index) = inner
        .comments
        .iter()
        .position(|s| s.comment.id == id && s.owner == owner && s.repo == repo)
    else {
        return not_found();
    };
    let text = match body_field(req, "/issues/comments#update-an-issue-comment") {
        Ok(t) => t,
        Err(r) => return *r,
    };
    let stored = &mut inner.comments[index];
    stored.comment.body = text;
    stored.comment.updated_at = now();
    reply(200, &to_json(shared, stored), &[])
}
