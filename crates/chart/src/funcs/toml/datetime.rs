//! TOML datetimes as BurntSushi/toml decodes them: Go `time.Time` values, parsed with
//! `time.ParseInLocation` against a list of layouts.
//!
//! Offset datetimes keep the written wall clock and offset (`Z` is UTC); local
//! datetimes, dates and times get BurntSushi's marker zones `datetime-local`,
//! `date-local` and `time-local`, which the encoder recognises to write them back
//! without a zone. BurntSushi gives those zones the offset of the machine's local zone,
//! and Go reuses the local zone for an offset equal to its own: helmpilot renders as Helm
//! does on a machine whose local zone is UTC.

use std::sync::Arc;

use helmpilot_template::{Marshal, Member, Object, Value};

/// The zone of a decoded datetime.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Zone {
    /// `time.UTC` (written `Z`, or an offset of zero, which is the local zone).
    Utc,
    /// `time.FixedZone("", offset)`: an offset in seconds east of UTC.
    Fixed(i32),
    LocalDatetime,
    LocalDate,
    LocalTime,
}

/// A decoded TOML datetime: a Go `time.Time` with its wall clock as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(super) struct TomlTime {
    year: u16,
    month: u8,
    day: u8,
    hour: u8,
    minute: u8,
    second: u8,
    nanos: u32,
    zone: Zone,
}

impl TomlTime {
    /// The datetime a value holds, if it is one of ours.
    pub(super) fn of(value: &Value) -> Option<&TomlTime> {
        match value {
            Value::Object(o) => o.as_any()?.downcast_ref::<TomlTime>(),
            _ => None,
        }
    }

    pub(super) fn into_value(self) -> Value {
        Value::Object(Arc::new(self))
    }

    fn offset(&self) -> i32 {
        match self.zone {
            Zone::Fixed(offset) => offset,
            _ => 0,
        }
    }

    fn date_text(&self) -> String {
        format!("{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }

    /// `15:04:05.999999999`: the fraction without trailing zeros, left out when zero.
    fn time_text(&self) -> String {
        let mut text = format!("{:02}:{:02}:{:02}", self.hour, self.minute, self.second);
        if self.nanos != 0 {
            let fraction = format!("{:09}", self.nanos);
            text.push('.');
            text.push_str(fraction.trim_end_matches('0'));
        }
        text
    }

    /// `-0700`, or with `colon` `-07:00`.
    fn offset_text(&self, colon: bool) -> String {
        let offset = self.offset();
        let sign = if offset < 0 { '-' } else { '+' };
        let minutes = offset.unsigned_abs() / 60;
        let separator = if colon { ":" } else { "" };
        format!("{sign}{:02}{separator}{:02}", minutes / 60, minutes % 60)
    }

    /// How the encoder writes it: RFC 3339 with nanoseconds, or without a zone for the
    /// local kinds.
    pub(super) fn toml_text(&self) -> String {
        match self.zone {
            Zone::LocalDatetime => format!("{}T{}", self.date_text(), self.time_text()),
            Zone::LocalDate => self.date_text(),
            Zone::LocalTime => self.time_text(),
            Zone::Utc => format!("{}T{}Z", self.date_text(), self.time_text()),
            Zone::Fixed(_) => format!(
                "{}T{}{}",
                self.date_text(),
                self.time_text(),
                self.offset_text(true)
            ),
        }
    }
}

impl Object for TomlTime {
    fn type_name(&self) -> &str {
        "time.Time"
    }

    fn member(&self, _name: &str) -> Member {
        Member::Missing
    }

    /// Go's `Time.String()`: `2006-01-02 15:04:05.999999999 -0700 MST`, where a zone
    /// without a name shows its offset again.
    fn format(&self) -> String {
        let name = match self.zone {
            Zone::Utc => "UTC".to_string(),
            Zone::Fixed(_) => self.offset_text(false),
            Zone::LocalDatetime => "datetime-local".to_string(),
            Zone::LocalDate => "date-local".to_string(),
            Zone::LocalTime => "time-local".to_string(),
        };
        format!(
            "{} {} {} {name}",
            self.date_text(),
            self.time_text(),
            self.offset_text(false)
        )
    }

    /// The text above is Go's `String()` method.
    fn is_stringer(&self) -> bool {
        true
    }

    fn as_any(&self) -> Option<&dyn std::any::Any> {
        Some(self)
    }

    /// `Format(time.RFC3339Nano)`. The local kinds' marker zones have the local zone's
    /// offset (UTC here), so they come out with `Z` (a local time as on January 1 of
    /// year 0); only TOML's own encoder writes them without a zone.
    fn marshal(&self) -> Marshal {
        let zone = match self.offset() {
            0 => "Z".to_string(),
            _ => self.offset_text(true),
        };
        Marshal::Time(format!("{}T{}{zone}", self.date_text(), self.time_text()))
    }
}

/// One element of a Go time layout, as far as TOML's layouts use them.
#[derive(Clone, Copy)]
enum Part {
    /// `2006`: four characters, the first a digit.
    Year,
    /// `01`, `02`, `04`, `05`: exactly two digits.
    Two(Field),
    /// `15`: one or two digits.
    Hour,
    /// `.999999999`: an optional fraction of any length (digits past nine are dropped).
    Fraction,
    /// `Z07:00`: `Z` or `±hh:mm`.
    Zone,
    Literal(u8),
}

#[derive(Clone, Copy)]
enum Field {
    Month,
    Day,
    Minute,
    Second,
}

use Part::*;

const DATE: [Part; 5] = [
    Year,
    Literal(b'-'),
    Two(Field::Month),
    Literal(b'-'),
    Two(Field::Day),
];
const HOUR_MINUTE: [Part; 3] = [Hour, Literal(b':'), Two(Field::Minute)];
const SECONDS: [Part; 3] = [Literal(b':'), Two(Field::Second), Fraction];

/// BurntSushi's layouts in the order it tries them, with the zone each gives.
fn layouts() -> [(Vec<Part>, &'static str, Option<Zone>); 7] {
    let t = [Literal(b'T')];
    let join = |parts: &[&[Part]]| parts.concat();
    [
        // `None`: the zone comes from the text.
        (
            join(&[&DATE, &t, &HOUR_MINUTE, &SECONDS, &[Zone]]),
            "2006-01-02T15:04:05.999999999Z07:00",
            None,
        ),
        (
            join(&[&DATE, &t, &HOUR_MINUTE, &SECONDS]),
            "2006-01-02T15:04:05.999999999",
            Some(Zone::LocalDatetime),
        ),
        (DATE.to_vec(), "2006-01-02", Some(Zone::LocalDate)),
        (
            join(&[&HOUR_MINUTE, &SECONDS]),
            "15:04:05.999999999",
            Some(Zone::LocalTime),
        ),
        (
            join(&[&DATE, &t, &HOUR_MINUTE, &[Zone]]),
            "2006-01-02T15:04Z07:00",
            None,
        ),
        (
            join(&[&DATE, &t, &HOUR_MINUTE]),
            "2006-01-02T15:04",
            Some(Zone::LocalDatetime),
        ),
        (HOUR_MINUTE.to_vec(), "15:04", Some(Zone::LocalTime)),
    ]
}

/// Parses a lexed datetime (`z`, `t` and space already replaced by `Z`, `T`, `T`) the
/// way BurntSushi does: the first layout Go's parser accepts wins, and a field Go took
/// with a missing leading zero makes the value invalid.
pub(super) fn parse_datetime(text: &str) -> Option<TomlTime> {
    for (parts, layout, zone) in layouts() {
        if let Some(time) = parse_layout(text.as_bytes(), &parts, zone) {
            return (!missing_leading_zero(text, layout)).then_some(time);
        }
    }
    None
}

/// BurntSushi's check: up to a `.` or `Z` of the layout, every non-digit of the layout
/// must be at the same place in the text.
fn missing_leading_zero(text: &str, layout: &str) -> bool {
    let text = text.as_bytes();
    for (i, &c) in layout.as_bytes().iter().enumerate() {
        if c == b'.' || c == b'Z' {
            return false;
        }
        if !c.is_ascii_digit() && text.get(i) != Some(&c) {
            return true;
        }
    }
    false
}

/// Go's `time.Parse` for one layout (ranges checked, the whole text consumed).
fn parse_layout(mut s: &[u8], parts: &[Part], zone: Option<Zone>) -> Option<TomlTime> {
    let mut time = TomlTime {
        year: 0,
        month: 1,
        day: 1,
        hour: 0,
        minute: 0,
        second: 0,
        nanos: 0,
        zone: zone.unwrap_or(Zone::Utc),
    };
    for part in parts {
        match *part {
            Literal(c) => {
                s = s.strip_prefix(&[c])?;
            }
            Year => {
                let digits = s.get(..4)?;
                if !digits[0].is_ascii_digit() || !digits.iter().all(u8::is_ascii_digit) {
                    return None;
                }
                time.year = number(digits);
                s = &s[4..];
            }
            Two(field) => {
                let digits = s.get(..2).filter(|d| d.iter().all(u8::is_ascii_digit))?;
                let n = number(digits) as u8;
                s = &s[2..];
                match field {
                    Field::Month if (1..=12).contains(&n) => time.month = n,
                    Field::Day if (1..=31).contains(&n) => time.day = n,
                    Field::Minute if n < 60 => time.minute = n,
                    Field::Second if n < 60 => time.second = n,
                    _ => return None,
                }
            }
            Hour => {
                let len = s.iter().take(2).take_while(|b| b.is_ascii_digit()).count();
                if len == 0 {
                    return None;
                }
                let n = number(&s[..len]);
                if n >= 24 {
                    return None;
                }
                time.hour = n as u8;
                s = &s[len..];
            }
            Fraction => {
                if s.len() >= 2 && s[0] == b'.' && s[1].is_ascii_digit() {
                    let len = 1 + s[1..].iter().take_while(|b| b.is_ascii_digit()).count();
                    // Go reads nine digits at most and scales what it read.
                    let digits = &s[1..len.min(10)];
                    let scale = 10u32.pow(9 - digits.len() as u32);
                    let value = digits
                        .iter()
                        .fold(0u32, |n, d| n * 10 + u32::from(d - b'0'));
                    time.nanos = value * scale;
                    s = &s[len..];
                }
            }
            Zone => {
                if let Some(rest) = s.strip_prefix(b"Z") {
                    time.zone = Zone::Utc;
                    s = rest;
                } else {
                    let z = s.get(..6)?;
                    if z[3] != b':'
                        || !z[1..3].iter().all(u8::is_ascii_digit)
                        || !z[4..6].iter().all(u8::is_ascii_digit)
                    {
                        return None;
                    }
                    let (hours, minutes) =
                        (i32::from(number(&z[1..3])), i32::from(number(&z[4..6])));
                    // Go accepts 24 hours and 60 minutes here.
                    if hours > 24 || minutes > 60 {
                        return None;
                    }
                    let offset = (hours * 60 + minutes) * 60;
                    let offset = match z[0] {
                        b'+' => offset,
                        b'-' => -offset,
                        _ => return None,
                    };
                    // An offset equal to the local zone's (UTC) gives the local zone.
                    time.zone = if offset == 0 {
                        Zone::Utc
                    } else {
                        Zone::Fixed(offset)
                    };
                    s = &s[6..];
                }
            }
        }
    }
    let valid_day = time.day <= days_in(time.month, time.year);
    (s.is_empty() && valid_day).then_some(time)
}

/// The value of at most four ASCII digits.
fn number(digits: &[u8]) -> u16 {
    digits.iter().fold(0u16, |n, d| {
        n.wrapping_mul(10).wrapping_add(u16::from(d - b'0'))
    })
}

fn days_in(month: u8, year: u16) -> u8 {
    match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> Option<String> {
        parse_datetime(s).map(|t| format!("{} | {}", t.format(), t.toml_text()))
    }

    #[test]
    fn layouts_and_zones() {
        assert_eq!(
            text("1979-05-27T07:32:00Z").unwrap(),
            "1979-05-27 07:32:00 +0000 UTC | 1979-05-27T07:32:00Z"
        );
        assert_eq!(
            text("1979-05-27T00:32:00.999999-07:00").unwrap(),
            "1979-05-27 00:32:00.999999 -0700 -0700 | 1979-05-27T00:32:00.999999-07:00"
        );
        assert_eq!(
            text("07:32:00").unwrap(),
            "0000-01-01 07:32:00 +0000 time-local | 07:32:00"
        );
        assert_eq!(
            text("1979-05-27T07:32").unwrap(),
            "1979-05-27 07:32:00 +0000 datetime-local | 1979-05-27T07:32:00"
        );
        assert_eq!(text("2001-02-29"), None);
        assert_eq!(
            text("2000-02-29").unwrap(),
            "2000-02-29 00:00:00 +0000 date-local | 2000-02-29"
        );
        assert_eq!(text("1979-05-27T7:32:00"), None);
        assert_eq!(text("1979-05-27T24:00:00"), None);
        assert_eq!(
            text("07:32:00.1234567891").unwrap(),
            "0000-01-01 07:32:00.123456789 +0000 time-local | 07:32:00.123456789"
        );
    }
}
