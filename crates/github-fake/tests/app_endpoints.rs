//! The App gate's endpoints of the fake over plain HTTP/1.1, their answers checked
//! against GitHub's OpenAPI response schemas.

use std::io::{Read, Write};
use std::net::TcpStream;

use helmpilot_github_fake::openapi::Spec;
use helmpilot_github_fake::FakeGitHub;
use serde_json::Value;

fn get(fake: &FakeGitHub, target: &str) -> (u16, Option<String>, Value) {
    let mut stream = TcpStream::connect(fake.addr()).unwrap();
    let request = format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\nAuthorization: Bearer t\r\nAccept: application/vnd.github+json\r\n\r\n",
        fake.addr()
    );
    stream.write_all(request.as_bytes()).unwrap();
    let mut raw = String::new();
    stream.read_to_string(&mut raw).unwrap();
    let (head, body) = raw.split_once("\r\n\r\n").unwrap();
    let status = head.split(' ').nth(1).unwrap().parse().unwrap();
    let link = head
        .lines()
        .find_map(|l| l.strip_prefix("link: ").map(str::to_string));
    (status, link, serde_json::from_str(body).unwrap())
}

fn seeded() -> (FakeGitHub, u64) {
    let fake = FakeGitHub::start();
    fake.add_file(
        "o",
        "r",
        "main",
        ".github/helmpilot.yml",
        "environments:\n  production: {}\n",
    );
    fake.add_pull_request("o", "r", 3, "paula", "aaa", None);
    fake.add_pull_request("o", "r", 4, "paula", "bbb", Some("ccc"));
    fake.add_review(
        "o",
        "r",
        3,
        "alice",
        "APPROVED",
        "aaa",
        "2024-05-08T11:00:00Z",
        "MEMBER",
    );
    fake.add_team_member("o", "sre", "sam", "active");
    let d = fake.add_deployment("o", "r", "aaa", "main", "staging");
    fake.add_deployment_status(d, "success");
    (fake, d)
}

#[test]
fn answers_have_githubs_shapes() {
    let (fake, d) = seeded();
    let spec = Spec::load();
    let cases = [
        "/repos/o/r/contents/.github/helmpilot.yml?ref=main",
        "/repos/o/r/commits/aaa/pulls",
        "/repos/o/r/commits/ccc/pulls",
        "/repos/o/r/pulls/3/reviews",
        "/orgs/o/teams/sre/memberships/sam",
        "/repos/o/r/deployments?sha=aaa&environment=staging",
        &format!("/repos/o/r/deployments/{d}/statuses"),
    ];
    for target in cases {
        let (status, _, body) = get(&fake, target);
        assert_eq!(status, 200, "{target}");
        let path = target.split('?').next().unwrap();
        assert_eq!(
            spec.check_response("GET", path, 200, &body),
            Ok(()),
            "{target}"
        );
    }
    let spec_requests: Vec<_> = fake.requests();
    for r in &spec_requests {
        assert_eq!(spec.check(r), Ok(()), "{r:?}");
    }
}

#[test]
fn content_is_base64_in_lines() {
    let fake = FakeGitHub::start();
    let text = "x".repeat(100) + "\nü\n";
    fake.add_file("o", "r", "v1", "a/b.yml", &text);
    let (_, _, body) = get(&fake, "/repos/o/r/contents/a/b.yml?ref=v1");
    let content = body["content"].as_str().unwrap();
    assert!(content.lines().all(|l| l.len() <= 60), "{content}");
    assert_eq!(body["size"], text.len());
    assert_eq!(body["name"], "b.yml");
    // Python's base64.b64encode of the same bytes.
    let flat: String = content.lines().collect();
    assert_eq!(flat, "eHh4".repeat(33) + "eArDvAo=");
}

#[test]
fn not_found_cases() {
    let (fake, _) = seeded();
    for target in [
        "/repos/o/r/contents/.github/helmpilot.yml?ref=other",
        "/repos/o/r/contents/.github/other.yml",
        "/repos/o/r/pulls/99/reviews",
        "/orgs/o/teams/sre/memberships/nobody",
        "/repos/o/r/deployments/1/statuses",
    ] {
        let (status, _, body) = get(&fake, target);
        assert_eq!(status, 404, "{target}");
        assert_eq!(body["message"], "Not Found");
    }
    let (_, _, list) = get(&fake, "/repos/o/r/commits/zzz/pulls");
    assert_eq!(list, Value::Array(vec![]));
}

#[test]
fn pages_and_links() {
    let fake = FakeGitHub::start();
    for _ in 0..5 {
        fake.add_deployment("o", "r", "aaa", "main", "staging");
    }
    let (_, link, first) = get(&fake, "/repos/o/r/deployments?per_page=2");
    assert_eq!(first.as_array().unwrap().len(), 2);
    let link = link.unwrap();
    assert!(link.contains("per_page=2&page=2>; rel=\"next\""), "{link}");
    assert!(link.contains("per_page=2&page=3>; rel=\"last\""), "{link}");
    let (_, link, last) = get(&fake, "/repos/o/r/deployments?per_page=2&page=3");
    assert_eq!(last.as_array().unwrap().len(), 1);
    assert!(!link.unwrap().contains("rel=\"next\""));
    // Newest first.
    assert!(first[0]["id"].as_u64() > first[1]["id"].as_u64());
}
