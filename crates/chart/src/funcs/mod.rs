//! Helm's template functions: Sprig's text function map (without `env` and `expandenv`)
//! plus Helm's own, each with the Go signature Helm registers it with, so argument
//! checks and errors come out as Helm's.
//!
//! Families live in their own modules, as in Sprig's sources; [`cast`] holds the value
//! conversions they share (Sprig's `toInt`, `strval`, ... through spf13/cast).

pub mod cast;
mod defaults;
mod lists;

use helmpilot_template::Functions;

/// The functions implemented so far, under Helm's names.
///
/// ```
/// let funcs = helmpilot_chart::funcs::helm_functions();
/// assert!(funcs.contains("default") && funcs.contains("slice"));
/// ```
pub fn helm_functions() -> Functions {
    let mut funcs = Functions::new();
    defaults::register(&mut funcs);
    lists::register(&mut funcs);
    funcs
}
