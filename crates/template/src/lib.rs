//! Go's `text/template`, in Rust, faithful to Go's behaviour down to error texts.
//!
//! This is the language core of helmpilot's chart renderer: lexing, parsing (a tree with
//! byte positions), execution and Go's `fmt` printing. Helm's functions (Sprig and Helm's
//! own) plug in through [`Functions`]; host objects such as `.Files` through [`Object`].
//!
//! ```
//! use helmpilot_template::{Templates, Value};
//! let mut set = Templates::new();
//! set.parse("greeting", "{{ range . }}hi {{ . }} {{ end }}").unwrap();
//! let data = Value::from(vec![Value::from("a"), Value::from("b")]);
//! assert_eq!(set.execute("greeting", &data).unwrap(), "hi a hi b ");
//! ```

pub mod ast;
mod ast_fmt;
mod builtins;
mod error;
mod exec;
mod funcs;
pub mod gofmt;
pub mod helm_error;
#[cfg(feature = "json")]
mod json;
mod lex;
mod literal;
mod parse;
mod template;
mod value;

pub use error::{Error, ErrorInfo, ErrorKind, Location};
pub use funcs::{CallContext, CallSite, Function, Functions, GoType, Signature};
pub use helm_error::{helm_error_text, remove_no_value};
pub use template::{Limits, MissingKey, Templates};
pub use value::{
    Callable, IntType, List, ListType, Map, Marshal, Member, Object, Str, UintType, Value,
};
