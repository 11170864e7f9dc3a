//! Chart loading and `.Files` against real Helm v4.2.3: fixtures/load/goldens.json is
//! what helm_python made of the fixture charts and archives (scripts/oracle/load_goldens.py).
//!
//! Tests that need Chart.yaml parsing (`Metadata::parse`, written on another branch)
//! (once ignored while Chart.yaml parsing was being written) run now.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use helmpilot_chart::chart::archive::load_archive_files;
use helmpilot_chart::chart::load::{load_archive, load_dir, load_files, LoadError};
use helmpilot_chart::chart::{Chart, ChartFile};
use helmpilot_chart::funcs::helm_functions;
use helmpilot_chart::render::files::Files;
use helmpilot_template::{Map, MissingKey, Templates, Value};
use serde_json::Value as Json;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/load")
}

fn goldens() -> Json {
    let text = std::fs::read_to_string(fixtures().join("goldens.json")).unwrap();
    serde_json::from_str(&text).unwrap()
}

fn names(files: &[ChartFile]) -> Vec<String> {
    files.iter().map(|f| f.name.clone()).collect()
}

fn strings(value: &Json) -> Vec<String> {
    value
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect()
}

/// Compares a loaded chart with Helm's description of it.
fn check_chart(case: &str, chart: &Chart, want: &Json) {
    assert_eq!(
        names(&chart.files),
        strings(&want["files"]),
        "{case}: files"
    );
    assert_eq!(
        names(&chart.templates),
        strings(&want["templates"]),
        "{case}: templates"
    );
    let values = match &want["values"] {
        Json::Null => serde_json::Map::new(),
        other => other.as_object().unwrap().clone(),
    };
    assert_eq!(
        numbers_as_floats(&Json::Object(chart.values.clone())),
        numbers_as_floats(&Json::Object(values)),
        "{case}: values"
    );
    let mut deps: Vec<String> = chart
        .dependencies
        .iter()
        .map(|d| d.name().to_string())
        .collect();
    deps.sort();
    assert_eq!(deps, strings(&want["dependencies"]), "{case}: dependencies");
}

/// JSON with every number as a float: Helm's values hold float64s, which Python's JSON
/// prints as integers when they are whole.
fn numbers_as_floats(value: &Json) -> Json {
    match value {
        Json::Number(n) => n
            .as_f64()
            .and_then(serde_json::Number::from_f64)
            .map_or(Json::Null, Json::Number),
        Json::Array(items) => Json::Array(items.iter().map(numbers_as_floats).collect()),
        Json::Object(map) => Json::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), numbers_as_floats(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// What our loader says of an archive at Helm's v2 `LoadArchive` level: the raw archive
/// error, or `LoadFiles`' result.
fn load_archive_raw(data: &[u8]) -> Result<Chart, String> {
    let files = load_archive_files(data).map_err(|e| e.to_string())?;
    load_files(files).map_err(|e| e.to_string())
}

#[test]
fn archive_checks_match_helm() {
    let goldens = goldens();
    let mut compared = 0;
    for (name, want) in goldens["archives"].as_object().unwrap() {
        let data = std::fs::read(fixtures().join("archives").join(name)).unwrap();
        // Only the archive layer here: what LoadFiles does needs Chart.yaml parsing.
        if let Err(err) = load_archive_files(&data) {
            assert_eq!(
                Some(err.to_string().as_str()),
                want["error"].as_str(),
                "{name}"
            );
            compared += 1;
        }
    }
    assert!(compared >= 12, "only {compared} archive errors compared");
}

#[test]
fn archives_match_helm() {
    let goldens = goldens();
    for (name, want) in goldens["archives"].as_object().unwrap() {
        let data = std::fs::read(fixtures().join("archives").join(name)).unwrap();
        match (load_archive_raw(&data), want.get("error")) {
            (Ok(chart), None) => check_chart(name, &chart, want),
            (Err(err), Some(expected)) => {
                assert_eq!(Some(err.as_str()), expected.as_str(), "{name}")
            }
            (got, _) => panic!("{name}: got {got:?}, Helm: {want}"),
        }
    }
}

#[test]
fn load_checks_files_as_helm_template_does() {
    let archives = fixtures().join("archives");
    let not_gzip = archives.join("not-gzip.tgz");
    assert_eq!(
        helmpilot_chart::chart::load(&not_gzip)
            .unwrap_err()
            .to_string(),
        format!(
            "file '{}' does not appear to be a gzipped archive; got 'text/plain; charset=utf-8'",
            not_gzip.display()
        )
    );
    let values = fixtures().join("charts/basic/values.yaml");
    assert_eq!(
        helmpilot_chart::chart::load(&values)
            .unwrap_err()
            .to_string(),
        format!(
            "file '{}' seems to be a YAML file, but expected a gzipped archive",
            values.display()
        )
    );
    let missing = archives.join("missing.tgz");
    assert_eq!(
        helmpilot_chart::chart::load(&missing)
            .unwrap_err()
            .to_string(),
        format!("stat {}: no such file or directory", missing.display())
    );
    // Any other archive failure is one line in `helm template`.
    assert_eq!(
        helmpilot_chart::chart::load(&archives.join("truncated.tgz"))
            .unwrap_err()
            .to_string(),
        "unable to load chart archive"
    );
}

#[test]
fn load_archive_wraps_errors_as_helm_sdk_does() {
    let read = |name: &str| std::fs::read(fixtures().join("archives").join(name)).unwrap();
    let message = |data: &[u8]| load_archive(data).unwrap_err().to_string();
    assert_eq!(
        message(&read("not-gzip.tgz")),
        "stream does not appear to be a valid chart file (details: gzip: invalid header)"
    );
    assert_eq!(
        message(&read("parent.tgz")),
        "unable to load chart archive: chart illegally references parent directory"
    );
    assert_eq!(
        message(&read("no-chart-yaml.tgz")),
        "unable to detect chart version, no Chart.yaml found"
    );
}

/// Directory charts whose error `helm template` words differently from the v2 loader
/// the oracle calls.
const CLI_ERRORS: &[&str] = &["no-chart-yaml"];

#[test]
fn directories_match_helm() {
    let goldens = goldens();
    let mut compared = 0;
    for (name, want) in goldens["charts"].as_object().unwrap() {
        if CLI_ERRORS.contains(&name.as_str()) {
            continue;
        }
        let result = load_dir(&fixtures().join("charts").join(name));
        match (result, want.get("error")) {
            (Ok(chart), None) => {
                check_chart(name, &chart, want);
                check_subcharts(name, &chart, want["render"].as_object().unwrap());
            }
            (Err(err), Some(expected)) => {
                assert_eq!(Some(err.to_string().as_str()), expected.as_str(), "{name}")
            }
            (got, _) => panic!("{name}: got {got:?}, Helm: {want}"),
        }
        compared += 1;
    }
    assert!(compared >= 18, "only {compared} charts compared");
}

/// Subcharts show their templates by rendering and their `.Files` through a template
/// printing `files: [a b ]`.
fn check_subcharts(case: &str, chart: &Chart, render: &serde_json::Map<String, Json>) {
    for dep in &chart.dependencies {
        let prefix = format!("{}/charts/{}/", chart.name(), dep.name());
        let rendered: BTreeSet<String> = render
            .keys()
            .filter_map(|k| k.strip_prefix(&prefix).map(str::to_string))
            .filter(|k| !k.starts_with("charts/"))
            .collect();
        let ours: BTreeSet<String> = dep
            .templates
            .iter()
            .map(|t| t.name.clone())
            .filter(|n| !n.rsplit('/').next().unwrap_or_default().starts_with('_'))
            .collect();
        assert_eq!(ours, rendered, "{case}: templates of {}", dep.name());
        for (key, output) in render {
            if let (Some(_), Some(list)) = (
                key.strip_prefix(&prefix),
                output.as_str().unwrap().strip_prefix("files: ["),
            ) {
                let listed: Vec<&str> = list.trim_end_matches("]\n").split_whitespace().collect();
                assert_eq!(names(&dep.files), listed, "{case}: files of {}", dep.name());
            }
        }
    }
}

#[test]
fn missing_chart_yaml_is_reported_as_helm_template_does() {
    let dir = fixtures().join("charts/no-chart-yaml");
    let err = load_dir(&dir).unwrap_err().to_string();
    let chart_yaml = std::path::absolute(&dir).unwrap().join("Chart.yaml");
    assert_eq!(
        err,
        format!(
            "unable to detect chart at {0}: open {0}: no such file or directory",
            chart_yaml.display()
        )
    );
}

#[test]
fn helmignore_errors_come_before_chart_parsing() {
    for (name, want) in [
        ("double-star", "double-star (**) syntax is not supported"),
        ("bad-pattern", "syntax error in pattern"),
    ] {
        let err = load_dir(&fixtures().join("charts").join(name)).unwrap_err();
        assert!(matches!(err, LoadError::Ignore(_)), "{name}: {err:?}");
        assert_eq!(err.to_string(), want);
    }
}

/// A scratch chart directory, removed when dropped.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("helmpilot-load-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("chart/templates")).unwrap();
        std::fs::write(
            dir.join("chart/Chart.yaml"),
            "apiVersion: v2\nname: scratch\nversion: 0.1.0\n",
        )
        .unwrap();
        Scratch(dir)
    }

    fn chart(&self) -> PathBuf {
        self.0.join("chart")
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

#[cfg(unix)]
#[test]
fn symlinks_leaving_the_chart_are_refused() {
    use std::os::unix::fs::symlink;
    let scratch = Scratch::new("escape");
    std::fs::write(scratch.0.join("secret.txt"), "top secret\n").unwrap();
    symlink(
        "../../secret.txt",
        scratch.chart().join("templates/leak.yaml"),
    )
    .unwrap();
    let err = load_dir(&scratch.chart()).unwrap_err();
    assert!(matches!(err, LoadError::SymlinkEscape { .. }), "{err:?}");
    let text = err.to_string();
    assert!(
        text.starts_with("symlink \"templates/leak.yaml\" points outside the chart directory"),
        "{text}"
    );
    assert!(!text.contains("top secret"));

    // A directory link out of the chart, and an absolute one.
    let scratch = Scratch::new("escape-dir");
    std::fs::create_dir_all(scratch.0.join("outside")).unwrap();
    symlink(scratch.0.join("outside"), scratch.chart().join("files")).unwrap();
    let err = load_dir(&scratch.chart()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("symlink \"files\" points outside"),
        "{err}"
    );

    // Chart.yaml itself, read before the walk.
    let scratch = Scratch::new("escape-chart-yaml");
    std::fs::rename(
        scratch.chart().join("Chart.yaml"),
        scratch.0.join("Chart.yaml"),
    )
    .unwrap();
    symlink("../Chart.yaml", scratch.chart().join("Chart.yaml")).unwrap();
    let err = load_dir(&scratch.chart()).unwrap_err();
    assert!(
        err.to_string()
            .starts_with("symlink \"Chart.yaml\" points outside"),
        "{err}"
    );
}

#[cfg(unix)]
#[test]
fn symlink_loops_are_refused() {
    use std::os::unix::fs::symlink;
    let scratch = Scratch::new("loop");
    symlink("..", scratch.chart().join("templates/up")).unwrap();
    let err = load_dir(&scratch.chart()).unwrap_err();
    assert!(matches!(err, LoadError::SymlinkLoop { .. }), "{err:?}");
    assert_eq!(
        err.to_string(),
        "symlink \"templates/up\" makes a directory loop; refusing to follow it"
    );
}

#[cfg(unix)]
#[test]
fn oversized_and_irregular_files_are_refused_with_helms_text() {
    let scratch = Scratch::new("big");
    let big = vec![b'x'; 5 * 1024 * 1024 + 1];
    std::fs::write(scratch.chart().join("big.txt"), big).unwrap();
    let err = load_dir(&scratch.chart()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "chart file \"big.txt\" is larger than the maximum file size 5242880"
    );
}

// ---- .Files ------------------------------------------------------------------------------

/// The files-object chart's `.Files`, built from the file list Helm reported (so this
/// test does not depend on Chart.yaml parsing).
fn files_object(goldens: &Json) -> Files {
    let dir = fixtures().join("charts/files-object");
    let files: Vec<ChartFile> = strings(&goldens["charts"]["files-object"]["files"])
        .into_iter()
        .map(|name| {
            let data = std::fs::read(dir.join(&name)).unwrap();
            let data = data.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&data).to_vec();
            ChartFile {
                name,
                data: Arc::from(data),
            }
        })
        .collect();
    Files::new(&files)
}

fn render_files_template(
    files: &Files,
    template: &str,
    empty_lines: bool,
) -> Result<String, String> {
    let dir = fixtures().join("charts/files-object/templates");
    let text = std::fs::read_to_string(dir.join(template)).unwrap();
    let name = format!("files-object/templates/{template}");
    let mut set = Templates::with_functions(helm_functions());
    set.set_missing_key(MissingKey::Zero);
    set.parse(&name, &text).map_err(|e| e.to_string())?;
    let values = Map::new();
    values.insert("emptyLines", Value::Bool(empty_lines));
    let data = Map::new();
    data.insert("Files", files.clone().into_value());
    data.insert("Values", Value::Map(values));
    set.execute(&name, &Value::Map(data))
        .map_err(|e| e.to_string())
}

#[test]
fn files_object_matches_helm() {
    let goldens = goldens();
    let files = files_object(&goldens);
    let render = goldens["charts"]["files-object"]["render"]
        .as_object()
        .unwrap();
    let mut compared = 0;
    for (key, want) in render {
        let template = key.strip_prefix("files-object/templates/").unwrap();
        let got = render_files_template(&files, template, false).unwrap();
        assert_eq!(got, want.as_str().unwrap(), "{template}");
        compared += 1;
    }
    assert_eq!(compared, 7);
    let err = render_files_template(&files, "lines.yaml", true).unwrap_err();
    let want = goldens["files_object"]["empty_lines_error"]
        .as_str()
        .unwrap();
    assert_eq!(err, want);
}

#[test]
fn files_outside_the_chart_are_refused() {
    let goldens = goldens();
    let files = files_object(&goldens);
    for (call, message) in [
        (
            r#"{{ .Files.Get "../../etc/passwd" }}"#,
            r#".Files.Get: path "../../etc/passwd" is outside the chart"#,
        ),
        (
            r#"{{ .Files.GetBytes "/etc/passwd" }}"#,
            r#".Files.GetBytes: path "/etc/passwd" is outside the chart"#,
        ),
        (
            r#"{{ .Files.Lines "files/../../x" }}"#,
            r#".Files.Lines: path "files/../../x" is outside the chart"#,
        ),
    ] {
        let mut set = Templates::with_functions(helm_functions());
        set.parse("t", call).unwrap();
        let data = Map::new();
        data.insert("Files", files.clone().into_value());
        let err = set.execute("t", &Value::Map(data)).unwrap_err().to_string();
        assert!(err.contains(message), "{err}");
    }
}
