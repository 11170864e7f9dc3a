//! `helmpilot render` is deterministic: generated secrets, keys, certificates and times
//! depend only on the inputs, `--seed` and `--now`, and a template's generated values do
//! not change when another template changes (the property that keeps PR diffs quiet).

use std::path::{Path, PathBuf};
use std::process::Command;

/// A throw-away chart directory with the given templates.
struct Chart {
    dir: PathBuf,
}

impl Chart {
    fn new(name: &str, files: &[(&str, &str)]) -> Chart {
        let dir = std::env::temp_dir().join(format!(
            "helmpilot-determinism-{name}-{}",
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("templates")).expect("create chart dir");
        for (file, text) in files {
            std::fs::write(dir.join("templates").join(file), text).expect("write template");
        }
        Chart { dir }
    }

    /// Renders every template with fixed `--now` and the given extra flags; returns stdout.
    /// Paths are given relative to the chart, as a PR job renders two checkouts that live
    /// in different directories: template names (and so seeds) must not depend on where.
    fn render(&self, extra: &[&str]) -> String {
        let mut files: Vec<PathBuf> = std::fs::read_dir(self.dir.join("templates"))
            .expect("templates")
            .map(|e| Path::new("templates").join(e.expect("entry").file_name()))
            .collect();
        files.sort();
        let output = Command::new(env!("CARGO_BIN_EXE_helmpilot"))
            .current_dir(&self.dir)
            .arg("render")
            .args(&files)
            .args([
                "--name",
                "web",
                "--namespace",
                "prod",
                "--now",
                "2026-01-02T03:04:05Z",
            ])
            .args(extra)
            .output()
            .expect("run helmpilot");
        assert!(
            output.status.success(),
            "render failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8(output.stdout).expect("UTF-8 output")
    }
}

impl Drop for Chart {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const SECRET: &str = r#"password: {{ randAlphaNum 24 }}
id: {{ uuidv4 }}
{{- range until 3 }}
token: {{ randAlphaNum 8 }}
{{- end }}
{{- $ca := genCA "ca" 365 }}
ca: {{ $ca.Cert | sha256sum }}
today: {{ now | date "2006-01-02" }}
"#;

/// The body the render printed for the template file `name`.
fn section<'a>(stdout: &'a str, name: &str) -> &'a str {
    let start = stdout
        .split("---\n# Source: ")
        .find(|doc| doc.lines().next().is_some_and(|l| l.ends_with(name)))
        .unwrap_or_else(|| panic!("no section for {name} in:\n{stdout}"));
    start.split_once('\n').map_or("", |(_, body)| body)
}

#[test]
fn same_inputs_same_bytes_and_seed_changes_them() {
    let chart = Chart::new("same", &[("secret.yaml", SECRET)]);
    let first = chart.render(&[]);
    assert_eq!(
        first,
        chart.render(&[]),
        "two renders of the same input differ"
    );
    assert!(
        first.contains("today: 2026-01-02"),
        "now must come from --now:\n{first}"
    );
    let tokens: Vec<&str> = first.lines().filter(|l| l.starts_with("token: ")).collect();
    assert_eq!(tokens.len(), 3);
    assert!(
        tokens[0] != tokens[1] && tokens[1] != tokens[2],
        "each loop iteration draws anew: {tokens:?}"
    );
    let reseeded = chart.render(&["--seed", "other"]);
    let secret_line = |out: &str| {
        out.lines()
            .find(|l| l.starts_with("password: "))
            .map(str::to_owned)
    };
    assert_ne!(secret_line(&first), secret_line(&reseeded));
    assert_eq!(reseeded, chart.render(&["--seed", "other"]));
}

#[test]
fn changing_another_template_keeps_generated_values() {
    let before = Chart::new(
        "before",
        &[
            ("secret.yaml", SECRET),
            ("other.yaml", "a: {{ randAlpha 5 }}\n"),
        ],
    );
    let after = Chart::new(
        "after",
        &[
            ("secret.yaml", SECRET),
            ("other.yaml", "# edited\nb: 1\na: {{ randAlpha 5 }}\n"),
        ],
    );
    let (old, new) = (before.render(&[]), after.render(&[]));
    assert_eq!(section(&old, "secret.yaml"), section(&new, "secret.yaml"));
    assert_ne!(section(&old, "other.yaml"), section(&new, "other.yaml"));
}

#[test]
fn bad_now_is_a_clear_error() {
    let chart = Chart::new("badnow", &[("a.yaml", "{{ now }}")]);
    let output = Command::new(env!("CARGO_BIN_EXE_helmpilot"))
        .arg("render")
        .arg(chart.dir.join("templates/a.yaml"))
        .args(["--now", "yesterday"])
        .output()
        .expect("run helmpilot");
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--now \"yesterday\" is not a time"),
        "{stderr}"
    );
    assert!(Path::new(&chart.dir).exists());
}
