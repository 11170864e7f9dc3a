//! The Actions runner's protocols: workflow commands on stdout (`::error ...::`), the step
//! summary and output files, and inputs passed as `INPUT_*` variables.
//!
//! Commands are returned as strings for the caller to print on stdout, one per line, so
//! the binary decides where output goes and tests compare text.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::path::Path;

use crate::GitHubError;

/// The severity of an [`annotation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    /// `::notice`: informational, shown in the job and on the file.
    Notice,
    /// `::warning`.
    Warning,
    /// `::error`.
    Error,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Notice => "notice",
            Level::Warning => "warning",
            Level::Error => "error",
        }
    }
}

/// Escapes a command's message the way the runner unescapes it.
pub fn escape_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// Escapes a command property's value (`file=`, `title=`): also `:` and `,`, which
/// delimit properties.
pub fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

/// An annotation command: `::error file=F,line=L,col=C,title=T::message`. Absent properties
/// are left out (`::warning::message` when there are none).
///
/// ```
/// use helmpilot_github::actions::{annotation, Level};
/// let line = annotation(Level::Error, Some("charts/web/values.yaml"), Some(3), Some(7),
///     Some("Immutable field"), "spec.selector changed: 50% of pods,\nthen all");
/// assert_eq!(line, "::error file=charts/web/values.yaml,line=3,col=7,title=Immutable field::\
///     spec.selector changed: 50%25 of pods,%0Athen all");
/// ```
pub fn annotation(
    level: Level,
    file: Option<&str>,
    line: Option<u32>,
    col: Option<u32>,
    title: Option<&str>,
    message: &str,
) -> String {
    let mut props = Vec::new();
    if let Some(f) = file {
        props.push(format!("file={}", escape_property(f)));
    }
    if let Some(l) = line {
        props.push(format!("line={l}"));
    }
    if let Some(c) = col {
        props.push(format!("col={c}"));
    }
    if let Some(t) = title {
        props.push(format!("title={}", escape_property(t)));
    }
    let mut out = format!("::{}", level.command());
    if !props.is_empty() {
        out.push(' ');
        out.push_str(&props.join(","));
    }
    out.push_str("::");
    out.push_str(&escape_data(message));
    out
}

/// Starts a collapsible group in the log: `::group::name`.
pub fn group(name: &str) -> String {
    format!("::group::{}", escape_data(name))
}

/// Ends the current group: `::endgroup::`.
pub fn endgroup() -> String {
    "::endgroup::".to_string()
}

/// Tells the runner to mask `value` in all later log output: `::add-mask::value`.
pub fn mask(value: &str) -> String {
    format!("::add-mask::{}", escape_data(value))
}

/// The variable the runner sets for input `name`: `INPUT_` and the name upper-cased with
/// spaces as `_`; dashes are kept (`github-token` is `INPUT_GITHUB-TOKEN`).
pub fn input_variable(name: &str) -> String {
    format!("INPUT_{}", name.replace(' ', "_").to_uppercase())
}

/// Input `name` of the action, trimmed; `None` when unset or blank (the runner passes an
/// empty string for an input the workflow does not set and that has no default).
pub fn input(name: &str) -> Option<String> {
    input_from(name, |var| std::env::var(var).ok())
}

/// [`input`] with another source of variables (tests, or a captured environment).
pub fn input_from(name: &str, lookup: impl Fn(&str) -> Option<String>) -> Option<String> {
    lookup(&input_variable(name))
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// Appends Markdown to the job summary file (`GITHUB_STEP_SUMMARY`), ending it with a line
/// break so later appends start on their own line. GitHub shows at most 1 MiB per step.
pub fn append_step_summary(path: &Path, markdown: &str) -> Result<(), GitHubError> {
    let mut text = markdown.to_string();
    if !text.ends_with('\n') {
        text.push('\n');
    }
    append(path, "step summary", &text)
}

/// Sets step outputs through the output file (`GITHUB_OUTPUT`), each as
/// `name<<DELIMITER`, the value, `DELIMITER`, so values may span lines. The delimiter is
/// random and checked against the value, so a value cannot end its own block early and
/// smuggle in other outputs.
pub fn set_outputs(path: &Path, outputs: &[(&str, &str)]) -> Result<(), GitHubError> {
    let mut text = String::new();
    for (name, value) in outputs {
        if name.is_empty()
            || name.contains("<<")
            || name.contains('=')
            || name.contains(['\n', '\r'])
        {
            return Err(GitHubError::InvalidOutputName(name.to_string()));
        }
        let delimiter = loop {
            let d = random_delimiter();
            if !value.contains(&d) && !name.contains(&d) {
                break d;
            }
        };
        text.push_str(&format!("{name}<<{delimiter}\n{value}\n{delimiter}\n"));
    }
    append(path, "outputs", &text)
}

fn append(path: &Path, what: &'static str, text: &str) -> Result<(), GitHubError> {
    let err = |source| GitHubError::RunnerFile {
        what,
        path: path.to_path_buf(),
        source,
    };
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(err)?;
    // One write call per append keeps a block whole.
    file.write_all(text.as_bytes()).map_err(err)?;
    file.flush().map_err(err)
}

/// `ghadelimiter_` and 32 random hex digits (the runner's own toolkit uses a UUID).
/// `RandomState` is seeded from the OS per process and differs per instance, which is all
/// the unpredictability a delimiter needs.
fn random_delimiter() -> String {
    let mut parts = [0u64; 2];
    for (i, part) in parts.iter_mut().enumerate() {
        let mut h = RandomState::new().build_hasher();
        h.write_usize(i);
        *part = h.finish();
    }
    format!("ghadelimiter_{:016x}{:016x}", parts[0], parts[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_file(name: &str) -> std::path::PathBuf {
        let dir = std::env::temp_dir().join(format!("helmpilot-actions-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join(name);
        let _ = std::fs::remove_file(&file);
        file
    }

    #[test]
    fn data_escaping() {
        assert_eq!(
            escape_data("100% done\r\nnext: a,b"),
            "100%25 done%0D%0Anext: a,b"
        );
        // `%` first, so an already escaped sequence is not taken for a line break.
        assert_eq!(escape_data("%0A"), "%250A");
    }

    #[test]
    fn property_escaping() {
        assert_eq!(escape_property("a:b,c%\n"), "a%3Ab%2Cc%25%0A");
    }

    #[test]
    fn annotations() {
        assert_eq!(
            annotation(Level::Warning, None, None, None, None, "plain"),
            "::warning::plain"
        );
        assert_eq!(
            annotation(Level::Notice, Some("a,b:c.yaml"), Some(1), None, None, "m"),
            "::notice file=a%2Cb%3Ac.yaml,line=1::m"
        );
        assert_eq!(
            annotation(Level::Error, None, None, None, Some("t: x"), "a::b"),
            "::error title=t%3A x::a::b"
        );
    }

    #[test]
    fn groups_and_masks() {
        assert_eq!(group("chart web\n(prod)"), "::group::chart web%0A(prod)");
        assert_eq!(endgroup(), "::endgroup::");
        assert_eq!(mask("s3cr%t\nline2"), "::add-mask::s3cr%25t%0Aline2");
    }

    #[test]
    fn input_names() {
        assert_eq!(input_variable("github-token"), "INPUT_GITHUB-TOKEN");
        assert_eq!(input_variable("fail on"), "INPUT_FAIL_ON");
        let env = |var: &str| match var {
            "INPUT_GITHUB-TOKEN" => Some("  ghs_x \n".to_string()),
            "INPUT_ENVIRONMENTS" => Some("   ".to_string()),
            _ => None,
        };
        assert_eq!(input_from("github-token", env).as_deref(), Some("ghs_x"));
        assert_eq!(input_from("environments", env), None);
        assert_eq!(input_from("missing", env), None);
    }

    #[test]
    fn step_summary_appends_with_line_breaks() {
        let f = temp_file("summary.md");
        append_step_summary(&f, "# one").unwrap();
        append_step_summary(&f, "two\n").unwrap();
        assert_eq!(std::fs::read_to_string(&f).unwrap(), "# one\ntwo\n");
    }

    #[test]
    fn outputs_use_heredoc_blocks_with_a_random_delimiter() {
        let f = temp_file("output");
        std::fs::write(&f, "earlier=1\n").unwrap();
        set_outputs(&f, &[("changed", "true"), ("report", "line 1\nline 2")]).unwrap();
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.len(), 8, "{text}");
        assert_eq!(lines[0], "earlier=1");
        let (name, d1) = lines[1].split_once("<<").unwrap();
        assert_eq!(name, "changed");
        assert!(
            d1.starts_with("ghadelimiter_") && d1.len() == "ghadelimiter_".len() + 32,
            "{d1}"
        );
        assert_eq!(&lines[2..4], &["true", d1]);
        let (name, d2) = lines[4].split_once("<<").unwrap();
        assert_eq!(name, "report");
        assert_ne!(d1, d2);
        assert_eq!(&lines[5..8], &["line 1", "line 2", d2]);
        assert!(text.ends_with('\n'));
    }

    #[test]
    fn delimiters_differ_between_calls() {
        let ds: std::collections::HashSet<String> = (0..100).map(|_| random_delimiter()).collect();
        assert_eq!(ds.len(), 100);
    }

    #[test]
    fn bad_output_names_and_unwritable_files_are_errors() {
        let f = temp_file("output-bad");
        for name in ["", "a<<b", "a=b", "a\nb"] {
            let err = set_outputs(&f, &[(name, "v")]).unwrap_err();
            assert!(matches!(err, GitHubError::InvalidOutputName(_)), "{err}");
        }
        assert!(!f.exists(), "nothing is written when a name is invalid");
        let err = append_step_summary(Path::new("/nonexistent/dir/summary.md"), "x").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("cannot write the step summary file /nonexistent/dir/summary.md"),
            "{err}"
        );
    }
}
