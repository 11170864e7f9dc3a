//! Renders a chart's templates the way Helm's engine does, many times over, and reports
//! how long it took. `scripts/bench/template_bench.py` drives it and sets it against
//! Helm itself; see scripts/bench/README.md.
//!
//! ```text
//! bench_render --chart DIR --values VALUES.json [--expected HELM.json]
//!              [--mode full|parse|execute] [--iterations N] [--rounds R] [--warmup W]
//!              [--release NAME] [--namespace NS] [--render]
//! ```
//!
//! * `--values`: the chart's values as JSON (Helm's own reading of values.yaml); numbers
//!   become float64 as in Helm.
//! * `--expected`: Helm's output, a JSON object `{"<chart>/templates/<file>": "<text>"}`.
//!   The chart is rendered once and compared with it before anything is timed; any
//!   difference ends the run with an error.
//! * `--render`: print our output in that same JSON shape and stop.
//! * `--mode`: what one iteration is. `full` (default): parse every template into a fresh
//!   set, execute every non-partial one and strip `<no value>`. `parse`: only the parsing.
//!   `execute`: parse once, then only the executions.
//!
//! The result is one JSON line: `{"mode", "iterations", "rounds", "round_seconds",
//! "seconds", "per_iter_us", "templates", "output_bytes"}` where `per_iter_us` is the
//! median over the rounds and `seconds` the total timed (warm-up excluded).

// The helmpilot binary ships with mimalloc; measure the engine the way it runs there.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "../tests/support/mod.rs"]
#[allow(dead_code)]
mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use helmpilot_template::{helm_error_text, Map, Templates, Value};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Full,
    Parse,
    Execute,
}

struct Options {
    chart: PathBuf,
    values: PathBuf,
    expected: Option<PathBuf>,
    render_only: bool,
    mode: Mode,
    iterations: u32,
    rounds: u32,
    warmup: u32,
    release: String,
    namespace: String,
}

fn usage() -> String {
    "usage: bench_render --chart DIR --values VALUES.json [--expected HELM.json] \
     [--mode full|parse|execute] [--iterations N] [--rounds R] [--warmup W] \
     [--release NAME] [--namespace NS] [--render]"
        .to_string()
}

fn parse_args() -> Result<Options, String> {
    let mut chart = None;
    let mut values = None;
    let mut options = Options {
        chart: PathBuf::new(),
        values: PathBuf::new(),
        expected: None,
        render_only: false,
        mode: Mode::Full,
        iterations: 1000,
        rounds: 1,
        warmup: 20,
        release: "r".to_string(),
        namespace: "ns".to_string(),
    };
    let mut args = std::env::args().skip(1);
    while let Some(flag) = args.next() {
        if flag == "--render" {
            options.render_only = true;
            continue;
        }
        if flag == "-h" || flag == "--help" {
            return Err(usage());
        }
        let value = args
            .next()
            .ok_or_else(|| format!("{flag} needs a value\n{}", usage()))?;
        let number = |v: &str| {
            v.parse::<u32>()
                .map_err(|_| format!("{flag}: not a number: {v}"))
        };
        match flag.as_str() {
            "--chart" => chart = Some(PathBuf::from(value)),
            "--values" => values = Some(PathBuf::from(value)),
            "--expected" => options.expected = Some(PathBuf::from(value)),
            "--iterations" => options.iterations = number(&value)?.max(1),
            "--rounds" => options.rounds = number(&value)?.max(1),
            "--warmup" => options.warmup = number(&value)?,
            "--release" => options.release = value,
            "--namespace" => options.namespace = value,
            "--mode" => {
                options.mode = match value.as_str() {
                    "full" => Mode::Full,
                    "parse" => Mode::Parse,
                    "execute" => Mode::Execute,
                    other => {
                        return Err(format!("unknown mode {other:?} (full, parse or execute)"))
                    }
                }
            }
            other => return Err(format!("unknown option {other}\n{}", usage())),
        }
    }
    options.chart = chart.ok_or_else(usage)?;
    options.values = values.ok_or_else(usage)?;
    Ok(options)
}

/// A chart's templates, named as Helm names them (`<chart>/templates/<path>`), in Helm's
/// parse order, with the data every execution shares.
struct Chart {
    templates: Vec<(String, String)>,
    values: Value,
    release: Value,
}

impl Chart {
    fn load(options: &Options) -> Result<Chart, String> {
        let chart_name = chart_name(&options.chart)?;
        let dir = options.chart.join("templates");
        let mut files = Vec::new();
        collect_files(&dir, &mut files).map_err(|e| format!("{}: {e}", dir.display()))?;
        let mut templates = Vec::new();
        for path in files {
            let relative = path.strip_prefix(&options.chart).expect("inside the chart");
            let relative = relative.to_string_lossy().replace('\\', "/");
            let text =
                std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            templates.push((format!("{chart_name}/{relative}"), text));
        }
        // Helm's parse order: more path segments first, then reverse lexical order.
        templates.sort_by(|(a, _), (b, _)| {
            let depth = |s: &str| s.matches('/').count();
            depth(b).cmp(&depth(a)).then_with(|| b.cmp(a))
        });

        let json = std::fs::read_to_string(&options.values)
            .map_err(|e| format!("{}: {e}", options.values.display()))?;
        let json: serde_json::Value = serde_json::from_str(&json)
            .map_err(|e| format!("{}: {e}", options.values.display()))?;
        let values = match json {
            serde_json::Value::Null => Value::Map(Map::new()),
            v => Value::from(&v),
        };

        // Helm's .Release is a struct; a map with the same fields reads the same.
        let release = Map::new();
        release.insert("Name", Value::from(options.release.as_str()));
        release.insert("Namespace", Value::from(options.namespace.as_str()));
        release.insert("Revision", Value::from(1));
        release.insert("IsInstall", Value::Bool(true));
        release.insert("IsUpgrade", Value::Bool(false));
        release.insert("Service", Value::from("Helm"));
        Ok(Chart {
            templates,
            values,
            release: Value::Map(release),
        })
    }

    /// Parses every template into a fresh set, as Helm does on each render.
    fn parse(&self) -> Result<Templates, String> {
        let mut set = Templates::new();
        set.set_name("gotpl");
        for (name, text) in &self.templates {
            set.parse(name, text)
                .map_err(|e| helm_error_text(name, &e))?;
        }
        Ok(set)
    }

    /// Executes every template that is not a partial (`_*`), as Helm's engine does, and
    /// removes `<no value>` from the outputs.
    fn execute(&self, set: &Templates) -> Result<BTreeMap<String, String>, String> {
        let mut outputs = BTreeMap::new();
        for (name, _) in &self.templates {
            let file = name.rsplit('/').next().unwrap_or(name);
            if file.starts_with('_') {
                continue;
            }
            let output = set
                .execute(name, &self.top_level(name))
                .map_err(|e| helm_error_text(name, &e))?;
            outputs.insert(name.clone(), helmpilot_template::remove_no_value(output));
        }
        Ok(outputs)
    }

    /// The data a template sees as `.`: like Helm, a fresh top-level map per template
    /// (only `.Template` differs), sharing the values.
    fn top_level(&self, name: &str) -> Value {
        let top = Map::new();
        top.insert("Values", self.values.clone());
        top.insert("Release", self.release.clone());
        let template = Map::new();
        template.insert("Name", Value::from(name));
        let base = name
            .find("/templates/")
            .map_or(name, |i| &name[..i + "/templates".len()]);
        template.insert("BasePath", Value::from(base));
        top.insert("Template", Value::Map(template));
        Value::Map(top)
    }

    fn render(&self) -> Result<BTreeMap<String, String>, String> {
        self.execute(&self.parse()?)
    }
}

/// The chart's name from Chart.yaml (`name:` at the top level), which Helm puts in front
/// of every template path.
fn chart_name(dir: &Path) -> Result<String, String> {
    let path = dir.join("Chart.yaml");
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    text.lines()
        .find_map(|line| line.strip_prefix("name:"))
        .map(|name| {
            name.trim()
                .trim_matches(|c| c == '"' || c == '\'')
                .to_string()
        })
        .filter(|name| !name.is_empty())
        .ok_or_else(|| format!("{}: no top-level name", path.display()))
}

fn collect_files(dir: &Path, files: &mut Vec<PathBuf>) -> std::io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            collect_files(&path, files)?;
        } else {
            files.push(path);
        }
    }
    Ok(())
}

/// Compares our output with Helm's; the error names every file that differs and where.
fn check(ours: &BTreeMap<String, String>, helm: &BTreeMap<String, String>) -> Result<(), String> {
    let mut problems = Vec::new();
    for name in helm.keys().filter(|k| !ours.contains_key(*k)) {
        problems.push(format!("{name}: rendered by Helm only"));
    }
    for (name, text) in ours {
        match helm.get(name) {
            None => problems.push(format!("{name}: rendered by us only")),
            Some(expected) if expected != text => {
                let line = text.lines().zip(expected.lines()).position(|(a, b)| a != b);
                let line =
                    line.unwrap_or_else(|| text.lines().count().min(expected.lines().count()));
                problems.push(format!(
                    "{name}: differs from line {}: ours {:?}, Helm {:?}",
                    line + 1,
                    text.lines().nth(line).unwrap_or("<end>"),
                    expected.lines().nth(line).unwrap_or("<end>")
                ));
            }
            Some(_) => {}
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "output differs from Helm's:\n  {}",
            problems.join("\n  ")
        ))
    }
}

/// Runs `iterations` iterations of `mode`, keeping every result alive to the optimiser.
fn run(chart: &Chart, mode: Mode, parsed: &Templates, iterations: u32) -> Result<(), String> {
    for _ in 0..iterations {
        match mode {
            Mode::Full => {
                std::hint::black_box(chart.render()?);
            }
            Mode::Parse => {
                std::hint::black_box(chart.parse()?);
            }
            Mode::Execute => {
                std::hint::black_box(chart.execute(parsed)?);
            }
        }
    }
    Ok(())
}

fn main_result() -> Result<(), String> {
    let options = parse_args()?;
    let chart = Chart::load(&options)?;
    let ours = chart.render()?;

    if options.render_only {
        println!(
            "{}",
            serde_json::to_string_pretty(&ours).expect("strings serialise")
        );
        return Ok(());
    }
    if let Some(path) = &options.expected {
        let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
        let helm: BTreeMap<String, String> =
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        check(&ours, &helm)?;
    }

    let parsed = chart.parse()?;
    run(&chart, options.mode, &parsed, options.warmup)?;
    let mut round_seconds = Vec::new();
    for _ in 0..options.rounds {
        let start = Instant::now();
        run(&chart, options.mode, &parsed, options.iterations)?;
        round_seconds.push(start.elapsed().as_secs_f64());
    }
    let mut sorted = round_seconds.clone();
    sorted.sort_by(f64::total_cmp);
    let median = if sorted.len() % 2 == 1 {
        sorted[sorted.len() / 2]
    } else {
        (sorted[sorted.len() / 2 - 1] + sorted[sorted.len() / 2]) / 2.0
    };
    let report = serde_json::json!({
        "mode": format!("{:?}", options.mode).to_lowercase(),
        "iterations": options.iterations,
        "rounds": options.rounds,
        "round_seconds": round_seconds,
        "seconds": round_seconds.iter().sum::<f64>(),
        "per_iter_us": median / f64::from(options.iterations) * 1e6,
        "templates": chart.templates.len(),
        "output_bytes": ours.values().map(String::len).sum::<usize>(),
    });
    println!("{report}");
    Ok(())
}

fn main() -> ExitCode {
    match main_result() {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("bench_render: {message}");
            ExitCode::FAILURE
        }
    }
}
