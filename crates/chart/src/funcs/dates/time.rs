//! Go's `time.Time` and `*time.Location`, as far as templates can observe them.
//!
//! A [`Time`] keeps what Go keeps: seconds since January 1 of year 1 (Go's "internal"
//! seconds, so that `time.Unix` wraps around for extreme inputs exactly as in Go),
//! nanoseconds and a location. Calendar fields are computed the way Go computes them,
//! through Go's unsigned "absolute" seconds, which reproduces Go's results even where
//! they wrap (`date "2006" -9223372036854775808` is year 292277026596 in Go too).
//!
//! Time zone rules come from jiff's bundled copy of the IANA database (see the module
//! doc of [`super`]).

use std::cmp::Ordering;
use std::sync::{Arc, OnceLock};

use jiff::tz::{TimeZone, TimeZoneDatabase};

/// Seconds from January 1, year 1 to the Unix epoch (Go's `unixToInternal`).
pub(crate) const UNIX_TO_INTERNAL: i64 = 62_135_596_800;
/// Seconds from Go's absolute zero instant (March 1 of year -292277022400) to the Unix
/// epoch (Go's `unixToAbsolute`): Go computes calendar fields from this unsigned count.
const UNIX_TO_ABSOLUTE: u64 = 9_223_372_028_741_760_000;
const UNIX_TO_ABSOLUTE_DAYS: i64 = 106_751_991_073_400;
const SECONDS_PER_DAY: u64 = 86_400;
pub(crate) const NANOS_PER_SECOND: i64 = 1_000_000_000;

/// A `*time.Location`.
#[derive(Clone, Debug)]
pub(crate) enum Location {
    /// `time.UTC`.
    Utc,
    /// `time.Local`, following the rules of the render's local zone.
    Local(TimeZone),
    /// A location loaded by name (`time.LoadLocation`).
    Named(Arc<str>, TimeZone),
    /// `time.FixedZone(name, offset)`, as `time.Parse` makes for offsets and zone
    /// abbreviations it cannot place in the local zone.
    Fixed(Arc<str>, i32),
}

impl Location {
    /// `time.Local` for a render whose local zone is the IANA name `zone`. Like Go with an
    /// unusable `TZ`, an unknown name behaves as UTC.
    pub(crate) fn local(zone: &str) -> Location {
        Location::Local(find_zone(zone).unwrap_or(TimeZone::UTC))
    }

    /// Go's `time.LoadLocation`: `""` and `UTC` are UTC, `Local` is the local zone, other
    /// names are looked up (case-sensitively, as in the zoneinfo directory Go reads).
    pub(crate) fn load(name: &str, local: &Location) -> Option<Location> {
        match name {
            "" | "UTC" => Some(Location::Utc),
            "Local" => Some(local.clone()),
            _ if name.contains("..") || name.starts_with(['/', '\\']) => None,
            _ => find_zone(name).map(|tz| Location::Named(name.into(), tz)),
        }
    }

    /// `String()`: the name Go gives the location.
    pub(crate) fn name(&self) -> &str {
        match self {
            Location::Utc => "UTC",
            Location::Local(_) => "Local",
            Location::Named(name, _) | Location::Fixed(name, _) => name,
        }
    }

    /// The zone in effect at `unix` seconds: its abbreviation, offset east of UTC in
    /// seconds, and whether it is daylight saving time.
    pub(crate) fn lookup(&self, unix: i64) -> (String, i32, bool) {
        match self {
            Location::Utc => ("UTC".to_string(), 0, false),
            Location::Fixed(name, offset) => (name.to_string(), *offset, false),
            Location::Local(tz) | Location::Named(_, tz) => {
                let info = tz.to_offset_info(clamp_timestamp(unix));
                (
                    info.abbreviation().to_string(),
                    info.offset().seconds(),
                    info.dst().is_dst(),
                )
            }
        }
    }

    /// Go's `Location.lookupName`: the offset of a zone called `abbr`, preferring one in
    /// effect at `unix`. Go scans every zone of the location's tzdata; jiff does not list
    /// them, so the zones of the transitions around `unix` stand in for that list.
    pub(crate) fn lookup_name(&self, abbr: &str, unix: i64) -> Option<i32> {
        let tz = match self {
            Location::Utc => return None,
            Location::Fixed(name, offset) => return (**name == *abbr).then_some(*offset),
            Location::Local(tz) | Location::Named(_, tz) => tz,
        };
        let at = clamp_timestamp(unix);
        let info = tz.to_offset_info(at);
        let mut zones = vec![(info.abbreviation().to_string(), info.offset().seconds())];
        for transition in tz.preceding(at).take(64).chain(tz.following(at).take(64)) {
            zones.push((
                transition.abbreviation().to_string(),
                transition.offset().seconds(),
            ));
        }
        let named = || zones.iter().filter(|(name, _)| name == abbr);
        for (_, offset) in named() {
            let (name, actual, _) = self.lookup(unix.wrapping_sub(i64::from(*offset)));
            if name == abbr {
                return Some(actual);
            }
        }
        named().next().map(|(_, offset)| *offset)
    }
}

/// A zone of the bundled database by its exact name (jiff matches names
/// case-insensitively; Go's lookup on a Linux filesystem does not).
fn find_zone(name: &str) -> Option<TimeZone> {
    // The bundled database explicitly: jiff's default one prefers the host's zoneinfo
    // when some other crate enables that feature.
    static BUNDLED: OnceLock<TimeZoneDatabase> = OnceLock::new();
    let tz = BUNDLED
        .get_or_init(TimeZoneDatabase::bundled)
        .get(name)
        .ok()?;
    (tz.iana_name() == Some(name)).then_some(tz)
}

/// An instant jiff can look up for `unix`. jiff covers the years -9999 to 9999. Later
/// times move back by whole 400-year Gregorian cycles, which repeat dates and weekdays
/// exactly, so the zone's recurring rule gives the answer Go computes from it; earlier
/// times precede every transition and take the zone's first offset, as in Go.
fn clamp_timestamp(unix: i64) -> jiff::Timestamp {
    const CYCLE: i128 = 146_097 * 86_400;
    let (min, max) = (
        jiff::Timestamp::MIN.as_second(),
        jiff::Timestamp::MAX.as_second(),
    );
    let seconds = if unix > max {
        let excess = i128::from(unix) - i128::from(max);
        let cycles = excess / CYCLE + 1;
        (i128::from(unix) - cycles * CYCLE) as i64
    } else {
        unix.max(min)
    };
    jiff::Timestamp::from_second(seconds).unwrap_or(jiff::Timestamp::UNIX_EPOCH)
}

/// A `time.Time` (without a monotonic clock reading: see the module doc of [`super`]).
#[derive(Clone, Debug)]
pub(crate) struct Time {
    /// Seconds since January 1, year 1, UTC.
    sec: i64,
    /// Nanoseconds within the second, `0..1e9`.
    nsec: u32,
    loc: Location,
}

/// A Go `time.Month` (1 = January) or `time.Weekday` (0 = Sunday), by name.
pub(crate) const MONTH_NAMES: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

pub(crate) const DAY_NAMES: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

/// The calendar fields of a time in its location, as Go's formatting computes them.
#[derive(Clone, Debug)]
pub(crate) struct Fields {
    pub(crate) year: i64,
    /// 1..=12.
    pub(crate) month: u8,
    pub(crate) day: u8,
    /// Day of the year, 1..=366.
    pub(crate) yday: u16,
    /// 0 = Sunday.
    pub(crate) weekday: u8,
    pub(crate) hour: u8,
    pub(crate) minute: u8,
    pub(crate) second: u8,
    pub(crate) nanosecond: u32,
    /// Zone abbreviation and offset east of UTC in seconds.
    pub(crate) zone: String,
    pub(crate) offset: i32,
}

impl Time {
    /// Go's zero `Time{}`: January 1, year 1, 00:00:00 UTC.
    pub(crate) fn zero() -> Time {
        Time {
            sec: 0,
            nsec: 0,
            loc: Location::Utc,
        }
    }

    /// Go's `time.Unix(sec, nsec).In(loc)`, normalizing `nsec` into the second.
    pub(crate) fn from_unix(sec: i64, nsec: i64, loc: Location) -> Time {
        let sec = sec.wrapping_add(nsec.div_euclid(NANOS_PER_SECOND));
        let nsec = nsec.rem_euclid(NANOS_PER_SECOND) as u32;
        Time {
            // Go adds without overflow checks, so extreme inputs wrap.
            sec: sec.wrapping_add(UNIX_TO_INTERNAL),
            nsec,
            loc,
        }
    }

    pub(crate) fn unix(&self) -> i64 {
        self.sec.wrapping_sub(UNIX_TO_INTERNAL)
    }

    pub(crate) fn nanosecond(&self) -> u32 {
        self.nsec
    }

    pub(crate) fn location(&self) -> &Location {
        &self.loc
    }

    /// `t.In(loc)`: the same instant in another location.
    pub(crate) fn with_location(&self, loc: Location) -> Time {
        Time {
            loc,
            ..self.clone()
        }
    }

    pub(crate) fn is_zero(&self) -> bool {
        self.sec == 0 && self.nsec == 0
    }

    /// Whether daylight saving time is in effect. jiff bundles the tzdata "rearguard"
    /// form, so for the few zones with negative DST (Europe/Dublin) this is the
    /// opposite of Go's answer with the main form.
    pub(crate) fn is_dst(&self) -> bool {
        self.loc.lookup(self.unix()).2
    }

    /// The calendar fields in the time's location.
    pub(crate) fn fields(&self) -> Fields {
        let (zone, offset, _) = self.loc.lookup(self.unix());
        let abs =
            (self.unix().wrapping_add(i64::from(offset)) as u64).wrapping_add(UNIX_TO_ABSOLUTE);
        let days = (abs / SECONDS_PER_DAY) as i64 - UNIX_TO_ABSOLUTE_DAYS;
        let secs = (abs % SECONDS_PER_DAY) as u32;
        let (year, month, day) = civil_from_days(days);
        let yday = (days - days_from_civil(year, 1, 1) + 1) as u16;
        Fields {
            year,
            month,
            day,
            yday,
            weekday: (days + 4).rem_euclid(7) as u8,
            hour: (secs / 3600) as u8,
            minute: (secs / 60 % 60) as u8,
            second: (secs % 60) as u8,
            nanosecond: self.nsec,
            zone,
            offset,
        }
    }

    /// Go's `time.Date`: out-of-range fields carry into the next larger one, then the
    /// local wall time is placed in `loc` the way Go resolves gaps and overlaps.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn date(
        year: i64,
        month: i64,
        day: i64,
        hour: i64,
        min: i64,
        sec: i64,
        nsec: i64,
        loc: Location,
    ) -> Time {
        let (year, month0) = norm(year, month.wrapping_sub(1), 12);
        let (sec, nsec) = norm(sec, nsec, NANOS_PER_SECOND);
        let (min, sec) = norm(min, sec, 60);
        let (hour, min) = norm(hour, min, 60);
        let (day, hour) = norm(day, hour, 24);
        let days = i128::from(days_from_civil(year, month0 as u8 + 1, 1)) + i128::from(day) - 1;
        let clock = i128::from(hour) * 3600 + i128::from(min) * 60 + i128::from(sec);
        // Go computes in 64-bit integers that wrap; truncating does the same.
        let mut unix = (days * 86_400 + clock) as i64;
        let (_, offset, _) = loc.lookup(unix);
        if offset != 0 {
            let (_, actual, _) = loc.lookup(unix.wrapping_sub(i64::from(offset)));
            unix = unix.wrapping_sub(i64::from(actual));
        }
        Time::from_unix(unix, nsec, loc)
    }

    /// `t.AddDate(years, months, days)`.
    pub(crate) fn add_date(&self, years: i64, months: i64, days: i64) -> Time {
        let f = self.fields();
        Time::date(
            f.year.wrapping_add(years),
            i64::from(f.month).wrapping_add(months),
            i64::from(f.day).wrapping_add(days),
            i64::from(f.hour),
            i64::from(f.minute),
            i64::from(f.second),
            i64::from(f.nanosecond),
            self.loc.clone(),
        )
    }

    /// `t.Add(d)` for a duration in nanoseconds; like Go, the seconds saturate instead
    /// of wrapping.
    pub(crate) fn add(&self, d: i64) -> Time {
        let mut dsec = d / NANOS_PER_SECOND;
        let mut nsec = i64::from(self.nsec) + d % NANOS_PER_SECOND;
        if nsec >= NANOS_PER_SECOND {
            dsec += 1;
            nsec -= NANOS_PER_SECOND;
        } else if nsec < 0 {
            dsec -= 1;
            nsec += NANOS_PER_SECOND;
        }
        Time {
            sec: saturating_add(self.sec, dsec),
            nsec: nsec as u32,
            loc: self.loc.clone(),
        }
    }

    /// Go's `addSec`: whole seconds, saturating like `add`.
    pub(crate) fn add_seconds(&self, seconds: i64) -> Time {
        Time {
            sec: saturating_add(self.sec, seconds),
            nsec: self.nsec,
            loc: self.loc.clone(),
        }
    }

    /// `t.Sub(u)` in nanoseconds, saturating at the limits of a `time.Duration`.
    pub(crate) fn sub(&self, u: &Time) -> i64 {
        let diff = (i128::from(self.sec) - i128::from(u.sec)) * i128::from(NANOS_PER_SECOND)
            + (i128::from(self.nsec) - i128::from(u.nsec));
        diff.clamp(i128::from(i64::MIN), i128::from(i64::MAX)) as i64
    }

    pub(crate) fn compare(&self, u: &Time) -> Ordering {
        (self.sec, self.nsec).cmp(&(u.sec, u.nsec))
    }

    /// `t.Truncate(d)` (`round == false`) or `t.Round(d)`: down (or to the nearest,
    /// halves up) to a multiple of `d` since the zero time.
    pub(crate) fn round(&self, d: i64, round: bool) -> Time {
        if d <= 0 {
            return self.clone();
        }
        let total = i128::from(self.sec) * i128::from(NANOS_PER_SECOND) + i128::from(self.nsec);
        let r = total.rem_euclid(i128::from(d)) as i64;
        if round && !super::duration::less_than_half(r, d) {
            self.add(d - r)
        } else {
            self.add(-r)
        }
    }
}

/// Go's `addSec` overflow rule: the sum, or the largest magnitude Go allows.
fn saturating_add(sec: i64, d: i64) -> i64 {
    match sec.checked_add(d) {
        Some(sum) => sum,
        None if d > 0 => i64::MAX,
        None => -i64::MAX,
    }
}

/// Go's `norm`: moves whole multiples of `base` from `lo` into `hi`.
fn norm(hi: i64, lo: i64, base: i64) -> (i64, i64) {
    let carry = lo.div_euclid(base);
    (hi.wrapping_add(carry), lo.rem_euclid(base))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (month 1..=12).
pub(crate) fn days_from_civil(year: i64, month: u8, day: u8) -> i64 {
    // Howard Hinnant's algorithm, in i128 so no year can overflow it.
    let y = i128::from(year) - i128::from(month <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i128::from(month);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i128::from(day) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    (era * 146_097 + doe - 719_468) as i64
}

/// The proleptic Gregorian date of a day count since 1970-01-01.
pub(crate) fn civil_from_days(days: i64) -> (i64, u8, u8) {
    let z = i128::from(days) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u8;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
    let year = yoe + era * 400 + i128::from(month <= 2);
    (year as i64, month, day)
}

pub(crate) fn is_leap(year: i64) -> bool {
    year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
}

/// Days in `month` (1..=12) of `year`.
pub(crate) fn days_in(month: u8, year: i64) -> u8 {
    match month {
        2 if is_leap(year) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(unix: i64) -> Fields {
        Time::from_unix(unix, 0, Location::Utc).fields()
    }

    #[test]
    fn calendar_fields() {
        let f = utc(1_136_239_445); // 2006-01-02T22:04:05Z
        assert_eq!(
            (f.year, f.month, f.day, f.hour, f.minute, f.second),
            (2006, 1, 2, 22, 4, 5)
        );
        assert_eq!((f.yday, f.weekday), (2, 1));
        let f = utc(-1);
        assert_eq!((f.year, f.month, f.day, f.hour), (1969, 12, 31, 23));
        let f = utc(951_782_400); // 2000-02-29
        assert_eq!((f.month, f.day, f.yday, f.weekday), (2, 29, 60, 2));
        assert_eq!(Time::zero().fields().year, 1);
    }

    #[test]
    fn extreme_unix_seconds_wrap_like_go() {
        assert_eq!(utc(i64::MAX).year, 292_277_026_596);
        let f = utc(i64::MIN);
        assert_eq!(
            (f.year, f.month, f.day, f.hour, f.minute, f.second),
            (292_277_026_596, 12, 4, 15, 30, 8)
        );
    }

    #[test]
    fn date_normalizes_and_resolves_zones() {
        let t = Time::date(2024, 14, 32, 25, 61, 61, 0, Location::Utc);
        let f = t.fields();
        assert_eq!(
            (f.year, f.month, f.day, f.hour, f.minute, f.second),
            (2025, 3, 5, 2, 2, 1)
        );
        let ny = Location::load("America/New_York", &Location::Utc).unwrap();
        // 02:30 does not exist on 2024-03-10 in New York; Go's two lookups land on
        // 01:30 EST.
        let t = Time::date(2024, 3, 10, 2, 30, 0, 0, ny.clone());
        let f = t.fields();
        assert_eq!((f.hour, f.minute, f.zone.as_str()), (1, 30, "EST"));
        // 01:30 happens twice on 2024-11-03; Go picks the first (EDT).
        let f = Time::date(2024, 11, 3, 1, 30, 0, 0, ny).fields();
        assert_eq!((f.hour, f.zone.as_str()), (1, "EDT"));
    }

    #[test]
    fn locations_by_name() {
        let local = Location::local("UTC");
        assert!(Location::load("america/new_york", &local).is_none());
        assert!(Location::load("../etc/passwd", &local).is_none());
        assert_eq!(Location::load("Local", &local).unwrap().name(), "Local");
        assert_eq!(Location::load("", &local).unwrap().name(), "UTC");
        let kolkata = Location::load("Asia/Kolkata", &local).unwrap();
        assert_eq!(kolkata.lookup(0), ("IST".to_string(), 19_800, false));
    }
}
