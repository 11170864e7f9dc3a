//! The OCI client against an in-process registry double: the token flow and its cache,
//! `Link` pagination of tags, and digest verification of downloads. (The real-registry
//! interop with Helm is scripts/oracle/oci_interop.py.)

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use helmpilot_repo::credentials::{Credentials, Sources};
use helmpilot_repo::oci::{
    sha256_digest, Client, ClientOptions, OciError, CHART_LAYER_MEDIA_TYPE, CONFIG_MEDIA_TYPE,
};
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;

struct Request {
    method: String,
    path: String,
    headers: HashMap<String, String>,
}

struct Reply {
    status: u16,
    headers: Vec<(String, String)>,
    body: Vec<u8>,
}

fn reply(status: u16, body: &[u8]) -> Reply {
    Reply {
        status,
        headers: Vec::new(),
        body: body.to_vec(),
    }
}

type Handler = Arc<dyn Fn(&Request, u16) -> Reply + Send + Sync>;

/// Serves HTTP/1.1 on 127.0.0.1 with `handler` (given the request and the server's port);
/// returns the port and the log of requests (`METHOD path`).
async fn serve(handler: Handler) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let log = Arc::new(Mutex::new(Vec::new()));
    let log2 = log.clone();
    tokio::spawn(async move {
        loop {
            let (stream, _) = listener.accept().await.unwrap();
            let handler = handler.clone();
            let log = log2.clone();
            tokio::spawn(async move {
                let (read, mut write) = stream.into_split();
                let mut reader = BufReader::new(read);
                loop {
                    let mut line = String::new();
                    if reader.read_line(&mut line).await.unwrap_or(0) == 0 {
                        return;
                    }
                    let mut parts = line.split_whitespace();
                    let method = parts.next().unwrap_or_default().to_string();
                    let path = parts.next().unwrap_or_default().to_string();
                    let mut headers = HashMap::new();
                    loop {
                        let mut h = String::new();
                        reader.read_line(&mut h).await.unwrap();
                        let h = h.trim_end();
                        if h.is_empty() {
                            break;
                        }
                        if let Some((k, v)) = h.split_once(':') {
                            headers.insert(k.trim().to_ascii_lowercase(), v.trim().to_string());
                        }
                    }
                    let len: usize = headers
                        .get("content-length")
                        .and_then(|l| l.parse().ok())
                        .unwrap_or(0);
                    let mut body = vec![0; len];
                    reader.read_exact(&mut body).await.unwrap();
                    log.lock().unwrap().push(format!("{method} {path}"));
                    let req = Request {
                        method: method.clone(),
                        path,
                        headers,
                    };
                    let r = handler(&req, port);
                    let mut head = format!("HTTP/1.1 {} X\r\n", r.status);
                    for (k, v) in &r.headers {
                        head.push_str(&format!("{k}: {v}\r\n"));
                    }
                    head.push_str(&format!("Content-Length: {}\r\n\r\n", r.body.len()));
                    write.write_all(head.as_bytes()).await.unwrap();
                    if method != "HEAD" {
                        write.write_all(&r.body).await.unwrap();
                    }
                }
            });
        }
    });
    (port, log)
}

fn client(credentials: Option<Credentials>) -> Client {
    Client::new(ClientOptions {
        plain_http: true,
        credentials,
        // No environment or config files: only what the test gives.
        sources: Some(Sources::default()),
        ..Default::default()
    })
    .unwrap()
}

/// `Basic dTpw` is `u:p`.
fn token_registry() -> Handler {
    Arc::new(|req: &Request, port: u16| {
        if req.path.starts_with("/token") {
            return if req.headers.get("authorization").map(String::as_str) == Some("Basic dTpw") {
                reply(200, br#"{"access_token":"T1","token":"ignored"}"#)
            } else {
                reply(401, b"")
            };
        }
        if req.headers.get("authorization").map(String::as_str) != Some("Bearer T1") {
            let mut r = reply(
                401,
                br#"{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}"#,
            );
            r.headers.push((
                "WWW-Authenticate".into(),
                format!("Bearer realm=\"http://127.0.0.1:{port}/token\",service=\"svc\",scope=\"repository:charts/web:pull\""),
            ));
            return r;
        }
        match req.path.as_str() {
            "/v2/charts/web/tags/list" => {
                let mut r = reply(
                    200,
                    br#"{"name":"charts/web","tags":["1.0.0","latest","0.9.0_b","v3.0.0"]}"#,
                );
                r.headers.push((
                    "Link".into(),
                    "</v2/charts/web/tags/list?last=v3.0.0&n=4>; rel=\"next\"".into(),
                ));
                r
            }
            "/v2/charts/web/tags/list?last=v3.0.0&n=4" => reply(
                200,
                br#"{"name":"charts/web","tags":["2.0.0-rc.1","1.10.0","01.0.0"]}"#,
            ),
            _ => reply(404, b""),
        }
    })
}

#[tokio::test]
async fn token_flow_pagination_and_cache() {
    let (port, log) = serve(token_registry()).await;
    let c = client(Some(Credentials::basic("u", "p")));
    let tags = c
        .tags(&format!("oci://127.0.0.1:{port}/charts/web"))
        .await
        .unwrap();
    // Strict semver only (not `latest`, `v3.0.0`, `01.0.0`), newest first, `_` read as `+`.
    assert_eq!(tags, ["2.0.0-rc.1", "1.10.0", "1.0.0", "0.9.0+b"]);
    let log = log.lock().unwrap().clone();
    let token_requests: Vec<&String> = log.iter().filter(|l| l.contains("/token")).collect();
    assert_eq!(token_requests.len(), 1, "{log:?}");
    assert!(token_requests[0].contains("service=svc"), "{log:?}");
    assert!(
        token_requests[0].contains("scope=repository%3Acharts%2Fweb%3Apull"),
        "{log:?}"
    );
    // First page anonymous, then token, retry, and the second page with the cached token.
    assert_eq!(log.len(), 4, "{log:?}");
}

#[tokio::test]
async fn token_flow_errors_name_the_registry() {
    let (port, _) = serve(token_registry()).await;
    let reference = format!("oci://127.0.0.1:{port}/charts/web");
    let err = client(Some(Credentials::basic("u", "wrong-secret")))
        .tags(&reference)
        .await
        .unwrap_err();
    assert!(matches!(err, OciError::Unauthorized { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("127.0.0.1:{port}: credentials rejected")),
        "{text}"
    );
    assert!(!text.contains("wrong-secret"), "{text}");
    // Anonymous: the token service hands out nothing usable.
    let err = client(None).tags(&reference).await.unwrap_err();
    assert!(matches!(err, OciError::NoCredentials { .. }), "{err:?}");
    assert!(
        err.to_string()
            .contains(&format!("HELMPILOT_AUTH_127_0_0_1_{port}")),
        "{err}"
    );
}

#[tokio::test]
async fn pull_verifies_layer_digest() {
    let config = br#"{"name":"web","version":"1.0.0","apiVersion":"v2"}"#.to_vec();
    let claimed = b"the archive the manifest describes".to_vec();
    let manifest = format!(
        r#"{{"schemaVersion":2,"config":{{"mediaType":"{CONFIG_MEDIA_TYPE}","digest":"{}","size":{}}},"layers":[{{"mediaType":"{CHART_LAYER_MEDIA_TYPE}","digest":"{}","size":{}}}]}}"#,
        sha256_digest(&config),
        config.len(),
        sha256_digest(&claimed),
        claimed.len()
    );
    let config_path = format!("/v2/charts/web/blobs/{}", sha256_digest(&config));
    let layer_path = format!("/v2/charts/web/blobs/{}", sha256_digest(&claimed));
    let handler: Handler = Arc::new(move |req: &Request, _| {
        if req.method == "GET" && req.path == "/v2/charts/web/manifests/1.0.0" {
            let mut r = reply(200, manifest.as_bytes());
            r.headers.push((
                "Content-Type".into(),
                "application/vnd.oci.image.manifest.v1+json".into(),
            ));
            r
        } else if req.path == config_path {
            reply(200, &config)
        } else if req.path == layer_path {
            // Same length, other bytes: only the digest check can catch it.
            reply(200, b"THE ARCHIVE THE MANIFEST DESCRIBES")
        } else {
            reply(404, b"")
        }
    });
    let (port, _) = serve(handler).await;
    let err = client(None)
        .pull(&format!("oci://127.0.0.1:{port}/charts/web"), Some("1.0.0"))
        .await
        .unwrap_err();
    assert!(matches!(err, OciError::Digest { .. }), "{err:?}");
    assert!(
        err.to_string().contains("downloaded content has digest"),
        "{err}"
    );
}
