//! Host objects for the time values templates handle: `time.Time` (from `now`,
//! `toDate`, `dateModify`), `time.Duration` (from `Time.Sub`), `time.Month`,
//! `time.Weekday` and `*time.Location`. Each prints as Go's `String()` does and offers
//! the methods charts call on it.

use std::cmp::Ordering;
use std::sync::Arc;

use helmpilot_template::{GoType, IntType, Marshal, Member, Object, Signature, UintType, Value};

use super::duration::{self, duration_string};
use super::layout::format;
use super::time::{Location, Time, DAY_NAMES, MONTH_NAMES, NANOS_PER_SECOND, UNIX_TO_INTERNAL};

/// The layout of Go's `Time.String()`.
const STRING_LAYOUT: &str = "2006-01-02 15:04:05.999999999 -0700 MST";

/// `time.RFC3339Nano`, the text every encoder writes for a `time.Time`.
const RFC3339_NANO: &str = "2006-01-02T15:04:05.999999999Z07:00";

/// A `time.Time`, with the render's `time.Local` for its `Local` method.
#[derive(Debug)]
pub(crate) struct TimeObject {
    time: Time,
    local: Location,
}

impl TimeObject {
    pub(crate) fn value(time: Time, local: &Location) -> Value {
        Value::Object(Arc::new(TimeObject {
            time,
            local: local.clone(),
        }))
    }

    /// Another time from the same render.
    fn derived(&self, time: Time) -> Value {
        TimeObject::value(time, &self.local)
    }
}

/// The `time.Time` a value holds, if it holds one.
pub(crate) fn as_time(value: &Value) -> Option<&Time> {
    match value {
        Value::Object(o) => o.as_any()?.downcast_ref::<TimeObject>().map(|t| &t.time),
        _ => None,
    }
}

/// Go's error for a parameter of type `time.Time` given something else (method
/// arguments, which the engine does not type-check for host types).
pub(crate) fn expected_time(value: &Value) -> String {
    match value {
        Value::Nil => "cannot assign nil to time.Time".to_string(),
        other => format!(
            "wrong type for value; expected time.Time; got {}",
            other.type_name()
        ),
    }
}

/// A `time.Duration` argument: an integer constant or a `Duration` value.
fn as_duration(value: &Value) -> Result<i64, String> {
    match value {
        Value::Int(n, _) => Ok(*n),
        Value::Object(o) => o
            .as_any()
            .and_then(|any| any.downcast_ref::<DurationObject>())
            .map(|d| d.0)
            .ok_or_else(|| {
                format!(
                    "wrong type for value; expected time.Duration; got {}",
                    o.type_name()
                )
            }),
        other => Err(format!(
            "wrong type for value; expected time.Duration; got {}",
            other.type_name()
        )),
    }
}

fn int(n: i64) -> Value {
    Value::Int(n, IntType::Int)
}

fn int64(n: i64) -> Value {
    Value::Int(n, IntType::Int64)
}

impl Object for TimeObject {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn member(&self, name: &str) -> Member {
        let signature = match name {
            "String" | "Unix" | "UnixMilli" | "UnixMicro" | "UnixNano" | "UTC" | "Local"
            | "Year" | "Month" | "Day" | "Hour" | "Minute" | "Second" | "Nanosecond"
            | "YearDay" | "Weekday" | "IsZero" | "IsDST" | "Location" => Signature::fixed(&[]),
            "Format" => Signature::fixed(&[GoType::String]),
            "AddDate" => Signature::fixed(&[GoType::Int, GoType::Int, GoType::Int]),
            "Add" | "Sub" | "Before" | "After" | "Equal" | "Compare" | "Round" | "Truncate"
            | "In" => Signature::fixed(&[GoType::Any]),
            _ => return Member::Missing,
        };
        Member::Method(signature)
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let t = &self.time;
        let arg = args.first().unwrap_or(&Value::Nil);
        let other_time = || as_time(arg).ok_or_else(|| expected_time(arg));
        let nanos =
            || i128::from(t.unix()) * i128::from(NANOS_PER_SECOND) + i128::from(t.nanosecond());
        Ok(match name {
            "String" => Value::from(format(t, STRING_LAYOUT)),
            "Format" => Value::from(format(t, arg.as_str().unwrap_or_default())),
            "Unix" => int64(t.unix()),
            // Go multiplies in int64 and wraps; truncating the exact value does the same.
            "UnixMilli" => int64((nanos().div_euclid(1_000_000)) as i64),
            "UnixMicro" => int64((nanos().div_euclid(1_000)) as i64),
            "UnixNano" => int64(nanos() as i64),
            "UTC" => self.derived(t.with_location(Location::Utc)),
            "Local" => self.derived(t.with_location(self.local.clone())),
            "In" => match arg {
                Value::Object(o) => {
                    match o.as_any().and_then(|a| a.downcast_ref::<LocationObject>()) {
                        Some(loc) => self.derived(t.with_location(loc.0.clone())),
                        None => {
                            return Err(format!(
                                "wrong type for value; expected *time.Location; got {}",
                                o.type_name()
                            ))
                        }
                    }
                }
                // Go panics on a nil location; the template call reports it.
                Value::Nil => return Err("time: missing Location in call to Time.In".to_string()),
                other => {
                    return Err(format!(
                        "wrong type for value; expected *time.Location; got {}",
                        other.type_name()
                    ))
                }
            },
            "Year" => int(t.fields().year),
            "Month" => MonthObject::value(t.fields().month),
            "Day" => int(t.fields().day.into()),
            "Hour" => int(t.fields().hour.into()),
            "Minute" => int(t.fields().minute.into()),
            "Second" => int(t.fields().second.into()),
            "Nanosecond" => int(t.nanosecond().into()),
            "YearDay" => int(t.fields().yday.into()),
            "Weekday" => WeekdayObject::value(t.fields().weekday),
            "IsZero" => Value::Bool(t.is_zero()),
            "IsDST" => Value::Bool(t.is_dst()),
            "Location" => Value::Object(Arc::new(LocationObject(t.location().clone()))),
            "AddDate" => {
                let n = |i: usize| match args.get(i) {
                    Some(Value::Int(n, _)) => *n,
                    _ => 0,
                };
                self.derived(t.add_date(n(0), n(1), n(2)))
            }
            "Add" => self.derived(t.add(as_duration(arg)?)),
            "Round" => self.derived(t.round(as_duration(arg)?, true)),
            "Truncate" => self.derived(t.round(as_duration(arg)?, false)),
            "Sub" => DurationObject::value(t.sub(other_time()?)),
            "Before" => Value::Bool(t.compare(other_time()?) == Ordering::Less),
            "After" => Value::Bool(t.compare(other_time()?) == Ordering::Greater),
            "Equal" => Value::Bool(t.compare(other_time()?) == Ordering::Equal),
            "Compare" => int(t.compare(other_time()?) as i64),
            _ => return Err(format!("{name} is not a method")),
        })
    }

    /// Go's `Time.String()`. Go appends the monotonic clock reading (` m=+0.012345678`)
    /// to times from `time.Now`; an injected clock has none, so it is left out.
    fn format(&self) -> String {
        format(&self.time, STRING_LAYOUT)
    }

    /// The text above is Go's `String()` method.
    fn is_stringer(&self) -> bool {
        true
    }

    /// Go's internal fields `{wall ext loc}`, which the integer verbs print. Without a
    /// monotonic reading `wall` holds the nanoseconds and `ext` the seconds since year 1;
    /// `loc` is nil for UTC. For any other location Go prints the pointer's address,
    /// which differs between processes: the time's text stands in.
    fn struct_fields(&self) -> Option<Vec<Value>> {
        if !matches!(self.time.location(), Location::Utc) {
            return None;
        }
        Some(vec![
            Value::Uint(self.time.nanosecond().into(), UintType::Uint64),
            Value::int64(self.time.unix().wrapping_add(UNIX_TO_INTERNAL)),
            // The nil *Location: `0` under the integer verbs.
            Value::Uint(0, UintType::Uintptr),
        ])
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn marshal(&self) -> Marshal {
        Marshal::Time(format(&self.time, RFC3339_NANO))
    }
}

/// A `time.Duration` (nanoseconds).
#[derive(Debug)]
pub(crate) struct DurationObject(pub(crate) i64);

impl DurationObject {
    pub(crate) fn value(nanos: i64) -> Value {
        Value::Object(Arc::new(DurationObject(nanos)))
    }
}

impl Object for DurationObject {
    fn type_name(&self) -> &str {
        "time.Duration"
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "String" | "Hours" | "Minutes" | "Seconds" | "Milliseconds" | "Microseconds"
            | "Nanoseconds" | "Abs" => Member::Method(Signature::fixed(&[])),
            "Round" | "Truncate" => Member::Method(Signature::fixed(&[GoType::Any])),
            _ => Member::Missing,
        }
    }

    fn call_method(&self, name: &str, args: &[Value]) -> Result<Value, String> {
        let d = self.0;
        // Whole units and the remainder, as Go splits them to keep float precision.
        let split = |unit: i64| (d / unit) as f64 + (d % unit) as f64 / unit as f64;
        Ok(match name {
            "String" => Value::from(duration_string(d)),
            "Hours" => Value::Float(split(3_600 * NANOS_PER_SECOND)),
            "Minutes" => Value::Float(split(60 * NANOS_PER_SECOND)),
            "Seconds" => Value::Float(split(NANOS_PER_SECOND)),
            "Milliseconds" => int64(d / 1_000_000),
            "Microseconds" => int64(d / 1_000),
            "Nanoseconds" => int64(d),
            "Abs" => DurationObject::value(if d == i64::MIN { i64::MAX } else { d.abs() }),
            "Round" => DurationObject::value(duration::round(
                d,
                as_duration(args.first().unwrap_or(&Value::Nil))?,
            )),
            "Truncate" => DurationObject::value(duration::truncate(
                d,
                as_duration(args.first().unwrap_or(&Value::Nil))?,
            )),
            _ => return Err(format!("{name} is not a method")),
        })
    }

    fn format(&self) -> String {
        duration_string(self.0)
    }

    /// The text above is Go's `String()` method.
    fn is_stringer(&self) -> bool {
        true
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    fn marshal(&self) -> Marshal {
        Marshal::Duration {
            nanos: self.0,
            text: duration_string(self.0),
        }
    }
}

/// A `time.Month`, printed by name.
#[derive(Debug)]
struct MonthObject(u8);

impl MonthObject {
    fn value(month: u8) -> Value {
        Value::Object(Arc::new(MonthObject(month)))
    }
}

impl Object for MonthObject {
    fn type_name(&self) -> &str {
        "time.Month"
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "String" => Member::Method(Signature::fixed(&[])),
            _ => Member::Missing,
        }
    }

    fn call_method(&self, _: &str, _: &[Value]) -> Result<Value, String> {
        Ok(Value::from(self.format()))
    }

    fn format(&self) -> String {
        MONTH_NAMES[usize::from(self.0.clamp(1, 12)) - 1].to_string()
    }

    /// The text above is Go's `String()` method.
    fn is_stringer(&self) -> bool {
        true
    }

    /// An `int` to the encoders, which do not look at `String()`.
    fn marshal(&self) -> Marshal {
        Marshal::Int(self.0.into())
    }
}

/// A `time.Weekday`, printed by name.
#[derive(Debug)]
struct WeekdayObject(u8);

impl WeekdayObject {
    fn value(day: u8) -> Value {
        Value::Object(Arc::new(WeekdayObject(day)))
    }
}

impl Object for WeekdayObject {
    fn type_name(&self) -> &str {
        "time.Weekday"
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "String" => Member::Method(Signature::fixed(&[])),
            _ => Member::Missing,
        }
    }

    fn call_method(&self, _: &str, _: &[Value]) -> Result<Value, String> {
        Ok(Value::from(self.format()))
    }

    fn format(&self) -> String {
        DAY_NAMES[usize::from(self.0 % 7)].to_string()
    }

    /// The text above is Go's `String()` method.
    fn is_stringer(&self) -> bool {
        true
    }

    /// An `int` to the encoders, which do not look at `String()`.
    fn marshal(&self) -> Marshal {
        Marshal::Int(self.0.into())
    }
}

/// A `*time.Location`, printed by name (`Local`, `UTC`, `America/New_York`).
#[derive(Debug)]
struct LocationObject(Location);

impl Object for LocationObject {
    fn type_name(&self) -> &str {
        "*time.Location"
    }

    fn member(&self, name: &str) -> Member {
        match name {
            "String" => Member::Method(Signature::fixed(&[])),
            _ => Member::Missing,
        }
    }

    fn call_method(&self, _: &str, _: &[Value]) -> Result<Value, String> {
        Ok(Value::from(self.0.name()))
    }

    fn format(&self) -> String {
        self.0.name().to_string()
    }

    /// The text above is Go's `String()` method.
    fn is_stringer(&self) -> bool {
        true
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    /// A pointer to a struct without exported fields: `{}` in JSON and YAML, an empty
    /// table in TOML.
    fn marshal(&self) -> Marshal {
        Marshal::Struct(Vec::new())
    }
}
