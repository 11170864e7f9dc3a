//! Times what `helm template CHART -f FILE...` does, in process: load the chart from disk,
//! merge the values files, process dependencies, coalesce, validate, render, sort and
//! print. Used by `scripts/bench/chart_bench.py`, which runs Helm on the same inputs.
//!
//! ```text
//! cargo run --release -p helmpilot-chart --example bench_chart -- ITERATIONS CHART [VALUES...]
//! ```
//! Prints one JSON line: `{"iterations": N, "seconds_per_render": S, "bytes": B}`.

use std::path::PathBuf;
use std::time::Instant;

use helmpilot_chart::chart::load;
use helmpilot_chart::template::{template, TemplateOptions};
use helmpilot_chart::values::options::{read_local, ValueOptions};

// The allocator the `helmpilot` binary uses, so the figure is the product's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let iterations: u32 = args.next().ok_or("missing ITERATIONS")?.parse()?;
    let chart_path = PathBuf::from(args.next().ok_or("missing CHART")?);
    let value_files: Vec<String> = args.collect();
    let options = TemplateOptions {
        release_name: "bench".into(),
        ..TemplateOptions::default()
    };

    let mut bytes = 0;
    let start = Instant::now();
    for _ in 0..iterations {
        let values = ValueOptions {
            value_files: value_files.clone(),
            ..ValueOptions::default()
        }
        .merge_values(&read_local)?;
        let chart = load(&chart_path)?;
        let rendered = template(chart, &values, &options)?;
        bytes = rendered.text.len();
    }
    let seconds = start.elapsed().as_secs_f64() / f64::from(iterations.max(1));
    println!(
        "{{\"iterations\": {iterations}, \"seconds_per_render\": {seconds}, \"bytes\": {bytes}}}"
    );
    Ok(())
}
