//! Error reports with a code frame: Go's message, then the offending line with a marker.

use std::collections::BTreeMap;

use helmpilot_template::Error;

/// Turns a template error into a report: Go's one-line text, then `file:line:col` and the
/// source line with the span underlined.
pub fn report(err: &Error, sources: &BTreeMap<String, String>) -> anyhow::Error {
    report_with_message(&err.to_string(), err, sources)
}

/// Like [`report`], with the message already formatted (Helm's text for chart renders).
pub fn report_with_message(
    message: &str,
    err: &Error,
    sources: &BTreeMap<String, String>,
) -> anyhow::Error {
    let mut text = message.to_string();
    let innermost = err.chain().filter(|e| e.location.is_some()).last();
    if let Some(location) = innermost.and_then(|e| e.location.as_ref()) {
        if let Some(source) = sources.get(&*location.parse_name) {
            text.push_str(&code_frame(
                source,
                &location.parse_name,
                location.line,
                location.span.clone(),
            ));
        }
    }
    anyhow::anyhow!(text)
}

fn code_frame(source: &str, name: &str, line: usize, span: std::ops::Range<usize>) -> String {
    let start = span.start.min(source.len());
    let line_start = source[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = source[start..]
        .find('\n')
        .map_or(source.len(), |i| start + i);
    let line_text = &source[line_start..line_end];
    let column = source[line_start..start].chars().count();
    let width = source[start..span.end.clamp(start, line_end)]
        .chars()
        .count()
        .max(1);
    let gutter = line.to_string().len();
    format!(
        "\n{pad} --> {name}:{line}:{col}\n{pad} |\n{line} | {line_text}\n{pad} | {spaces}{marks}",
        pad = " ".repeat(gutter),
        col = column + 1,
        spaces = " ".repeat(column),
        marks = "^".repeat(width),
    )
}
