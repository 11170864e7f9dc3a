//! Decoding throughput on real files: `decode` (go-yaml v2's tree) and `unmarshal`
//! (sigs.k8s.io/yaml's JSON tree), in MB/s per file and over all files.
//!
//! ```text
//! cargo run --release -p helmpilot-yaml --example bench_decode -- [--ms N] FILE...
//! ```
//!
//! Files ending in `.out` (rendered manifests, as the chart goldens store them) are split
//! at `---` lines into documents, the way each rendered document is decoded on its own.
//! Each function runs over each file's documents for about `--ms` milliseconds (default
//! 300) after one warm-up pass, in ten rounds of which the fastest counts (other
//! processes slow some rounds down); inputs that fail to decode are timed all the same
//! (an error is a result too) and marked with `*`.

use std::time::{Duration, Instant};

fn documents(path: &str, text: &str) -> Vec<String> {
    if !path.ends_with(".out") {
        return vec![text.to_string()];
    }
    let mut docs = Vec::new();
    let mut current = String::new();
    for line in text.split_inclusive('\n') {
        if line.trim_end() == "---" {
            if !current.trim().is_empty() {
                docs.push(std::mem::take(&mut current));
            }
            current.clear();
        } else {
            current.push_str(line);
        }
    }
    if !current.trim().is_empty() {
        docs.push(current);
    }
    docs
}

/// Runs `f` over all `docs` repeatedly for about `budget`, in ten rounds; returns the
/// seconds per pass of the fastest round (the least disturbed by other processes on
/// the machine) and how many documents failed.
fn time_per_pass(docs: &[String], budget: Duration, f: &dyn Fn(&str) -> bool) -> (f64, usize) {
    let errors = docs.iter().filter(|d| !f(d)).count();
    let round = budget / 10;
    let mut best = f64::INFINITY;
    for _ in 0..10 {
        let start = Instant::now();
        let mut passes = 0u64;
        while start.elapsed() < round || passes == 0 {
            for d in docs {
                std::hint::black_box(f(std::hint::black_box(d)));
            }
            passes += 1;
        }
        best = best.min(start.elapsed().as_secs_f64() / passes as f64);
    }
    (best, errors)
}

type Func = (&'static str, fn(&str) -> bool);

fn main() {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let mut budget = Duration::from_millis(300);
    if let Some(i) = args.iter().position(|a| a == "--ms") {
        let ms = args.get(i + 1).and_then(|s| s.parse().ok()).unwrap_or(300);
        budget = Duration::from_millis(ms);
        args.drain(i..(i + 2).min(args.len()));
    }
    if args.is_empty() {
        eprintln!("usage: bench_decode [--ms N] FILE...");
        std::process::exit(2);
    }
    let funcs: [Func; 2] = [
        ("decode", |s| helmpilot_yaml::decode(s).is_ok()),
        ("unmarshal", |s| helmpilot_yaml::unmarshal(s).is_ok()),
    ];
    let mut totals = [(0usize, 0f64); 2];
    println!(
        "{:<48} {:>8} {:>5} {:>12} {:>10} {:>12} {:>10}",
        "file", "bytes", "docs", "decode µs", "MB/s", "unmarshal µs", "MB/s"
    );
    for path in &args {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                eprintln!("{path}: {e}");
                std::process::exit(1);
            }
        };
        let docs = documents(path, &text);
        let bytes: usize = docs.iter().map(String::len).sum();
        let mut row = Vec::new();
        for (i, (_, f)) in funcs.iter().enumerate() {
            let (secs, errors) = time_per_pass(&docs, budget, f);
            totals[i].0 += bytes;
            totals[i].1 += secs;
            let mbs = bytes as f64 / secs / 1e6;
            let mark = if errors > 0 { "*" } else { "" };
            row.push(format!("{:>12.2} {:>9.1}{mark:1}", secs * 1e6, mbs));
        }
        let name = if path.len() > 48 {
            &path[path.len() - 48..]
        } else {
            path
        };
        println!(
            "{name:<48} {bytes:>8} {:>5} {} {}",
            docs.len(),
            row[0],
            row[1]
        );
    }
    for (i, (name, _)) in funcs.iter().enumerate() {
        let (bytes, secs) = totals[i];
        println!(
            "total {name}: {bytes} bytes, {:.1} MB/s",
            bytes as f64 / secs / 1e6
        );
    }
}
