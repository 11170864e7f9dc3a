//! The load bench's client (scripts/app/load_bench.sh runs it): sends signed webhook
//! deliveries to a running helmpilot-app on loopback for a bounded time, over a fixed
//! number of keep-alive connections, and prints deliveries/s and latency percentiles.
//!
//!     load_client URL SECRET PAYLOAD_FILE SECONDS CONNECTIONS
//!
//! Every delivery has its own `X-GitHub-Delivery`; in the payload, `__RUN__` is replaced
//! by a fresh number, so each `deployment_protection_rule` is a new gate (the heaviest
//! case for the store: a delivery row and a gate row per request).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use hmac::{Hmac, Mac};

fn sign(secret: &[u8], body: &[u8]) -> String {
    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(secret).expect("any key length");
    mac.update(body);
    let hex: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("sha256={hex}")
}

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.len() != 6 {
        eprintln!("usage: load_client URL SECRET PAYLOAD_FILE SECONDS CONNECTIONS");
        std::process::exit(2);
    }
    let url = args[1].clone();
    let secret = args[2].clone().into_bytes();
    let template = std::fs::read_to_string(&args[3]).expect("payload file");
    let seconds: u64 = args[4].parse().expect("seconds");
    let connections: usize = args[5].parse().expect("connections");
    let event = if template.contains("\"deployment_callback_url\"") {
        "deployment_protection_rule"
    } else {
        "ping"
    };

    let client = reqwest::Client::builder()
        .pool_max_idle_per_host(connections)
        .build()
        .expect("client");
    let counter = Arc::new(AtomicU64::new(1));
    let errors = Arc::new(AtomicU64::new(0));
    let deadline = Instant::now() + Duration::from_secs(seconds);
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..connections {
        let (client, url, secret, template) = (
            client.clone(),
            url.clone(),
            secret.clone(),
            template.clone(),
        );
        let (counter, errors) = (counter.clone(), errors.clone());
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            while Instant::now() < deadline {
                let n = counter.fetch_add(1, Ordering::Relaxed);
                let body = template.replace("__RUN__", &n.to_string());
                let signature = sign(&secret, body.as_bytes());
                let t = Instant::now();
                let result = client
                    .post(&url)
                    .header("x-github-event", event)
                    .header("x-github-delivery", format!("bench-{n}"))
                    .header("x-hub-signature-256", signature)
                    .header("content-type", "application/json")
                    .body(body)
                    .send()
                    .await;
                let ok = match result {
                    Ok(r) => {
                        let status = r.status().as_u16();
                        let _ = r.bytes().await;
                        status == 202
                    }
                    Err(_) => false,
                };
                latencies.push(t.elapsed().as_micros() as u64);
                if !ok {
                    errors.fetch_add(1, Ordering::Relaxed);
                }
            }
            latencies
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    let elapsed = started.elapsed().as_secs_f64();
    all.sort_unstable();
    let pct = |p: f64| {
        if all.is_empty() {
            0.0
        } else {
            let i = ((all.len() as f64 * p).ceil() as usize).clamp(1, all.len()) - 1;
            all[i] as f64 / 1000.0
        }
    };
    println!(
        "deliveries={} errors={} seconds={:.1} connections={} rate={:.0}/s p50={:.2}ms p99={:.2}ms max={:.2}ms",
        all.len(),
        errors.load(Ordering::Relaxed),
        elapsed,
        connections,
        all.len() as f64 / elapsed,
        pct(0.50),
        pct(0.99),
        pct(1.0),
    );
}
