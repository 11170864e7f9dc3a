//! Sprig's date functions: `date`, `dateInZone`, `htmlDate`, `htmlDateInZone`, `now`,
//! `ago`, `toDate`, `dateModify`, `duration`, `durationRound`, `unixEpoch` (with the
//! `must` variants and snake_case aliases), on a model of Go's `time` package: its
//! layouts ([`layout`]), durations ([`duration`]), and `time.Time` with its locations
//! ([`time`]), exposed to templates as host objects ([`objects`]).
//!
//! Go quirks reproduced:
//! - `date` and friends take `time.Time`, `int`, `int32` and `int64` (Unix seconds);
//!   anything else, a float from values included, silently means "now".
//! - `dateInZone` with an unknown zone formats in UTC; zone names are case-sensitive.
//! - `toDate` returns the zero time (`0001-01-01 00:00:00 +0000 UTC`) when parsing
//!   fails, `mustToDate` Go's parse error; `dateModify` returns the time unchanged for a
//!   bad duration, `mustDateModify` the error.
//! - `duration` only understands strings and `int64`: `duration 90` (an `int`) is `0s`.
//! - `durationRound` rounds down to the largest unit exceeded (`y` = 365 days, `mo` =
//!   30 days), so exactly one year prints as `12mo`.
//!
//! Determinism: Helm reads the system clock for `now`, for `date` given a non-time, and
//! for `ago`/`durationRound` of a time; here they all read the injected clock
//! ([`FunctionEnv::now`]), and "Local" is [`FunctionEnv::local_zone`]. Go prints the
//! monotonic clock reading of `time.Now()` values (`... +0000 UTC m=+0.034353436`); that
//! number is meaningless for an injected clock, so `now` prints without it.
//!
//! Zone rules come from jiff with its bundled IANA database (`tzdb-bundle-always`) rather
//! than the host's `/usr/share/zoneinfo` that Go reads: a render gives the same bytes on
//! every machine, including ones without tzdata (minimal containers). jiff is maintained,
//! follows the IANA releases and gives the abbreviations and offsets Go's formatting
//! needs.
//!
//! Divergences: `time.Time` methods with several results (`Date`, `Clock`, `Zone`) are not offered;
//! and parsing a zone abbreviation in a non-UTC local zone considers the zones around
//! the parsed time rather than every zone in the tzdata (see [`time::Location`]).

mod duration;
mod layout;
mod objects;
pub(crate) mod time;

use crate::funcs::cast::str_arg;
use std::sync::Arc;

use helmpilot_template::{Error, Function, Functions, GoType, IntType, Signature, Value};

use self::duration::{duration_string, parse_duration};
use self::layout::{format, parse_in_location};
use self::objects::{as_time, expected_time, TimeObject};
use self::time::{Location, Time, NANOS_PER_SECOND};
use super::FunctionEnv;

/// Go's `time.Parse(time.RFC3339, text)`, for its error text (`parsing time "x" as
/// "2006-01-02T15:04:05Z07:00": cannot parse ...`): how `time.Time.UnmarshalJSON`
/// rejects a Chart.lock's `generated`.
pub(crate) fn parse_rfc3339(text: &str) -> Result<(), String> {
    parse_in_location("2006-01-02T15:04:05Z07:00", text, &Location::Utc)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Go's `time.Parse(time.RFC3339, text)` as an instant, for `--now`.
pub(crate) fn parse_rfc3339_instant(text: &str) -> Result<super::Timestamp, String> {
    let time = parse_in_location("2006-01-02T15:04:05Z07:00", text, &Location::Utc)
        .map_err(|e| e.to_string())?;
    Ok(super::Timestamp {
        unix_seconds: time.unix(),
        nanos: time.nanosecond(),
    })
}

/// The injected clock and local zone of a render.
struct Clock {
    now: super::Timestamp,
    local: Location,
}

impl Clock {
    /// `time.Now()`, in the local zone.
    fn now(&self) -> Time {
        Time::from_unix(
            self.now.unix_seconds,
            i64::from(self.now.nanos),
            self.local.clone(),
        )
    }

    fn value(&self, time: Time) -> Value {
        TimeObject::value(time, &self.local)
    }

    /// Sprig's `dateInZone`: the time a loosely typed argument stands for, formatted in
    /// the named zone (UTC when the name is unknown).
    fn date_in_zone(&self, layout: &str, date: &Value, zone: &str) -> String {
        let time = match date {
            Value::Int(n, IntType::Int | IntType::Int32 | IntType::Int64) => {
                Time::from_unix(*n, 0, self.local.clone())
            }
            other => as_time(other).cloned().unwrap_or_else(|| self.now()),
        };
        let loc = Location::load(zone, &self.local).unwrap_or(Location::Utc);
        format(&time.with_location(loc), layout)
    }
}

/// A `time.Time` parameter: the engine admits only host objects of that type, with Go's
/// argument errors.
const TIME: GoType = GoType::Named("time.Time");

fn time_arg(value: &Value) -> Result<&Time, Error> {
    as_time(value).ok_or_else(|| Error::function(expected_time(value)))
}

pub(super) fn register(funcs: &mut Functions, env: &Arc<FunctionEnv>) {
    let clock = Arc::new(Clock {
        now: env.now,
        local: Location::local(&env.local_zone),
    });

    // date(fmt string, date interface{}) string
    let c = Arc::clone(&clock);
    funcs.insert(
        "date",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::Any]),
            move |_, args| {
                Ok(Value::from(c.date_in_zone(
                    str_arg(&args[0]),
                    &args[1],
                    "Local",
                )))
            },
        ),
    );
    // dateInZone(fmt string, date interface{}, zone string) string
    for name in ["dateInZone", "date_in_zone"] {
        let c = Arc::clone(&clock);
        funcs.insert(
            name,
            Function::new(
                Signature::fixed(&[GoType::String, GoType::Any, GoType::String]),
                move |_, args| {
                    Ok(Value::from(c.date_in_zone(
                        str_arg(&args[0]),
                        &args[1],
                        str_arg(&args[2]),
                    )))
                },
            ),
        );
    }
    // htmlDate(date interface{}) string
    let c = Arc::clone(&clock);
    funcs.insert(
        "htmlDate",
        Function::new(Signature::fixed(&[GoType::Any]), move |_, args| {
            Ok(Value::from(c.date_in_zone("2006-01-02", &args[0], "Local")))
        }),
    );
    // htmlDateInZone(date interface{}, zone string) string
    let c = Arc::clone(&clock);
    funcs.insert(
        "htmlDateInZone",
        Function::new(
            Signature::fixed(&[GoType::Any, GoType::String]),
            move |_, args| {
                Ok(Value::from(c.date_in_zone(
                    "2006-01-02",
                    &args[0],
                    str_arg(&args[1]),
                )))
            },
        ),
    );
    // now() time.Time
    let c = Arc::clone(&clock);
    funcs.insert(
        "now",
        Function::new(Signature::fixed(&[]), move |_, _| Ok(c.value(c.now()))),
    );
    // dateModify(fmt string, date time.Time) time.Time: a bad duration leaves the time
    // as it is.
    for name in ["dateModify", "date_modify"] {
        let c = Arc::clone(&clock);
        funcs.insert(
            name,
            Function::new(Signature::fixed(&[GoType::String, TIME]), move |_, args| {
                let time = time_arg(&args[1])?;
                Ok(c.value(match parse_duration(str_arg(&args[0])) {
                    Ok(d) => time.add(d),
                    Err(_) => time.clone(),
                }))
            }),
        );
    }
    // mustDateModify(fmt string, date time.Time) (time.Time, error)
    for name in ["mustDateModify", "must_date_modify"] {
        let c = Arc::clone(&clock);
        funcs.insert(
            name,
            Function::new(Signature::fixed(&[GoType::String, TIME]), move |_, args| {
                let time = time_arg(&args[1])?;
                let d = parse_duration(str_arg(&args[0])).map_err(Error::function)?;
                Ok(c.value(time.add(d)))
            }),
        );
    }
    // toDate(fmt, str string) time.Time: the zero time when the text does not parse.
    let c = Arc::clone(&clock);
    funcs.insert(
        "toDate",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::String]),
            move |_, args| {
                let parsed = parse_in_location(str_arg(&args[0]), str_arg(&args[1]), &c.local);
                Ok(c.value(parsed.unwrap_or_else(|_| Time::zero())))
            },
        ),
    );
    // mustToDate(fmt, str string) (time.Time, error)
    let c = Arc::clone(&clock);
    funcs.insert(
        "mustToDate",
        Function::new(
            Signature::fixed(&[GoType::String, GoType::String]),
            move |_, args| {
                parse_in_location(str_arg(&args[0]), str_arg(&args[1]), &c.local)
                    .map(|t| c.value(t))
                    .map_err(|e| Error::function(e.to_string()))
            },
        ),
    );
    // unixEpoch(date time.Time) string
    funcs.insert(
        "unixEpoch",
        Function::new(Signature::fixed(&[TIME]), |_, args| {
            Ok(Value::from(time_arg(&args[0])?.unix().to_string()))
        }),
    );
    // ago(date interface{}) string: time.Since(date) to the second; `int32` is not
    // among the types Sprig converts here.
    let c = Arc::clone(&clock);
    funcs.insert(
        "ago",
        Function::new(Signature::fixed(&[GoType::Any]), move |_, args| {
            let now = c.now();
            let then = match &args[0] {
                Value::Int(n, IntType::Int | IntType::Int64) => {
                    Time::from_unix(*n, 0, c.local.clone())
                }
                other => as_time(other).cloned().unwrap_or_else(|| now.clone()),
            };
            let since = duration::round(now.sub(&then), NANOS_PER_SECOND);
            Ok(Value::from(duration_string(since)))
        }),
    );
    // duration(sec interface{}) string: seconds from a string or an int64 only.
    funcs.insert(
        "duration",
        Function::new(Signature::fixed(&[GoType::Any]), |_, args| {
            let seconds = match &args[0] {
                Value::String(s) => parse_int_clamped(s),
                Value::Int(n, IntType::Int64) => *n,
                _ => 0,
            };
            // Go multiplies in int64, wrapping on overflow.
            Ok(Value::from(duration_string(
                seconds.wrapping_mul(NANOS_PER_SECOND),
            )))
        }),
    );
    // durationRound(duration interface{}) string
    let c = Arc::clone(&clock);
    funcs.insert(
        "durationRound",
        Function::new(Signature::fixed(&[GoType::Any]), move |_, args| {
            let nanos = match &args[0] {
                Value::String(s) => parse_duration(s).unwrap_or(0),
                Value::Int(n, IntType::Int64) => *n,
                other => as_time(other).map_or(0, |t| c.now().sub(t)),
            };
            Ok(Value::from(round_coarsely(nanos)))
        }),
    );
}

/// Go's `strconv.ParseInt(s, 10, 64)` as Sprig uses it, ignoring the error: a syntax
/// error gives 0, a value out of range the nearest limit.
fn parse_int_clamped(s: &str) -> i64 {
    let (negative, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return 0;
    }
    let magnitude = digits.parse::<u128>().unwrap_or(u128::MAX);
    let signed = if negative {
        -(magnitude.min(1 << 63) as i128)
    } else {
        magnitude.min(i64::MAX as u128) as i128
    };
    signed as i64
}

/// Sprig's `durationRound`: the count of the largest unit the duration exceeds (years of
/// 365 days, months of 30 days, days, hours, minutes, seconds), sign dropped.
fn round_coarsely(nanos: i64) -> String {
    const SECOND: u64 = 1_000_000_000;
    const MINUTE: u64 = 60 * SECOND;
    const HOUR: u64 = 60 * MINUTE;
    const DAY: u64 = 24 * HOUR;
    const MONTH: u64 = 30 * DAY;
    const YEAR: u64 = 365 * DAY;
    let u = nanos.unsigned_abs();
    for (unit, suffix) in [
        (YEAR, "y"),
        (MONTH, "mo"),
        (DAY, "d"),
        (HOUR, "h"),
        (MINUTE, "m"),
        (SECOND, "s"),
    ] {
        if u > unit {
            return format!("{}{suffix}", u / unit);
        }
    }
    "0s".to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::funcs::{helm_functions_with, Timestamp};
    use helmpilot_template::Templates;

    fn render_at(now: Timestamp, zone: &str, text: &str) -> String {
        let env = FunctionEnv {
            now,
            local_zone: zone.to_string(),
            ..FunctionEnv::default()
        };
        let mut set = Templates::with_functions(helm_functions_with(env));
        set.parse("t", text).unwrap();
        set.execute("t", &Value::Nil).unwrap()
    }

    fn render(text: &str) -> String {
        // 2024-03-05T10:11:12.5Z
        let now = Timestamp {
            unix_seconds: 1_709_633_472,
            nanos: 500_000_000,
        };
        render_at(now, "UTC", text)
    }

    #[test]
    fn now_reads_the_injected_clock() {
        assert_eq!(render("{{ now }}"), "2024-03-05 10:11:12.5 +0000 UTC");
        assert_eq!(render("{{ now | unixEpoch }}"), "1709633472");
        assert_eq!(
            render("{{ now.Unix }} {{ now.Year }} {{ now.Month }} {{ now.Weekday }}"),
            "1709633472 2024 March Tuesday"
        );
        assert_eq!(
            render(r#"{{ now | date "2006-01-02T15:04:05.000Z07:00" }}"#),
            "2024-03-05T10:11:12.500Z"
        );
        assert_eq!(
            render(r#"{{ htmlDate now }} {{ htmlDate .nope }} {{ date "15:04" 1.5 }}"#),
            "2024-03-05 2024-03-05 10:11"
        );
        assert_eq!(
            render("{{ now.Location }} {{ now.UTC.Location }} {{ now.UTC.Local.Location }}"),
            "Local UTC Local"
        );
    }

    #[test]
    fn ago_and_duration_round_use_the_clock() {
        assert_eq!(render("{{ ago now }}"), "0s");
        assert_eq!(render("{{ ago 1709633400 }}"), "1m13s");
        assert_eq!(render(r#"{{ ago (now | dateModify "-90m") }}"#), "1h30m0s");
        assert_eq!(render(r#"{{ ago (now | dateModify "2h") }}"#), "-2h0m0s");
        assert_eq!(render("{{ ago .nope }}"), "0s");
        assert_eq!(
            render(r#"{{ durationRound (now | dateModify "-49h") }}"#),
            "2d"
        );
        assert_eq!(
            render(r#"{{ durationRound (toDate "2006-01-02" "2020-01-01") }}"#),
            "4y"
        );
    }

    #[test]
    fn local_zone_is_injected() {
        let now = Timestamp {
            unix_seconds: 1_720_000_000, // 2024-07-03T09:46:40Z
            nanos: 0,
        };
        let berlin = |text| render_at(now, "Europe/Berlin", text);
        assert_eq!(berlin("{{ now }}"), "2024-07-03 11:46:40 +0200 CEST");
        assert_eq!(berlin(r#"{{ date "15:04 MST" 0 }}"#), "01:00 CET");
        assert_eq!(
            berlin(r#"{{ toDate "2006-01-02 15:04" "2024-01-15 08:00" }}"#),
            "2024-01-15 08:00:00 +0100 CET"
        );
        assert_eq!(
            berlin(r#"{{ toDate "2006-01-02 15:04 MST" "2024-07-15 08:00 CEST" | unixEpoch }}"#),
            "1721023200"
        );
        assert_eq!(
            render_at(now, "No/Such_Zone", "{{ now }}"),
            "2024-07-03 09:46:40 +0000 UTC"
        );
    }

    #[test]
    fn coarse_rounding() {
        let day = 86_400 * NANOS_PER_SECOND;
        assert_eq!(round_coarsely(0), "0s");
        assert_eq!(round_coarsely(NANOS_PER_SECOND), "0s");
        assert_eq!(round_coarsely(365 * day), "12mo");
        assert_eq!(round_coarsely(-3 * day - 1), "3d");
        assert_eq!(round_coarsely(i64::MIN), "292y");
        assert_eq!(parse_int_clamped("99999999999999999999"), i64::MAX);
        assert_eq!(parse_int_clamped("-99999999999999999999"), i64::MIN);
        assert_eq!(parse_int_clamped("1_0"), 0);
    }
}
