//! Go's builtin template functions: and, or, not, len, index, slice, print, printf,
//! println, eq, ne, lt, le, gt, ge, html, js, urlquery, call.
//!
//! Most of them take Go `reflect.Value`s, so they see the difference between a missing
//! value and a nil interface; they receive [`Rv`]s. Their error texts are Go's, including
//! the ones Go produces by recovering from a reflection panic.

use crate::error::Error;
use crate::exec::{truth, ParamTypes, Rv, Ty};
use crate::funcs::GoType;
use crate::gofmt;
use crate::value::{List, ListType, UintType, Value};
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    And,
    Or,
    Not,
    Len,
    Index,
    Slice,
    Print,
    Printf,
    Println,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Html,
    Js,
    Urlquery,
    Call,
}

type Result<T> = std::result::Result<T, Error>;

impl Builtin {
    pub(crate) fn lookup(name: &str) -> Option<Builtin> {
        Some(match name {
            "and" => Builtin::And,
            "or" => Builtin::Or,
            "not" => Builtin::Not,
            "len" => Builtin::Len,
            "index" => Builtin::Index,
            "slice" => Builtin::Slice,
            "print" => Builtin::Print,
            "printf" => Builtin::Printf,
            "println" => Builtin::Println,
            "eq" => Builtin::Eq,
            "ne" => Builtin::Ne,
            "lt" => Builtin::Lt,
            "le" => Builtin::Le,
            "gt" => Builtin::Gt,
            "ge" => Builtin::Ge,
            "html" => Builtin::Html,
            "js" => Builtin::Js,
            "urlquery" => Builtin::Urlquery,
            "call" => Builtin::Call,
            _ => return None,
        })
    }

    /// Go's parameter list for each builtin.
    pub(crate) fn signature(self) -> ParamTypes<'static> {
        const REFLECT: &[Ty] = &[Ty::Reflect];
        const TWO_REFLECT: &[Ty] = &[Ty::Reflect, Ty::Reflect];
        const FORMAT: &[Ty] = &[Ty::Go(GoType::String)];
        let (fixed, variadic) = match self {
            Builtin::And
            | Builtin::Or
            | Builtin::Index
            | Builtin::Slice
            | Builtin::Eq
            | Builtin::Call => (REFLECT, Some(Ty::Reflect)),
            Builtin::Not | Builtin::Len => (REFLECT, None),
            Builtin::Ne | Builtin::Lt | Builtin::Le | Builtin::Gt | Builtin::Ge => {
                (TWO_REFLECT, None)
            }
            Builtin::Print | Builtin::Println | Builtin::Html | Builtin::Js | Builtin::Urlquery => {
                (&[][..], Some(Ty::Go(GoType::Any)))
            }
            Builtin::Printf => (FORMAT, Some(Ty::Go(GoType::Any))),
        };
        ParamTypes::Builtin { fixed, variadic }
    }
}

/// Runs a builtin other than `and`, `or` (evaluated lazily by the executor) and `call`.
pub(crate) fn call_builtin(builtin: Builtin, args: Vec<Rv>) -> Result<Rv> {
    let bool_result = |b: Result<bool>| b.map(|b| Rv::Concrete(Value::Bool(b)));
    match builtin {
        Builtin::And | Builtin::Or | Builtin::Call => {
            Err(Error::function("unreachable builtin call"))
        }
        Builtin::Not => Ok(Rv::Concrete(Value::Bool(!args.first().is_some_and(truth)))),
        Builtin::Len => length(&args[0]).map(|n| Rv::Concrete(Value::int(n as i64))),
        Builtin::Index => index(&args[0], &args[1..]),
        Builtin::Slice => slice(&args[0], &args[1..]),
        Builtin::Print => Ok(string_result(gofmt::sprint(&values(args)))),
        Builtin::Println => Ok(string_result(gofmt::sprintln(&values(args)))),
        Builtin::Printf => {
            let mut values = values(args);
            let format = values.remove(0);
            Ok(string_result(gofmt::sprintf(
                format.as_str().unwrap_or_default(),
                &values,
            )))
        }
        Builtin::Eq => bool_result(eq(&args[0], &args[1..])),
        Builtin::Ne => bool_result(eq(&args[0], &args[1..2]).map(|b| !b)),
        Builtin::Lt => bool_result(lt(&args[0], &args[1])),
        Builtin::Le => bool_result(le(&args[0], &args[1])),
        Builtin::Gt => bool_result(le(&args[0], &args[1]).map(|b| !b)),
        Builtin::Ge => bool_result(lt(&args[0], &args[1]).map(|b| !b)),
        Builtin::Html => Ok(string_result(html_escape(&eval_args(args)))),
        Builtin::Js => Ok(string_result(js_escape(&eval_args(args)))),
        Builtin::Urlquery => Ok(string_result(query_escape(&eval_args(args)))),
    }
}

fn values(args: Vec<Rv>) -> Vec<Value> {
    args.into_iter().map(Rv::into_value).collect()
}

fn string_result(s: String) -> Rv {
    Rv::Concrete(Value::from(s))
}

fn err(message: impl Into<String>) -> Error {
    Error::function(message)
}

// ---- len, index, slice ------------------------------------------------------------------

fn length(item: &Rv) -> Result<usize> {
    match item {
        Rv::Boxed(Value::Nil) => Err(err("len of nil pointer")),
        // Go calls Type() on the zero Value, panics, and reports the panic.
        Rv::Invalid => Err(err("reflect: call of reflect.Value.Type on zero Value")),
        Rv::Concrete(v) | Rv::Boxed(v) => match v {
            Value::String(s) => Ok(s.len()),
            Value::Bytes(b) => Ok(b.len()),
            Value::List(l) => Ok(l.len()),
            Value::Map(m) => Ok(m.len()),
            Value::Object(o) if o.map_entries().is_some() => {
                Ok(o.map_entries().map_or(0, |entries| entries.len()))
            }
            Value::Object(o) => match o.iterate() {
                Some(items) => Ok(items.len()),
                // Go's len looks through a pointer before naming the type.
                None => Err(err(format!(
                    "len of type {}",
                    o.type_name().trim_start_matches('*')
                ))),
            },
            _ => Err(err(format!("len of type {}", v.type_name()))),
        },
    }
}

/// Go's `indexArg`: an integer index in `0..=cap`.
fn index_arg(index: &Rv, cap: usize) -> Result<usize> {
    let x: i128 = match index.concrete() {
        Some(Value::Int(n, _)) => (*n).into(),
        Some(Value::Uint(n, _)) => (*n as i64).into(),
        None => return Err(err("cannot index slice/array with nil")),
        Some(other) => {
            return Err(err(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            )))
        }
    };
    if x < 0 || x > cap as i128 {
        return Err(err(format!("index out of range: {x}")));
    }
    Ok(x as usize)
}

fn index(item: &Rv, indexes: &[Rv]) -> Result<Rv> {
    if matches!(item, Rv::Invalid | Rv::Boxed(Value::Nil)) {
        return Err(err("index of untyped nil"));
    }
    let mut item = item.clone();
    for index in indexes {
        let Some(value) = item.concrete() else {
            return Err(err("index of nil pointer"));
        };
        item = match value {
            Value::List(list) => {
                let x = index_arg(index, list.len())?;
                let elem = list
                    .items()
                    .get(x)
                    .ok_or_else(|| err("reflect: slice index out of range"))?;
                if list.list_type() == ListType::Interface {
                    Rv::Boxed(elem.clone())
                } else {
                    Rv::Concrete(elem.clone())
                }
            }
            Value::String(s) => {
                let x = index_arg(index, s.len())?;
                let byte = s
                    .as_bytes()
                    .get(x)
                    .ok_or_else(|| err("reflect: string index out of range"))?;
                Rv::Concrete(Value::Uint((*byte).into(), UintType::Uint8))
            }
            Value::Bytes(b) => {
                let x = index_arg(index, b.len())?;
                let byte = b
                    .get(x)
                    .ok_or_else(|| err("reflect: slice index out of range"))?;
                Rv::Concrete(Value::Uint((*byte).into(), UintType::Uint8))
            }
            Value::Map(map) => {
                let key = match index.concrete() {
                    Some(Value::String(k)) => k.clone(),
                    None => return Err(err("value is nil; should be of type string")),
                    Some(other) => {
                        return Err(err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        )))
                    }
                };
                crate::exec::map_element(map, map.get(&key))
            }
            Value::Object(obj) if obj.map_entries().is_some() => {
                let key = match index.concrete() {
                    Some(Value::String(k)) => k.clone(),
                    None => return Err(err("value is nil; should be of type string")),
                    Some(other) => {
                        return Err(err(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        )))
                    }
                };
                // A missing key reads as the element type's zero value; the only such
                // map type, `map[string][]byte`, has a nil slice for it.
                let found = obj
                    .map_entries()
                    .unwrap_or_default()
                    .into_iter()
                    .find(|(k, _)| *k == key)
                    .map(|(_, v)| v);
                Rv::Concrete(found.unwrap_or_else(|| Value::Bytes(Arc::from(&[][..]))))
            }
            other => {
                return Err(err(format!(
                    "can't index item of type {}",
                    other.type_name()
                )))
            }
        };
    }
    Ok(item)
}

fn slice(item: &Rv, indexes: &[Rv]) -> Result<Rv> {
    let Some(value) = item.concrete() else {
        return Err(err("slice of untyped nil"));
    };
    if indexes.len() > 3 {
        return Err(err(format!("too many slice indexes: {}", indexes.len())));
    }
    let len = match value {
        Value::String(s) => {
            if indexes.len() == 3 {
                return Err(err("cannot 3-index slice a string"));
            }
            s.len()
        }
        Value::List(l) => l.len(),
        Value::Bytes(b) => b.len(),
        other => {
            return Err(err(format!(
                "can't slice item of type {}",
                other.type_name()
            )))
        }
    };
    // Go checks against the capacity, which for the slices we hold equals the length.
    let mut idx = [0, len, len];
    for (i, index) in indexes.iter().enumerate() {
        idx[i] = index_arg(index, len)?;
    }
    if idx[0] > idx[1] {
        return Err(err(format!("invalid slice index: {} > {}", idx[0], idx[1])));
    }
    if indexes.len() == 3 && idx[1] > idx[2] {
        return Err(err(format!("invalid slice index: {} > {}", idx[1], idx[2])));
    }
    let (from, to) = (idx[0], idx[1]);
    Ok(Rv::Concrete(match value {
        // Go slices strings by bytes; a cut through a UTF-8 sequence cannot be held in a
        // Rust string, so the broken bytes become U+FFFD.
        Value::String(s) => {
            Value::from(String::from_utf8_lossy(&s.as_bytes()[from..to]).into_owned())
        }
        Value::Bytes(b) => Value::Bytes(b[from..to].into()),
        Value::List(l) => Value::List(List::typed(l.items()[from..to].to_vec(), l.list_type())),
        _ => Value::Nil,
    }))
}

// ---- comparison ---------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    Invalid,
    Bool,
    Complex,
    Int,
    Float,
    String,
    Uint,
}

fn basic_kind(v: Option<&Value>) -> Kind {
    match v {
        Some(Value::Bool(_)) => Kind::Bool,
        Some(Value::Int(..)) => Kind::Int,
        Some(Value::Uint(..)) => Kind::Uint,
        Some(Value::Float(_)) => Kind::Float,
        Some(Value::Complex(..)) => Kind::Complex,
        Some(Value::String(_)) => Kind::String,
        _ => Kind::Invalid,
    }
}

fn int_of(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Int(n, _)) => *n,
        _ => 0,
    }
}

fn uint_of(v: Option<&Value>) -> u64 {
    match v {
        Some(Value::Uint(n, _)) => *n,
        _ => 0,
    }
}

fn float_of(v: Option<&Value>) -> f64 {
    match v {
        Some(Value::Float(f)) => *f,
        _ => 0.0,
    }
}

fn type_of(v: Option<&Value>) -> String {
    v.map_or_else(|| "<nil>".to_string(), Value::type_name)
}

/// Go's reflect kind identity, for "can these two be compared at all".
fn reflect_kind(v: Option<&Value>) -> &'static str {
    v.map_or("invalid", Value::kind_name)
}

fn is_comparable(v: &Value) -> bool {
    !matches!(
        v,
        Value::List(_) | Value::Map(_) | Value::Bytes(_) | Value::Func(_)
    )
}

fn identical(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            std::ptr::addr_eq(std::sync::Arc::as_ptr(x), std::sync::Arc::as_ptr(y))
        }
        _ => false,
    }
}

fn eq(arg1: &Rv, rest: &[Rv]) -> Result<bool> {
    let a = arg1.concrete();
    if rest.is_empty() {
        return Err(err("missing argument for comparison"));
    }
    let k1 = basic_kind(a);
    for arg in rest {
        let b = arg.concrete();
        let k2 = basic_kind(b);
        let equal = if k1 != k2 {
            // Integers compare across signedness; anything else of different kinds is an
            // error unless one side is nil.
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => int_of(a) >= 0 && int_of(a) as u64 == uint_of(b),
                (Kind::Uint, Kind::Int) => int_of(b) >= 0 && uint_of(a) == int_of(b) as u64,
                _ if a.is_some() && b.is_some() => {
                    return Err(err(format!(
                        "incompatible types for comparison: {} and {}",
                        type_of(a),
                        type_of(b)
                    )))
                }
                _ => false,
            }
        } else {
            match (k1, a, b) {
                (Kind::Bool, Some(Value::Bool(x)), Some(Value::Bool(y))) => x == y,
                (Kind::Complex, Some(Value::Complex(xr, xi)), Some(Value::Complex(yr, yi))) => {
                    xr == yr && xi == yi
                }
                (Kind::Float, ..) => float_of(a) == float_of(b),
                (Kind::Int, ..) => int_of(a) == int_of(b),
                (Kind::Uint, ..) => uint_of(a) == uint_of(b),
                (Kind::String, Some(Value::String(x)), Some(Value::String(y))) => x == y,
                _ => compare_non_basic(a, b)?,
            }
        };
        if equal {
            return Ok(true);
        }
    }
    Ok(false)
}

/// Go's `isNil` in comparisons: no value, or a nil slice or map.
fn is_nil_value(v: Option<&Value>) -> bool {
    match v {
        None | Some(Value::Nil) => true,
        Some(Value::List(l)) => l.is_nil(),
        Some(Value::Map(m)) => m.is_nil(),
        Some(_) => false,
    }
}

fn compare_non_basic(a: Option<&Value>, b: Option<&Value>) -> Result<bool> {
    let (ka, kb) = (reflect_kind(a), reflect_kind(b));
    if ka != kb && a.is_some() && b.is_some() {
        return Err(err(format!(
            "non-comparable types {}: {}, {}: {}",
            sprint_verb("%s", a),
            type_of(a),
            type_of(b),
            sprint_verb("%v", b)
        )));
    }
    let (a_nil, b_nil) = (is_nil_value(a), is_nil_value(b));
    match (a, b) {
        _ if a_nil || b_nil => Ok(a_nil == b_nil),
        (None, _) | (_, None) => Ok(a.is_none() == b.is_none()),
        (Some(x), Some(y)) => {
            if !is_comparable(y) {
                return Err(err(format!(
                    "non-comparable type {}: {}",
                    sprint_verb("%s", b),
                    type_of(b)
                )));
            }
            Ok(identical(x, y))
        }
    }
}

fn sprint_verb(verb: &str, v: Option<&Value>) -> String {
    gofmt::sprintf(verb, &[v.cloned().unwrap_or(Value::Nil)])
}

fn lt(arg1: &Rv, arg2: &Rv) -> Result<bool> {
    let (a, b) = (arg1.concrete(), arg2.concrete());
    let (k1, k2) = (basic_kind(a), basic_kind(b));
    if k1 == Kind::Invalid || k2 == Kind::Invalid {
        return Err(err("invalid type for comparison"));
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(int_of(a) < 0 || (int_of(a) as u64) < uint_of(b)),
            (Kind::Uint, Kind::Int) => Ok(int_of(b) >= 0 && uint_of(a) < int_of(b) as u64),
            _ => Err(err(format!(
                "incompatible types for comparison: {} and {}",
                type_of(a),
                type_of(b)
            ))),
        };
    }
    match (a, b) {
        (Some(Value::Float(x)), Some(Value::Float(y))) => Ok(x < y),
        (Some(Value::Int(x, _)), Some(Value::Int(y, _))) => Ok(x < y),
        (Some(Value::Uint(x, _)), Some(Value::Uint(y, _))) => Ok(x < y),
        (Some(Value::String(x)), Some(Value::String(y))) => Ok(x.as_bytes() < y.as_bytes()),
        _ => Err(err("invalid type for comparison")),
    }
}

fn le(arg1: &Rv, arg2: &Rv) -> Result<bool> {
    if lt(arg1, arg2)? {
        return Ok(true);
    }
    eq(arg1, std::slice::from_ref(arg2))
}

// ---- escapers -----------------------------------------------------------------------

/// Go's `evalArgs`: one string argument as is, anything else printed like `print`, with
/// missing values as `<no value>`.
fn eval_args(args: Vec<Rv>) -> String {
    if let [Rv::Concrete(Value::String(s)) | Rv::Boxed(Value::String(s))] = args.as_slice() {
        return s.to_string();
    }
    let printable: Vec<Value> = args
        .into_iter()
        .map(|arg| match arg.into_value() {
            Value::Nil => Value::from("<no value>"),
            v => v,
        })
        .collect();
    gofmt::sprint(&printable)
}

fn html_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

fn js_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if c.is_ascii() || gofmt::is_print(c) => out.push(c),
            c => out.push_str(&format!("\\u{:04X}", c as u32)),
        }
    }
    out
}

/// Go's `url.QueryEscape`.
fn query_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for &b in s.as_bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

// ---- call ---------------------------------------------------------------------------

/// Go's `reflect.Value.String()`: a string's text, otherwise `<TYPE Value>`.
pub(crate) fn reflect_string(v: &Rv) -> String {
    match v.concrete() {
        Some(Value::String(s)) => s.to_string(),
        Some(other) => format!("<{} Value>", other.type_name()),
        None => "<invalid Value>".to_string(),
    }
}

/// `call fn args...`; `name` is the source text of the function argument.
pub(crate) fn call(name: &str, args: Vec<Rv>) -> Result<Rv> {
    let mut args = args.into_iter();
    let function = args.next().unwrap_or(Rv::Invalid);
    match function.concrete() {
        None => Err(err("call of nil")),
        Some(Value::Func(f)) => {
            let values: Vec<Value> = args.map(Rv::into_value).collect();
            f.call(&values).map(Rv::from_result).map_err(err)
        }
        Some(other) => Err(err(format!(
            "non-function {name} of type {}",
            other.type_name()
        ))),
    }
}
