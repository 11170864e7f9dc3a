//! Rendering a template case the way Helm's engine does, shared by the conformance suite
//! and the `render_cases` example that the differential fuzzer drives.
//!
//! Helm's side of rendering that this mimics: templates of a chart are parsed into one set
//! in Helm's order (deeper paths first, then reverse lexical), files starting with `_`
//! only define, `missingkey=zero`, `<no value>` removed from the output, errors shown in
//! Helm v4's format.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use helmpilot_template::{helm_error_text, remove_no_value, Functions, Map, Templates, Value};
use serde::Deserialize;

/// A template case: the text of `templates/case.yaml`, optional partials
/// (`templates/_NAME.tpl`) and values.
#[derive(Deserialize)]
pub struct CaseInput {
    pub template: String,
    #[serde(default)]
    pub values: serde_json::Value,
    #[serde(default)]
    pub partials: BTreeMap<String, String>,
}

const MAIN: &str = "t/templates/case.yaml";

/// Renders a case as Helm would: the result is the output or Helm's error text.
pub fn render(case: &CaseInput) -> Result<String, String> {
    render_with(case, Functions::new())
}

/// Renders a case with `funcs` registered, as Helm registers its function library.
pub fn render_with(case: &CaseInput, funcs: Functions) -> Result<String, String> {
    let mut files: Vec<(String, &str)> = vec![(MAIN.to_string(), case.template.as_str())];
    for (name, text) in &case.partials {
        files.push((format!("t/templates/_{name}.tpl"), text.as_str()));
    }
    // Helm's parse order: more path segments first, then reverse lexical order.
    files.sort_by(|(a, _), (b, _)| {
        let depth = |s: &str| s.matches('/').count();
        depth(b).cmp(&depth(a)).then_with(|| b.cmp(a))
    });
    let mut set = Templates::with_functions(funcs);
    set.set_name("gotpl");
    for (name, text) in &files {
        set.parse(name, text)
            .map_err(|e| helm_error_text(name, &e))?;
    }
    // Helm's `.Values` is the named map type `common.Values`.
    let values = match Value::from(&case.values) {
        Value::Map(m) => Value::Map(m.with_type_name("common.Values")),
        _ => Value::Map(Map::new().with_type_name("common.Values")),
    };
    let top = Map::new();
    top.insert("Values", values);
    let template = Map::new();
    template.insert("Name", Value::from(MAIN));
    template.insert("BasePath", Value::from("t/templates"));
    top.insert("Template", Value::Map(template));
    let output = set
        .execute(MAIN, &Value::Map(top))
        .map_err(|e| helm_error_text(MAIN, &e))?;
    Ok(remove_no_value(output))
}

/// A golden case: the inputs and what Helm gave.
#[derive(Deserialize)]
pub struct Case {
    pub name: String,
    #[serde(flatten)]
    pub input: CaseInput,
    pub output: Option<String>,
    pub error: Option<String>,
}

/// The repository's fixtures folder.
pub fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures")
}

/// Cases we knowingly render differently from Helm, with the reason, one per line:
/// `file.json/case-name  reason`; `#` starts a comment line.
pub fn known_divergences(path: &Path) -> BTreeMap<String, String> {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| match l.split_once(char::is_whitespace) {
            Some((id, reason)) => (id.to_string(), reason.trim().to_string()),
            None => (l.to_string(), String::new()),
        })
        .collect()
}

/// `HELMPILOT_GOLDENS=a,b` restricts a run to the golden files `a.json` and `b.json`
/// (while working on one family); unset, every file is checked.
fn selected_by_env(path: &Path) -> bool {
    let Ok(filter) = std::env::var("HELMPILOT_GOLDENS") else {
        return true;
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    filter.split(',').any(|wanted| wanted.trim() == stem)
}

/// Renders every golden case under `goldens` with `funcs` and asserts that each agrees
/// with Helm, except the listed known divergences, which must still diverge (so the list
/// only shrinks). Returns the number of cases.
pub fn check_goldens(goldens: &Path, funcs: &Functions, known: &BTreeMap<String, String>) -> usize {
    let mut paths: Vec<PathBuf> = std::fs::read_dir(goldens)
        .expect("goldens directory")
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| selected_by_env(p))
        .collect();
    paths.sort();
    let (mut total, mut failures, mut stale) = (0, Vec::new(), Vec::new());
    for path in &paths {
        let file = path
            .file_name()
            .and_then(|f| f.to_str())
            .unwrap_or_default()
            .to_string();
        let text = std::fs::read_to_string(path).expect("read golden");
        let cases: Vec<Case> =
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
        for case in &cases {
            total += 1;
            let id = format!("{file}/{}", case.name);
            let expected = match (&case.output, &case.error) {
                (Some(out), None) => Ok(out.clone()),
                (None, Some(err)) => Err(err.clone()),
                _ => panic!("{id}: a golden needs exactly one of output and error"),
            };
            // A panic is a failure to report, not a reason to stop checking the rest.
            let render = std::panic::AssertUnwindSafe(|| render_with(&case.input, funcs.clone()));
            let actual =
                std::panic::catch_unwind(render).unwrap_or_else(|_| Err("<panic>".to_string()));
            match (actual == expected, known.contains_key(&id)) {
                (true, true) => stale.push(id),
                (false, false) => failures.push(format!(
                    "{id}\n  template: {:?}\n  helm:     {:?}\n  ours:     {:?}",
                    case.input.template, expected, actual
                )),
                _ => {}
            }
        }
    }
    println!(
        "{}: {total} cases, {} known divergences",
        goldens.display(),
        known.len()
    );
    assert!(
        stale.is_empty(),
        "known divergences that now agree with Helm (remove them): {stale:#?}"
    );
    assert!(
        failures.is_empty(),
        "{} of {total} cases differ from Helm:\n{}",
        failures.len(),
        failures.join("\n")
    );
    total
}

/// Serves the differential fuzzer: reads cases as JSON lines on stdin and writes one
/// result line per case on stdout, `{"output": ...}`, `{"error": ...}` or `{"panic": true}`.
pub fn serve_cases(render: impl Fn(&CaseInput) -> Result<String, String>) -> std::io::Result<()> {
    use std::io::{BufRead, Write};
    let stdin = std::io::stdin();
    let mut stdout = std::io::BufWriter::new(std::io::stdout());
    for line in stdin.lock().lines() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let result = match serde_json::from_str::<CaseInput>(&line) {
            Ok(case) => {
                match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| render(&case))) {
                    Ok(Ok(output)) => serde_json::json!({ "output": output }),
                    Ok(Err(error)) => serde_json::json!({ "error": error }),
                    Err(_) => serde_json::json!({ "panic": true }),
                }
            }
            Err(e) => serde_json::json!({ "invalid_input": e.to_string() }),
        };
        writeln!(stdout, "{result}")?;
        stdout.flush()?;
    }
    Ok(())
}
