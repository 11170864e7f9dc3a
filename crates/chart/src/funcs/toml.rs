//! Helm's TOML functions: `toToml`, `mustToToml` and `fromToml`, built on
//! BurntSushi/toml v1.6, reproduced here: its encoder's exact layout ([`encode`]) and
//! its lexer and parser ([`lex`], [`parse`]) with their error texts.
//!
//! Quirks reproduced:
//! - `toToml` returns an encoder error as its result text (`toml: cannot encode array
//!   with nil element`); `mustToToml` fails with it. A nil value at the top fails both
//!   with Go's reflection panic text.
//! - A value that is not a map or struct at the top encodes as a bare TOML value
//!   (`toToml 1` is `1`, `toToml "s"` is `"s"`), except a list of maps, which is an error.
//! - `fromToml` never fails: a syntax error is returned as the only entry of the map,
//!   under the key `Error`. Integers decode as `int64`, floats as `float64`, datetimes as
//!   `time.Time` (see [`datetime`]).
//!
//! Divergences, all outside what charts do: an array of tables decodes as a
//! `[]interface {}` where Go has a `[]map[string]interface {}` (only `typeOf`/`%T` and
//! `deepEqual` can tell); decoded datetimes have no methods (`.Year`) and the date
//! functions do not take them; host objects without an encoding (see
//! [`helmpilot_template::Marshal`]) cannot be encoded; encoding stops at 1000 levels of
//! nesting and 64 MiB of output where Go would exhaust its stack or memory;
//! `unicode.IsLetter` is approximated by `char::is_alphabetic` when the lexer decides
//! whether a bare word is a boolean.

mod datetime;
mod encode;
mod lex;
mod parse;

use std::sync::Arc;

use helmpilot_template::{
    Error, Function, Functions, GoType, List, ListType, Map, Signature, Value,
};

use self::encode::EncodeError;
use self::parse::{ParseFailure, Table, TomlValue};
use super::FunctionEnv;

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    // toToml(v interface{}) string
    funcs.insert(
        "toToml",
        Function::new(
            Signature::fixed(&[GoType::Any]),
            |_, args| match encode::encode(&args[0]) {
                Ok(text) => Ok(Value::from(text)),
                Err(EncodeError::Toml(message)) => Ok(Value::from(message)),
                Err(EncodeError::Panic(message)) => Err(Error::function(message)),
            },
        ),
    );
    // mustToToml(v interface{}) string: Helm panics with the error.
    funcs.insert(
        "mustToToml",
        Function::new(
            Signature::fixed(&[GoType::Any]),
            |_, args| match encode::encode(&args[0]) {
                Ok(text) => Ok(Value::from(text)),
                Err(EncodeError::Toml(message) | EncodeError::Panic(message)) => {
                    Err(Error::function(message))
                }
            },
        ),
    );
    // fromToml(str string) map[string]interface{}
    funcs.insert(
        "fromToml",
        Function::new(Signature::fixed(&[GoType::String]), |_, args| {
            let text = args[0].as_str().unwrap_or_default();
            match parse::parse(text) {
                Ok(table) => Ok(Value::Map(table_value(&table))),
                Err(ParseFailure::Parse(message)) => {
                    let map = Map::new();
                    map.insert("Error", Value::from(message));
                    Ok(Value::Map(map))
                }
                // A panic in Go's parser fails the template call.
                Err(ParseFailure::Bug(message)) => Err(Error::function(message)),
            }
        }),
    );
}

fn table_value(table: &Table) -> Map {
    let map = Map::new();
    for (key, value) in table.borrow().iter() {
        map.insert(key.as_str(), to_value(value));
    }
    map
}

fn to_value(value: &TomlValue) -> Value {
    match value {
        TomlValue::Int(n) => Value::int64(*n),
        TomlValue::Float(f) => Value::Float(*f),
        TomlValue::Str(s) => Value::from(s.as_str()),
        TomlValue::Bool(b) => Value::Bool(*b),
        TomlValue::Time(t) => t.clone().into_value(),
        TomlValue::Array(items) => Value::List(List::new(items.iter().map(to_value).collect())),
        TomlValue::Table(t) => Value::Map(table_value(t)),
        // BurntSushi decodes an array of tables as []map[string]interface {}.
        TomlValue::Tables(tables) => Value::List(List::typed(
            tables.iter().map(|t| Value::Map(table_value(t))).collect(),
            ListType::Maps,
        )),
    }
}
