//! The parser (stub; being written).
use crate::ast::Tree;
use crate::error::Error;

/// The result of parsing one text: its top-level tree and the `define`/`block` trees it
/// holds, in source order.
pub(crate) struct Parsed {
    pub main: Tree,
    pub defines: Vec<Tree>,
}

/// Delimiters and the function check the parser needs.
pub(crate) struct ParseOptions<'a> {
    pub left_delim: &'a str,
    pub right_delim: &'a str,
    /// Whether a name is a defined function (builtin or registered).
    pub is_function: &'a dyn Fn(&str) -> bool,
}

pub(crate) fn parse(_name: &str, _text: &str, _opts: &ParseOptions<'_>) -> Result<Parsed, Error> {
    unimplemented!()
}

/// Go's `parse.IsEmptyTree`: whether a tree holds nothing but whitespace text.
pub(crate) fn is_empty_tree(_tree: &Tree) -> bool {
    unimplemented!()
}
