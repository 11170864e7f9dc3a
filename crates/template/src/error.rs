//! Errors with Go's message text and a source span.
//!
//! `Display` prints exactly what Go's text/template prints (`template: NAME:LINE:COL:
//! executing "NAME" at <.a.b>: ...`), so the message a user searches for is the one they
//! know from Helm. The structured fields let the CLI print a code frame and let the chart
//! renderer reformat errors the way Helm v4 does.

use std::fmt;
use std::ops::Range;

use crate::value::Str;

/// Where in a template an error happened.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    /// The name of the template file the node was parsed from.
    pub parse_name: Str,
    /// 1-based line.
    pub line: usize,
    /// Go's column: the byte offset from the start of the line (0-based on later lines,
    /// and equal to the byte offset on the first line, as Go computes it).
    pub col: usize,
    /// Byte range in the template source.
    pub span: Range<usize>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ErrorKind {
    /// The template text is malformed.
    Parse,
    /// Execution failed at a node.
    Exec,
    /// A function (or host method) reported an error; it has no location of its own.
    Function,
    /// `{{template "x"}}` or an execute call named a template that does not exist.
    NoTemplate,
    /// A resource limit (recursion depth, output size) was reached.
    Limit,
}

/// A template error. `Display` gives Go's text; the details are readable through `Deref`
/// to [`ErrorInfo`]. Boxed, so that results stay small on the executor's hot paths.
///
/// ```
/// use helmpilot_template::{ErrorKind, Templates};
/// let err = Templates::new().parse("t", "{{ foo }}").unwrap_err();
/// assert_eq!(err.to_string(), r#"template: t:1: function "foo" not defined"#);
/// assert_eq!(err.kind, ErrorKind::Parse);
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct Error(Box<ErrorInfo>);

/// What an [`Error`] knows.
#[derive(Clone, Debug, PartialEq)]
pub struct ErrorInfo {
    pub kind: ErrorKind,
    /// The message proper, without Go's `template: ...:` prefix and without the cause.
    pub message: String,
    /// The template being executed, for exec errors (`executing "NAME"`) and the name
    /// for parse errors.
    pub template: Option<Str>,
    pub location: Option<Location>,
    /// The node text Go quotes (`at <.a.b>`), for exec errors.
    pub context: Option<String>,
    /// The error this one wraps (`error calling include: <cause>`).
    pub cause: Option<Error>,
}

impl std::ops::Deref for Error {
    type Target = ErrorInfo;

    fn deref(&self) -> &ErrorInfo {
        &self.0
    }
}

impl From<ErrorInfo> for Error {
    fn from(info: ErrorInfo) -> Error {
        Error(Box::new(info))
    }
}

impl Error {
    /// An error from a function, shown as its message alone.
    pub fn function(message: impl Into<String>) -> Error {
        Error::from(ErrorInfo {
            kind: ErrorKind::Function,
            message: message.into(),
            template: None,
            location: None,
            context: None,
            cause: None,
        })
    }

    pub(crate) fn parse(name: &Str, location: Location, message: String) -> Error {
        Error::from(ErrorInfo {
            kind: ErrorKind::Parse,
            message,
            template: Some(name.clone()),
            location: Some(location),
            context: None,
            cause: None,
        })
    }

    /// The innermost error of the chain.
    pub fn root_cause(&self) -> &Error {
        let mut err = self;
        while let Some(cause) = &err.cause {
            err = cause;
        }
        err
    }

    /// Each error in the chain, outermost first.
    pub fn chain(&self) -> impl Iterator<Item = &Error> {
        std::iter::successors(Some(self), |e| e.cause.as_ref())
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            ErrorKind::Parse => {
                let loc = self.location.as_ref();
                match loc {
                    Some(l) => {
                        write!(f, "template: {}:{}: {}", l.parse_name, l.line, self.message)?
                    }
                    None => write!(f, "template: {}", self.message)?,
                }
            }
            ErrorKind::Exec | ErrorKind::Limit => {
                let name = self.template.as_deref().unwrap_or("");
                match (&self.location, &self.context) {
                    (Some(l), Some(ctx)) => write!(
                        f,
                        "template: {}:{}:{}: executing {:?} at <{}>: {}",
                        l.parse_name, l.line, l.col, name, ctx, self.message
                    )?,
                    _ => write!(f, "template: {}: {}", name, self.message)?,
                }
            }
            ErrorKind::NoTemplate | ErrorKind::Function => f.write_str(&self.message)?,
        }
        if let Some(cause) = &self.cause {
            write!(f, ": {cause}")?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.cause
            .as_ref()
            .map(|e| e as &(dyn std::error::Error + 'static))
    }
}

/// Computes Go's line and column for a byte offset: the line is 1 + the newlines before
/// `pos`; the column is the offset from the character after the last newline, or `pos`
/// itself on the first line.
pub(crate) fn line_col(source: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(source.len());
    let before = &source.as_bytes()[..pos];
    let line = 1 + before.iter().filter(|&&b| b == b'\n').count();
    let col = match before.iter().rposition(|&b| b == b'\n') {
        Some(nl) => pos - (nl + 1),
        None => pos,
    };
    (line, col)
}
