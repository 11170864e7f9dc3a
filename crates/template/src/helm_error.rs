//! How Helm presents what the engine produced: the text of template errors, and output
//! with Go's `<no value>` removed.
//!
//! Helm does not print Go's error as is: parse errors become `parse error at (FILE:LINE):
//! MSG`, and execution errors are taken apart into a `location / executing ... / message`
//! block per nested template, unless a link of the chain is not a template error, in
//! which case Go's text is kept whole. Users search for these texts, so we produce them
//! the same way from the structured error.

use crate::error::{Error, ErrorKind};

/// Helm's `fail`/`required` messages are wrapped in these markers so that Helm can show
/// them without the template location noise.
const WARN_START: &str = "HELM_ERR_START";
const WARN_END: &str = "HELM_ERR_END";

/// Formats `err`, raised while rendering the chart file `filename`, as Helm v4 does.
///
/// ```
/// use helmpilot_template::{helm_error_text, Templates, Value};
/// let mut set = Templates::new();
/// let err = set.parse("c/templates/a.yaml", "{{ end }}").unwrap_err();
/// assert_eq!(helm_error_text("c/templates/a.yaml", &err), "parse error at (c/templates/a.yaml:1): unexpected {{end}}");
/// ```
pub fn helm_error_text(filename: &str, err: &Error) -> String {
    match err.kind {
        ErrorKind::Parse => parse_error_text(filename, &err.to_string()),
        ErrorKind::Exec | ErrorKind::Limit => exec_error_text(filename, err),
        ErrorKind::Function | ErrorKind::NoTemplate => err.to_string(),
    }
}

fn parse_error_text(filename: &str, text: &str) -> String {
    let tokens: Vec<&str> = text.split(": ").collect();
    match tokens.as_slice() {
        [_] | [] => format!("parse error in ({filename}): {text}"),
        [_, location, rest @ ..] => {
            let message = rest.last().unwrap_or(location);
            format!("parse error at ({location}): {message}")
        }
    }
}

fn exec_error_text(filename: &str, err: &Error) -> String {
    let text = err.to_string();
    let tokens: Vec<&str> = text.splitn(3, ": ").collect();
    let [_, location, rest] = tokens.as_slice() else {
        return format!("execution error in ({filename}): {text}");
    };
    if let Some(message) = warning(rest) {
        return format!("execution error at ({location}): {message}");
    }
    let mut blocks: Vec<Traceable> = Vec::new();
    for link in err.chain() {
        let Some(block) = Traceable::parse(&link.to_string()) else {
            return text;
        };
        if blocks.last() != Some(&block) {
            blocks.push(block);
        }
    }
    blocks
        .iter()
        .map(Traceable::render)
        .collect::<String>()
        .trim()
        .to_string()
}

/// The text between Helm's warning markers, if any.
fn warning(text: &str) -> Option<&str> {
    let start = text.find(WARN_START)? + WARN_START.len();
    let end = text.rfind(WARN_END)?;
    (start <= end).then(|| &text[start..end])
}

/// One template level of an execution error.
#[derive(Debug, PartialEq, Eq)]
struct Traceable {
    location: String,
    executing: String,
    message: String,
}

impl Traceable {
    fn parse(text: &str) -> Option<Traceable> {
        let rest = text.strip_prefix("template: ")?;
        if rest.starts_with("no template ") {
            return Some(Traceable {
                location: String::new(),
                executing: String::new(),
                message: text.to_string(),
            });
        }
        if let Some((location, after)) = rest.split_once(": executing ") {
            return Traceable::parse_executing(location, after);
        }
        let (location, message) = rest.rsplit_once(": ")?;
        Some(Traceable {
            location: location.to_string(),
            executing: String::new(),
            message: cut_chained(message),
        })
    }

    fn parse_executing(location: &str, after: &str) -> Option<Traceable> {
        let quoted = after.strip_prefix('"')?;
        let (function, after_function) = quoted.split_once('"')?;
        let after_at = after_function.strip_prefix(" at <")?;
        let (node, message) = after_at.split_once(">: ")?;
        Some(Traceable {
            location: location.to_string(),
            executing: format!("executing \"{function}\" at <{node}>:"),
            message: cut_chained(message),
        })
    }

    fn render(&self) -> String {
        let mut out = String::new();
        if !self.location.is_empty() {
            out.push_str(&self.location);
            out.push_str("\n  ");
        }
        if !self.executing.is_empty() {
            out.push_str(&self.executing);
            out.push_str("\n    ");
        }
        if !self.message.is_empty() {
            out.push_str(&self.message);
            out.push('\n');
        }
        out
    }
}

/// Drops a nested error that follows the message (` template: ...`); it gets its own block.
fn cut_chained(message: &str) -> String {
    match message.find(" template:") {
        Some(cut) => message[..cut].to_string(),
        None => message.to_string(),
    }
}

/// Removes every `<no value>` from rendered output, as Helm does after executing each
/// template (it renders with `missingkey=zero`, which still prints Go's `<no value>`).
///
/// ```
/// use helmpilot_template::remove_no_value;
/// assert_eq!(remove_no_value("a: <no value>\nb: 1".to_string()), "a: \nb: 1");
/// ```
pub fn remove_no_value(output: String) -> String {
    const NO_VALUE: &str = "<no value>";
    let finder = memchr::memmem::Finder::new(NO_VALUE);
    // Nearly every output has none: keep the string as it is.
    if finder.find(output.as_bytes()).is_none() {
        return output;
    }
    let mut result = String::with_capacity(output.len());
    let mut rest = output.as_str();
    while let Some(at) = finder.find(rest.as_bytes()) {
        result.push_str(&rest[..at]);
        rest = &rest[at + NO_VALUE.len()..];
    }
    result.push_str(rest);
    result
}
