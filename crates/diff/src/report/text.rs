//! The terminal report.

use std::fmt::Write as _;

use super::{change_header, counts_line, rest_line, secret_keys_line, short_label};
use crate::model::{DiffReport, Severity};

/// How [`text`] writes its output.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TextOptions {
    /// Use ANSI colors. The caller decides (`NO_COLOR`, `--no-color`, whether stdout is a
    /// terminal); when `false` the output holds no escape sequence at all.
    pub color: bool,
}

const RESET: &str = "\x1b[0m";
const BOLD: &str = "\x1b[1m";
const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[33m";
const MAGENTA: &str = "\x1b[35m";
const CYAN: &str = "\x1b[36m";
const BOLD_RED: &str = "\x1b[1;31m";

/// Writes `report` for a terminal.
///
/// One block per chart x environment: a heading with the counts, the render error if any,
/// the risks, the image changes, then each object that is not unchanged (`+` added, `-`
/// removed, `~` changed, `>` renamed) with its Secret key changes (names only) and its
/// diff indented under it, and finally how many objects were unchanged and how many
/// changes ignore rules dropped.
///
/// Control characters from the charts (an escape sequence in a value, a carriage return)
/// are written as `\x1b`-style escapes, so only this function's own colors reach the
/// terminal.
///
/// ```
/// use helmpilot_diff::model::{DiffReport, EnvironmentDiff};
/// use helmpilot_diff::report::{text, TextOptions};
///
/// let report = DiffReport {
///     base: "main".into(),
///     head: "feature".into(),
///     environments: vec![EnvironmentDiff {
///         chart: "charts/web".into(),
///         name: "staging".into(),
///         unchanged: 4,
///         ..Default::default()
///     }],
/// };
/// assert_eq!(
///     text(&report, &TextOptions { color: false }),
///     "helmpilot diff: main -> feature\n\
///      \n\
///      == charts/web/staging: no changes\n\
///      4 unchanged, 0 ignored changes\n"
/// );
/// ```
pub fn text(report: &DiffReport, options: &TextOptions) -> String {
    let paint = Painter {
        color: options.color,
    };
    let mut out = String::new();
    // Writing into a String cannot fail; the results of writeln! are ignored for that.
    let _ = writeln!(
        out,
        "helmpilot diff: {} -> {}",
        clean(&report.base),
        clean(&report.head)
    );
    if report.environments.is_empty() {
        out.push_str("\nno environments\n");
        return out;
    }
    for env in &report.environments {
        out.push('\n');
        let heading = format!(
            "== {}/{}: {}",
            clean(&env.chart),
            clean(&env.name),
            counts_line(env)
        );
        let _ = writeln!(out, "{}", paint.wrap(BOLD, &heading));
        if let Some(error) = &env.error {
            let mut lines = error.lines();
            let first = lines.next().unwrap_or("");
            let _ = writeln!(
                out,
                "{}",
                paint.wrap(RED, &format!("error: {}", clean(first)))
            );
            for line in lines {
                let _ = writeln!(out, "{}", paint.wrap(RED, &format!("  {}", clean(line))));
            }
        }
        for risk in &env.risks {
            let (label, style) = match risk.severity {
                Severity::High => ("HIGH", BOLD_RED),
                Severity::Medium => ("MEDIUM", YELLOW),
            };
            let line = format!(
                "! {label} {}: {} [{}]",
                clean(&short_label(&risk.key)),
                clean(&risk.reason),
                clean(&risk.rule)
            );
            let _ = writeln!(out, "{}", paint.wrap(style, &line));
        }
        for image in &env.images {
            let _ = writeln!(
                out,
                "image {}: {} -> {} ({})",
                clean(&image.container),
                clean(&image.from),
                clean(&image.to),
                clean(&short_label(&image.key))
            );
        }
        for change in &env.changes {
            let (marker, label) = change_header(&change.change, &change.key);
            let style = match marker {
                '+' => GREEN,
                '-' => RED,
                '>' => MAGENTA,
                _ => YELLOW,
            };
            let header = format!("{marker} {}", clean(&label));
            let _ = write!(out, "{}", paint.wrap(style, &header));
            if !change.source.is_empty() {
                let _ = write!(out, " ({})", clean(&change.source));
            }
            out.push('\n');
            if let Some(keys) = &change.secret_keys {
                let _ = writeln!(out, "  secret keys: {}", secret_keys_line(keys, clean));
            }
            for line in change.diff.lines() {
                let style = if line.starts_with("@@") {
                    Some(CYAN)
                } else if line.starts_with('+') {
                    Some(GREEN)
                } else if line.starts_with('-') {
                    Some(RED)
                } else {
                    None
                };
                let line = format!("  {}", clean(line));
                match style {
                    Some(style) => {
                        let _ = writeln!(out, "{}", paint.wrap(style, &line));
                    }
                    None => {
                        let _ = writeln!(out, "{line}");
                    }
                }
            }
        }
        // A failed render compared nothing: "0 unchanged" would mislead.
        if env.error.is_none() || !env.changes.is_empty() {
            let _ = writeln!(out, "{}", rest_line(env));
        }
    }
    out
}

/// Adds ANSI styles only when color is on.
struct Painter {
    color: bool,
}

impl Painter {
    fn wrap(&self, style: &str, text: &str) -> String {
        if self.color {
            format!("{style}{text}{RESET}")
        } else {
            text.to_string()
        }
    }
}

/// Makes chart-controlled text safe to print on a terminal: control characters (escape,
/// carriage return, backspace, ...) and the bidirectional overrides that can make a line
/// read differently from what it is become visible escapes. Tabs stay.
fn clean(s: &str) -> String {
    if !s.chars().any(needs_escape) {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if needs_escape(c) {
            let code = u32::from(c);
            if code < 0x100 {
                let _ = write!(out, "\\x{code:02x}");
            } else {
                let _ = write!(out, "\\u{{{code:04x}}}");
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn needs_escape(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clean_escapes_control_and_bidi_characters() {
        assert_eq!(clean("a\tb"), "a\tb");
        assert_eq!(clean("\x1b[2Jx"), "\\x1b[2Jx");
        assert_eq!(clean("a\rb"), "a\\x0db");
        assert_eq!(clean("\u{202e}abc"), "\\u{202e}abc");
        assert_eq!(clean("\u{85}"), "\\x85");
    }
}
