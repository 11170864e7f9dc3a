//! The fake over plain HTTP/1.1 (std sockets, no client library), its answers checked
//! against GitHub's OpenAPI response schemas.

use std::io::{Read, Write};
use std::net::TcpStream;

use helmpilot_github_fake::openapi::Spec;
use helmpilot_github_fake::{Failure, FakeGitHub};
use serde_json::{json, Value};

struct Answer {
    status: u16,
    headers: Vec<(String, String)>,
    body: Value,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn call(
    fake: &FakeGitHub,
    method: &str,
    target: &str,
    auth: Option<&str>,
    body: Option<&Value>,
) -> Answer {
    let mut stream = TcpStream::connect(fake.addr()).unwrap();
    let body_text = body.map(Value::to_string).unwrap_or_default();
    let mut request = format!(
        "{method} {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nUser-Agent: fake-test\r\nAccept: application/vnd.github+json\r\n",
        fake.addr()
    );
    if let Some(a) = auth {
        request.push_str(&format!("Authorization: {a}\r\n"));
    }
    if body.is_some() {
        request.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body_text.len()
        ));
    }
    request.push_str("\r\n");
    request.push_str(&body_text);
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let mut lines = head.lines();
    let status = lines
        .next()
        .unwrap()
        .split(' ')
        .nth(1)
        .unwrap()
        .parse()
        .unwrap();
    let headers = lines
        .filter_map(|l| l.split_once(": "))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
    let body = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(body).unwrap()
    };
    Answer {
        status,
        headers,
        body,
    }
}

const TOKEN: Option<&str> = Some("Bearer ghs_test");

#[test]
fn create_list_and_edit_have_githubs_shapes() {
    let spec = Spec::load();
    let fake = FakeGitHub::start();
    let created = call(
        &fake,
        "POST",
        "/repos/octo/charts/issues/5/comments",
        TOKEN,
        Some(&json!({"body": "first"})),
    );
    assert_eq!(created.status, 201);
    spec.check_response(
        "POST",
        "/repos/octo/charts/issues/5/comments",
        201,
        &created.body,
    )
    .unwrap();
    let id = created.body["id"].as_u64().unwrap();
    assert_eq!(created.body["user"]["login"], "github-actions[bot]");
    assert_eq!(created.body["user"]["type"], "Bot");
    assert_eq!(
        created.body["html_url"],
        format!("{}/octo/charts/pull/5#issuecomment-{id}", fake.url())
    );
    assert_eq!(created.header("location"), created.body["url"].as_str());

    let edited = call(
        &fake,
        "PATCH",
        &format!("/repos/octo/charts/issues/comments/{id}"),
        Some("token ghs_test"),
        Some(&json!({"body": "second"})),
    );
    assert_eq!(edited.status, 200);
    spec.check_response(
        "PATCH",
        &format!("/repos/octo/charts/issues/comments/{id}"),
        200,
        &edited.body,
    )
    .unwrap();
    assert_eq!(edited.body["body"], "second");
    assert_eq!(edited.body["id"], id);

    let listed = call(
        &fake,
        "GET",
        "/repos/octo/charts/issues/5/comments",
        TOKEN,
        None,
    );
    assert_eq!(listed.status, 200);
    spec.check_response(
        "GET",
        "/repos/octo/charts/issues/5/comments",
        200,
        &listed.body,
    )
    .unwrap();
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert_eq!(listed.header("link"), None);

    let stored = fake.comments("octo", "charts", 5);
    assert_eq!(stored.len(), 1);
    assert_eq!((stored[0].id, stored[0].body.as_str()), (id, "second"));
    // Other issues are separate.
    assert!(fake.comments("octo", "charts", 6).is_empty());

    // Every request was recorded, and each is a valid GitHub request.
    let requests = fake.requests();
    assert_eq!(requests.len(), 3);
    assert_eq!(requests[0].method, "POST");
    assert_eq!(requests[0].header("authorization"), Some("Bearer ghs_test"));
    assert_eq!(requests[0].body, Some(json!({"body": "first"})));
    assert_eq!(requests[0].status, 201);
    assert_eq!(requests[1].header("Authorization"), Some("token ghs_test"));
    for r in &requests {
        spec.check(r).unwrap();
    }
}

#[test]
fn pagination_follows_githubs_rules() {
    let fake = FakeGitHub::start();
    for i in 0..7 {
        fake.add_comment("o", "r", 1, "alice", &format!("c{i}"));
    }
    // Default page size is 30: one page.
    let all = call(&fake, "GET", "/repos/o/r/issues/1/comments", TOKEN, None);
    assert_eq!(all.body.as_array().unwrap().len(), 7);
    // Comments by people have the same documented shape as the bot's.
    Spec::load()
        .check_response("GET", "/repos/o/r/issues/1/comments", 200, &all.body)
        .unwrap();
    assert_eq!(all.body[0]["user"]["type"], "User");
    assert_eq!(all.header("link"), None);

    let first = call(
        &fake,
        "GET",
        "/repos/o/r/issues/1/comments?per_page=3",
        TOKEN,
        None,
    );
    let bodies: Vec<&str> = first
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies, ["c0", "c1", "c2"]);
    let base = fake.url();
    assert_eq!(
        first.header("link").unwrap(),
        format!("<{base}/repos/o/r/issues/1/comments?per_page=3&page=2>; rel=\"next\", <{base}/repos/o/r/issues/1/comments?per_page=3&page=3>; rel=\"last\"")
    );
    let middle = call(
        &fake,
        "GET",
        "/repos/o/r/issues/1/comments?per_page=3&page=2",
        TOKEN,
        None,
    );
    assert_eq!(
        middle.header("link").unwrap(),
        format!("<{base}/repos/o/r/issues/1/comments?per_page=3&page=1>; rel=\"prev\", <{base}/repos/o/r/issues/1/comments?per_page=3&page=3>; rel=\"next\", <{base}/repos/o/r/issues/1/comments?per_page=3&page=3>; rel=\"last\", <{base}/repos/o/r/issues/1/comments?per_page=3&page=1>; rel=\"first\"")
    );
    let last = call(
        &fake,
        "GET",
        "/repos/o/r/issues/1/comments?per_page=3&page=3",
        TOKEN,
        None,
    );
    assert_eq!(last.body.as_array().unwrap().len(), 1);
    assert!(!last.header("link").unwrap().contains("rel=\"next\""));
    // Past the end: an empty page.
    let past = call(
        &fake,
        "GET",
        "/repos/o/r/issues/1/comments?per_page=3&page=9",
        TOKEN,
        None,
    );
    assert_eq!(past.body, json!([]));
}

#[test]
fn per_page_is_capped_at_100() {
    let fake = FakeGitHub::start();
    for i in 0..105 {
        fake.add_comment("o", "r", 2, "bob", &i.to_string());
    }
    let a = call(
        &fake,
        "GET",
        "/repos/o/r/issues/2/comments?per_page=500",
        TOKEN,
        None,
    );
    assert_eq!(a.body.as_array().unwrap().len(), 100);
    assert!(a.header("link").unwrap().contains("page=2>; rel=\"next\""));
}

#[test]
fn authentication_is_required() {
    let fake = FakeGitHub::start();
    let a = call(&fake, "GET", "/repos/o/r/issues/1/comments", None, None);
    assert_eq!(a.status, 401);
    assert_eq!(a.body["message"], "Requires authentication");
    let a = call(
        &fake,
        "GET",
        "/repos/o/r/issues/1/comments",
        Some("Basic abc"),
        None,
    );
    assert_eq!(a.status, 401);
    fake.require_token("right");
    let a = call(
        &fake,
        "GET",
        "/repos/o/r/issues/1/comments",
        Some("Bearer wrong"),
        None,
    );
    assert_eq!(
        (a.status, a.body["message"].as_str()),
        (401, Some("Bad credentials"))
    );
    let a = call(
        &fake,
        "GET",
        "/repos/o/r/issues/1/comments",
        Some("Bearer right"),
        None,
    );
    assert_eq!(a.status, 200);
}

#[test]
fn invalid_requests_get_githubs_errors() {
    let fake = FakeGitHub::start();
    let a = call(
        &fake,
        "POST",
        "/repos/o/r/issues/1/comments",
        TOKEN,
        Some(&json!({"text": "x"})),
    );
    assert_eq!(a.status, 422);
    assert_eq!(
        a.body["message"],
        "Invalid request.\n\n\"body\" wasn't supplied."
    );
    let long = "x".repeat(65_537);
    let a = call(
        &fake,
        "POST",
        "/repos/o/r/issues/1/comments",
        TOKEN,
        Some(&json!({"body": long})),
    );
    assert_eq!(a.status, 422);
    assert_eq!(
        a.body["errors"][0]["message"],
        "body is too long (maximum is 65536 characters)"
    );
    let a = call(
        &fake,
        "PATCH",
        "/repos/o/r/issues/comments/123",
        TOKEN,
        Some(&json!({"body": "x"})),
    );
    assert_eq!(
        (a.status, a.body["message"].as_str()),
        (404, Some("Not Found"))
    );
    // A comment of another repository is not found either.
    let id = fake.add_comment("o", "other", 1, "bob", "x");
    let a = call(
        &fake,
        "PATCH",
        &format!("/repos/o/r/issues/comments/{id}"),
        TOKEN,
        Some(&json!({"body": "y"})),
    );
    assert_eq!(a.status, 404);
    // Endpoints the fake does not serve are 404, as GitHub answers unknown routes.
    let a = call(
        &fake,
        "DELETE",
        &format!("/repos/o/other/issues/comments/{id}"),
        TOKEN,
        None,
    );
    assert_eq!(a.status, 404);
    assert!(fake.comments("o", "r", 1).is_empty());
    assert_eq!(fake.comments("o", "other", 1)[0].body, "x");
}

#[test]
fn injected_failures_come_first_then_service_resumes() {
    let fake = FakeGitHub::start();
    fake.fail_next(2, Failure::Status(502));
    fake.fail_next(
        1,
        Failure::RetryAfter {
            status: 429,
            seconds: 3,
        },
    );
    fake.fail_next(1, Failure::SecondaryRateLimit);
    fake.fail_next(1, Failure::RateLimitExhausted { reset_in: 30 });
    fake.fail_next(1, Failure::Forbidden);
    fake.fail_next(1, Failure::NotFound);
    let path = "/repos/o/r/issues/1/comments";
    let answers: Vec<Answer> = (0..8)
        .map(|_| call(&fake, "GET", path, TOKEN, None))
        .collect();
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    assert_eq!(statuses, [502, 502, 429, 403, 403, 403, 404, 200]);
    assert_eq!(answers[2].header("retry-after"), Some("3"));
    assert!(answers[3].body["message"]
        .as_str()
        .unwrap()
        .contains("secondary rate limit"));
    assert_eq!(answers[3].header("retry-after"), None);
    assert_eq!(answers[4].header("x-ratelimit-remaining"), Some("0"));
    let reset: i64 = answers[4]
        .header("x-ratelimit-reset")
        .unwrap()
        .parse()
        .unwrap();
    let now = jiff_now();
    assert!((now + 25..=now + 35).contains(&reset), "{reset} vs {now}");
    assert_eq!(
        answers[5].body["message"],
        "Resource not accessible by integration"
    );
    assert_eq!(answers[6].body["message"], "Not Found");
    assert_eq!(fake.requests().len(), 8);
}

fn jiff_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

#[test]
fn enterprise_layout_serves_under_api_v3() {
    let spec = Spec::load();
    let fake = FakeGitHub::start_enterprise();
    assert!(fake.url().ends_with("/api/v3"));
    let created = call(
        &fake,
        "POST",
        "/api/v3/repos/o/r/issues/3/comments",
        TOKEN,
        Some(&json!({"body": "x"})),
    );
    assert_eq!(created.status, 201);
    let base = fake.url();
    let host = base.trim_end_matches("/api/v3");
    assert!(created.body["url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{base}/repos/o/r/issues/comments/")));
    assert!(created.body["html_url"]
        .as_str()
        .unwrap()
        .starts_with(&format!("{host}/o/r/pull/3#issuecomment-")));
    let outside = call(&fake, "GET", "/repos/o/r/issues/3/comments", TOKEN, None);
    assert_eq!(outside.status, 404);
    let requests = fake.requests();
    assert_eq!(requests[0].path, "/repos/o/r/issues/3/comments");
    spec.check(&requests[0]).unwrap();
    assert!(requests[1].path.starts_with("(outside /api/v3)"));
}

#[test]
fn stops_when_dropped() {
    let fake = FakeGitHub::start();
    let addr = fake.addr();
    assert!(TcpStream::connect(addr).is_ok());
    drop(fake);
    assert!(TcpStream::connect(addr).is_err());
}
