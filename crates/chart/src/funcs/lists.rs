//! Sprig's list functions. In Helm, Sprig's `slice` replaces Go's builtin of that name.

use helmpilot_template::{Error, Function, Functions, GoType, List, ListType, Signature, Value};

use super::cast::to_int64;

pub(super) fn register(funcs: &mut Functions) {
    // slice(list interface{}, indices ...interface{}) interface{}
    funcs.insert(
        "slice",
        Function::new(
            Signature::variadic(&[GoType::Any], GoType::Any),
            |_, args| slice(&args[0], &args[1..]),
        ),
    );
}

/// `list[start:end]` with Sprig's rules: indices go through `toInt`, a third index and
/// beyond are ignored, an empty list gives nil, anything but a list is an error. Out of
/// range indices fail the way Go's reflection does.
fn slice(list: &Value, indices: &[Value]) -> Result<Value, Error> {
    let items = match list {
        Value::List(l) => l,
        // Sprig asks reflect for the kind of a nil interface, which panics.
        Value::Nil => {
            return Err(Error::function(
                "runtime error: invalid memory address or nil pointer dereference",
            ))
        }
        other => {
            return Err(Error::function(format!(
                "list should be type of slice or array but {}",
                other.kind_name()
            )))
        }
    };
    if items.is_empty() {
        return Ok(Value::Nil);
    }
    let len = items.len() as i64;
    let start = indices.first().map_or(0, to_int64);
    let end = indices.get(1).map_or(len, to_int64);
    if start < 0 || end < start || end > len {
        return Err(Error::function(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    let part = items.items()[start as usize..end as usize].to_vec();
    Ok(Value::List(match items.list_type() {
        ListType::Interface => List::new(part),
        ListType::String => {
            List::strings(part.iter().filter_map(|v| v.as_str().map(str::to_owned)))
        }
    }))
}
