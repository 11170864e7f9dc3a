//! The values and parameter types of execution, as Go's reflection distinguishes them.

use crate::funcs::{GoType, Signature};
use crate::value::{IntType, List, ListType, Map, Str, UintType, Value};

/// A value as Go's reflection sees it during execution.
#[derive(Clone, Debug)]
pub(crate) enum Rv {
    /// The zero `reflect.Value`: "no value".
    Invalid,
    /// A value whose static type is its own type.
    Concrete(Value),
    /// A value held in an `interface {}`; `Boxed(Value::Nil)` is the nil interface.
    Boxed(Value),
}

impl Rv {
    /// The value a function parameter of type `interface {}` receives.
    pub(crate) fn into_value(self) -> Value {
        match self {
            Rv::Invalid => Value::Nil,
            Rv::Concrete(v) | Rv::Boxed(v) => v,
        }
    }

    /// Go's `indirectInterface`: the concrete value, or `None` for invalid and nil.
    pub(crate) fn concrete(&self) -> Option<&Value> {
        match self {
            Rv::Invalid | Rv::Boxed(Value::Nil) => None,
            Rv::Concrete(v) | Rv::Boxed(v) => Some(v),
        }
    }

    /// What a function result becomes: a nil result is a nil interface.
    pub(crate) fn from_result(value: Value) -> Rv {
        match value {
            Value::Nil => Rv::Boxed(Value::Nil),
            v => Rv::Concrete(v),
        }
    }

    /// What data handed to `Execute` becomes (`reflect.ValueOf(data)`).
    pub(super) fn from_data(value: &Value) -> Rv {
        match value {
            Value::Nil => Rv::Invalid,
            v => Rv::Concrete(v.clone()),
        }
    }

    /// The static type name Go reports in "can't evaluate field" and type errors.
    pub(super) fn static_type(&self) -> String {
        match self {
            Rv::Invalid => "<nil>".to_string(),
            Rv::Boxed(_) => "interface {}".to_string(),
            Rv::Concrete(v) => v.type_name(),
        }
    }
}

/// Go's truth of a value after `indirectInterface`.
pub(crate) fn truth(v: &Rv) -> bool {
    v.concrete().is_some_and(Value::is_true)
}

/// A parameter type: a Go type, or `reflect.Value` (builtins that see values raw).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Ty {
    Reflect,
    Go(GoType),
}

impl Ty {
    pub(super) fn name(self) -> &'static str {
        match self {
            Ty::Reflect => "reflect.Value",
            Ty::Go(t) => t.go_name(),
        }
    }

    pub(super) fn can_be_nil(self) -> bool {
        match self {
            Ty::Go(GoType::Named(name)) => name.starts_with('*'),
            Ty::Go(
                GoType::String
                | GoType::Bool
                | GoType::Int
                | GoType::Int64
                | GoType::Uint32
                | GoType::Float64,
            ) => false,
            _ => true,
        }
    }

    /// `reflect.Zero(typ)` for the types that can be nil.
    pub(super) fn zero(self) -> Rv {
        match self {
            Ty::Reflect => Rv::Invalid,
            Ty::Go(GoType::List) => Rv::Concrete(Value::List(List::new(Vec::new()))),
            Ty::Go(GoType::StringList) => {
                Rv::Concrete(Value::List(List::strings(Vec::<Str>::new())))
            }
            Ty::Go(GoType::Map) => Rv::Concrete(Value::Map(Map::nil())),
            Ty::Go(_) => Rv::Boxed(Value::Nil),
        }
    }

    /// Go's `AssignableTo` for a concrete value.
    pub(super) fn accepts(self, v: &Value) -> bool {
        match self {
            Ty::Reflect | Ty::Go(GoType::Any) => true,
            Ty::Go(GoType::String) => matches!(v, Value::String(_)),
            Ty::Go(GoType::Bool) => matches!(v, Value::Bool(_)),
            Ty::Go(GoType::Int) => matches!(v, Value::Int(_, IntType::Int)),
            Ty::Go(GoType::Int64) => matches!(v, Value::Int(_, IntType::Int64)),
            Ty::Go(GoType::Float64) => matches!(v, Value::Float(_)),
            Ty::Go(GoType::List) => {
                matches!(v, Value::List(l) if l.list_type() == ListType::Interface)
            }
            Ty::Go(GoType::StringList) => {
                matches!(v, Value::List(l) if l.list_type() == ListType::String)
            }
            // A named map type (`common.Values`) is assignable to its unnamed underlying
            // type; a map of another element type is not.
            Ty::Go(GoType::Map) => {
                matches!(v, Value::Map(m) if m.type_name() != "map[string]string")
            }
            Ty::Go(GoType::Uint32) => matches!(v, Value::Uint(_, UintType::Uint32)),
            Ty::Go(GoType::Named(name)) => matches!(v, Value::Object(o) if o.type_name() == name),
        }
    }
}

/// The element of `map` under a key, as Go's `MapIndex` under `missingkey=zero` gives it:
/// an `interface {}` (nil when missing), or for a `map[string]string` a plain string ("").
pub(crate) fn map_element(map: &Map, value: Option<Value>) -> Rv {
    if map.holds_strings() {
        Rv::Concrete(value.unwrap_or_else(|| Value::from("")))
    } else {
        Rv::Boxed(value.unwrap_or(Value::Nil))
    }
}

/// A list element: an `interface {}` for `[]interface {}`, a plain string for `[]string`.
pub(super) fn element(item: &Value, boxed: bool) -> Rv {
    if boxed {
        Rv::Boxed(item.clone())
    } else {
        Rv::Concrete(item.clone())
    }
}

/// Parameter types of a callee, borrowed so a call allocates nothing to describe them.
#[derive(Clone, Copy)]
pub(crate) enum ParamTypes<'a> {
    Builtin {
        fixed: &'static [Ty],
        variadic: Option<Ty>,
    },
    Go(&'a Signature),
}

impl ParamTypes<'_> {
    pub(super) fn fixed_len(self) -> usize {
        match self {
            ParamTypes::Builtin { fixed, .. } => fixed.len(),
            ParamTypes::Go(sig) => sig.params.len(),
        }
    }

    pub(super) fn is_variadic(self) -> bool {
        match self {
            ParamTypes::Builtin { variadic, .. } => variadic.is_some(),
            ParamTypes::Go(sig) => sig.variadic.is_some(),
        }
    }

    /// The type of argument `i`: a fixed parameter, or the variadic element type.
    pub(super) fn param(self, i: usize) -> Option<Ty> {
        match self {
            ParamTypes::Builtin { fixed, variadic } => fixed.get(i).copied().or(variadic),
            ParamTypes::Go(sig) => sig.params.get(i).copied().or(sig.variadic).map(Ty::Go),
        }
    }
}
