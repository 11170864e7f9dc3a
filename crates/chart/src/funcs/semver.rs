//! Sprig's `semver` and `semverCompare`, on the Masterminds/semver model in
//! [`crate::semver`].
//!
//! `semver` returns Go's `*semver.Version`, which templates use through its methods
//! (`(semver "1.2.3").Major`, `.IncMinor`, `.LessThan (semver "2.0.0")`). The host object
//! here keeps Go's method sets apart: `IncMajor` and friends return a `semver.Version`
//! *value*, and on a value that is not addressable Go only finds the value-receiver
//! methods, so `(semver "1.2.3").IncMajor.Original` fails as in Helm.
//!
//! Divergence: an argument of the wrong type to `LessThan`/`Compare`/... fails in Go
//! while the arguments are evaluated (`wrong type for value; expected *semver.Version`);
//! here the method reports it, so the message is wrapped as `error calling LessThan: ...`.

use std::sync::Arc;

use helmpilot_template::{
    Error, Function, Functions, GoType, Marshal, Member, Object, Signature, UintType, Value,
};

use super::FunctionEnv;
use crate::semver::{Constraints, Version};

pub(super) fn register(funcs: &mut Functions, _env: &Arc<FunctionEnv>) {
    // semver(version string) (*semver.Version, error)
    funcs.insert(
        "semver",
        Function::new(Signature::fixed(&[GoType::String]), |_, args| {
            let text = args[0].as_str().unwrap_or_default();
            let version = Version::parse(text).map_err(|e| Error::function(e.to_string()))?;
            Ok(SemverObject::pointer(version))
        }),
    );
    // semverCompare(constraint, version string) (bool, error): the constraint is parsed
    // (and reported) first.
    funcs.insert(
        "semverCompare",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::String]),
            |_, args| {
                let constraint = Constraints::parse(args[0].as_str().unwrap_or_default())
                    .map_err(|e| Error::function(e.to_string()))?;
                let version = Version::parse(args[1].as_str().unwrap_or_default())
                    .map_err(|e| Error::function(e.to_string()))?;
                Ok(Value::Bool(constraint.check(&version)))
            },
        ),
    );
}

/// Go's `*semver.Version` (from `semver`) or `semver.Version` (from `IncMajor`, ...).
#[derive(Debug)]
struct SemverObject {
    version: Version,
    /// A pointer has every method; a value only the value-receiver ones.
    pointer: bool,
}

impl SemverObject {
    fn pointer(version: Version) -> Value {
        Value::Object(Arc::new(SemverObject {
            version,
            pointer: true,
        }))
    }

    fn value(version: Version) -> Value {
        Value::Object(Arc::new(SemverObject {
            version,
            pointer: false,
        }))
    }
}

/// Methods declared on `Version` (callable on values and pointers).
const VALUE_METHODS: &[&str] = &[
    "String",
    "Major",
    "Minor",
    "Patch",
    "Prerelease",
    "Metadata",
    "IncPatch",
    "IncMinor",
    "IncMajor",
    "MarshalJSON",
    "MarshalText",
    "Value",
];

/// Methods declared on `*Version` that take another `*Version`.
const COMPARISONS: &[&str] = &[
    "LessThan",
    "LessThanEqual",
    "GreaterThan",
    "GreaterThanEqual",
    "Equal",
    "Compare",
];

impl Object for SemverObject {
    fn type_name(&self) -> &str {
        if self.pointer {
            "*semver.Version"
        } else {
            "semver.Version"
        }
    }

    fn member(&self, name: &str) -> Member {
        if VALUE_METHODS.contains(&name) || (self.pointer && name == "Original") {
            Member::Method(Signature::fixed(&[]))
        } else if matches!(name, "SetPrerelease" | "SetMetadata") {
            Member::Method(Signature::fixed(&[GoType::String]))
        } else if self.pointer && COMPARISONS.contains(&name) {
            Member::Method(Signature::fixed(&[GoType::Any]))
        } else {
            Member::Missing
        }
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let v = &self.version;
        let uint = |n| Value::Uint(n, UintType::Uint64);
        Ok(match name {
            "String" => Value::from(v.to_string()),
            "Original" => Value::from(v.original()),
            "Major" => uint(v.major()),
            "Minor" => uint(v.minor()),
            "Patch" => uint(v.patch()),
            "Prerelease" => Value::from(v.prerelease()),
            "Metadata" => Value::from(v.metadata()),
            // Go panics on overflow; text/template turns the panic into the call's error.
            "IncPatch" => SemverObject::value(v.inc_patch().map_err(|e| e.to_string())?),
            "IncMinor" => SemverObject::value(v.inc_minor().map_err(|e| e.to_string())?),
            "IncMajor" => SemverObject::value(v.inc_major().map_err(|e| e.to_string())?),
            "SetPrerelease" | "SetMetadata" => {
                let text = args.first().and_then(Value::as_str).unwrap_or_default();
                let next = if name == "SetPrerelease" {
                    v.set_prerelease(text)
                } else {
                    v.set_metadata(text)
                };
                SemverObject::value(next.map_err(|e| e.to_string())?)
            }
            // Versions hold only `[0-9A-Za-z.+-]`, which JSON needs no escapes for.
            "MarshalJSON" => Value::Bytes(format!("\"{v}\"").into_bytes().into()),
            "MarshalText" => Value::Bytes(v.to_string().into_bytes().into()),
            "Value" => Value::from(v.to_string()),
            _ if COMPARISONS.contains(&name) => {
                let other = match args.first() {
                    Some(Value::Object(o)) => o
                        .as_any()
                        .and_then(|any| any.downcast_ref::<SemverObject>())
                        .filter(|s| s.pointer)
                        .map(|s| &s.version)
                        .ok_or_else(|| wrong_type(o.type_name()))?,
                    // A nil *Version: `Equal` checks for it, the others dereference it.
                    Some(Value::Nil) | None if name == "Equal" => return Ok(Value::Bool(false)),
                    Some(Value::Nil) | None => {
                        return Err(
                            "runtime error: invalid memory address or nil pointer dereference"
                                .to_string(),
                        )
                    }
                    Some(other) => return Err(wrong_type(&other.type_name())),
                };
                let order = v.compare(other);
                match name {
                    "LessThan" => Value::Bool(order.is_lt()),
                    "LessThanEqual" => Value::Bool(order.is_le()),
                    "GreaterThan" => Value::Bool(order.is_gt()),
                    "GreaterThanEqual" => Value::Bool(order.is_ge()),
                    "Equal" => Value::Bool(order.is_eq()),
                    _ => Value::int(order as i64),
                }
            }
            _ => return Err(format!("{name} is not a method")),
        })
    }

    /// `%v` uses `String()`, which both `Version` and `*Version` have.
    fn format(&self) -> String {
        self.version.to_string()
    }

    fn is_stringer(&self) -> bool {
        true
    }

    /// copystructure copies no unexported field: every part of the copy is zero, so it
    /// prints `0.0.0` and its original text is empty.
    fn deep_copy(&self) -> Option<Value> {
        Some(Value::Object(Arc::new(SemverObject {
            version: Version::default(),
            pointer: self.pointer,
        })))
    }

    /// The unexported fields of Masterminds' `Version`, which `%d` or `%o` print.
    fn struct_fields(&self) -> Option<Vec<Value>> {
        let v = &self.version;
        let uint = |n: u64| Value::Uint(n, UintType::Uint64);
        Some(vec![
            uint(v.major()),
            uint(v.minor()),
            uint(v.patch()),
            Value::from(v.prerelease()),
            Value::from(v.metadata()),
            Value::from(v.original()),
        ])
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    /// `MarshalJSON` and `MarshalText` (value receivers, so both `Version` and
    /// `*Version` have them) give `String()`.
    fn marshal(&self) -> Marshal {
        Marshal::Text(self.version.to_string())
    }
}

fn wrong_type(got: &str) -> String {
    format!("wrong type for value; expected *semver.Version; got {got}")
}
