//! Freeze windows: date ranges and weekly windows, each in a time zone.
//!
//! Wall-clock times are turned into instants with the zone's rules (the IANA database
//! bundled with jiff, so the host's zoneinfo does not matter). A local time that does not
//! exist (the hour skipped when clocks go forward) means the instant right after the gap;
//! a local time that happens twice (clocks go back) means the first of the two. That is
//! RFC 5545's rule, also Temporal's `compatible` one.

use std::fmt;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// What a freeze window does to a deployment requested while it is active.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FreezeAction {
    /// Reject at once.
    Reject,
    /// Keep the gate pending until the window ends, then evaluate again.
    Wait,
}

impl FreezeAction {
    /// `reject` or `wait`, as in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            FreezeAction::Reject => "reject",
            FreezeAction::Wait => "wait",
        }
    }
}

/// When a window is active.
#[derive(Clone, Debug, PartialEq)]
pub enum FreezeSchedule {
    /// From one instant (included) to another (excluded).
    Range {
        /// Start, Unix seconds.
        from: i64,
        /// End, Unix seconds.
        to: i64,
    },
    /// Every week, from a weekday and time to another (local time in `zone`). The end may
    /// be in the next week (`Fri 16:00 - Mon 08:00`).
    Weekly {
        /// Start day.
        start_day: Weekday,
        /// Start time of day.
        start: Time,
        /// End day.
        end_day: Weekday,
        /// End time of day.
        end: Time,
    },
}

/// One entry of an environment's `freeze` list.
#[derive(Clone, Debug, PartialEq)]
pub struct FreezeWindow {
    /// When it applies.
    pub schedule: FreezeSchedule,
    /// The zone its wall-clock times are in (also used to show times in comments).
    pub zone: TimeZone,
    /// What happens to a deployment requested inside it.
    pub action: FreezeAction,
    /// Why there is a freeze, for the decision's comment.
    pub reason: Option<String>,
}

impl FreezeWindow {
    /// When `now` (Unix seconds) is inside the window, the instant it ends.
    pub fn active_until(&self, now: i64) -> Option<i64> {
        match &self.schedule {
            FreezeSchedule::Range { from, to } => (*from <= now && now < *to).then_some(*to),
            FreezeSchedule::Weekly {
                start_day,
                start,
                end_day,
                end,
            } => {
                let now_ts = Timestamp::from_second(now).ok()?;
                let today = now_ts.to_zoned(self.zone.clone()).date();
                // The latest start at or before now decides: windows are shorter than a
                // week, so an earlier start has ended by the time a later one began.
                // Eight days back covers a start later today, and a DST shift.
                for back in 0..8i64 {
                    let day = today.checked_sub(Span::new().days(back)).ok()?;
                    if day.weekday() != *start_day {
                        continue;
                    }
                    let begins = self.instant(day.to_datetime(*start))?;
                    if begins > now {
                        continue;
                    }
                    let length = days_between(*start_day, *start, *end_day, *end);
                    let end_day_date = day.checked_add(Span::new().days(length)).ok()?;
                    let ends = self.instant(end_day_date.to_datetime(*end))?;
                    return (now < ends).then_some(ends);
                }
                None
            }
        }
    }

    fn instant(&self, local: DateTime) -> Option<i64> {
        self.zone
            .to_ambiguous_timestamp(local)
            .compatible()
            .ok()
            .map(|t| t.as_second())
    }

    /// An instant as local time in the window's zone, for comments:
    /// `2025-01-06 08:00 CET`.
    pub fn local_time(&self, at: i64) -> String {
        match Timestamp::from_second(at) {
            Ok(t) => t
                .to_zoned(self.zone.clone())
                .strftime("%Y-%m-%d %H:%M %Z")
                .to_string(),
            Err(_) => at.to_string(),
        }
    }
}

impl fmt::Display for FreezeWindow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let zone = self.zone.iana_name().unwrap_or("UTC");
        match &self.schedule {
            FreezeSchedule::Range { from, to } => {
                write!(f, "{} to {}", self.local_time(*from), self.local_time(*to))
            }
            FreezeSchedule::Weekly {
                start_day,
                start,
                end_day,
                end,
            } => write!(
                f,
                "every {} {} to {} {} ({zone})",
                day_name(*start_day),
                start.strftime("%H:%M"),
                day_name(*end_day),
                end.strftime("%H:%M"),
            ),
        }?;
        if let Some(reason) = &self.reason {
            write!(f, ": {reason}")?;
        }
        Ok(())
    }
}

/// Days from the start day to the end day: 0 to 6, or 7 when the end is on the start's
/// weekday but not later in the day (a window that wraps the whole week round).
fn days_between(start_day: Weekday, start: Time, end_day: Weekday, end: Time) -> i64 {
    let d = i64::from(
        (end_day.to_monday_zero_offset() - start_day.to_monday_zero_offset()).rem_euclid(7),
    );
    if d == 0 && end <= start {
        7
    } else {
        d
    }
}

fn day_name(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "Mon",
        Weekday::Tuesday => "Tue",
        Weekday::Wednesday => "Wed",
        Weekday::Thursday => "Thu",
        Weekday::Friday => "Fri",
        Weekday::Saturday => "Sat",
        Weekday::Sunday => "Sun",
    }
}

/// `Mon`, `monday`, ... (case-insensitive).
pub(crate) fn parse_weekday(text: &str) -> Option<Weekday> {
    let lower = text.to_ascii_lowercase();
    let days = [
        ("mon", "monday", Weekday::Monday),
        ("tue", "tuesday", Weekday::Tuesday),
        ("wed", "wednesday", Weekday::Wednesday),
        ("thu", "thursday", Weekday::Thursday),
        ("fri", "friday", Weekday::Friday),
        ("sat", "saturday", Weekday::Saturday),
        ("sun", "sunday", Weekday::Sunday),
    ];
    days.iter()
        .find(|(short, long, _)| lower == *short || lower == *long)
        .map(|(_, _, d)| *d)
}

/// `HH:MM`, 24-hour.
pub(crate) fn parse_time(text: &str) -> Option<Time> {
    let (h, m) = text.split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: i8 = h.parse().ok()?;
    let m: i8 = m.parse().ok()?;
    Time::new(h, m, 0, 0).ok()
}

/// A weekly window: `Fri 16:00 - Mon 08:00`, optionally followed by an IANA zone name.
/// Returns the schedule and the zone name when one was given.
pub(crate) fn parse_weekly(text: &str) -> Result<(FreezeSchedule, Option<String>), String> {
    let bad = || {
        format!(
            "{text:?} is not a weekly window; expected e.g. \"Fri 16:00 - Mon 08:00 Europe/Berlin\""
        )
    };
    let (left, right) = text.split_once('-').ok_or_else(bad)?;
    let mut l = left.split_whitespace();
    let mut r = right.split_whitespace();
    let (Some(sd), Some(st), None) = (l.next(), l.next(), l.next()) else {
        return Err(bad());
    };
    let (Some(ed), Some(et)) = (r.next(), r.next()) else {
        return Err(bad());
    };
    let zone = r.next().map(str::to_string);
    if r.next().is_some() {
        return Err(bad());
    }
    let day = |s: &str| {
        parse_weekday(s).ok_or_else(|| format!("{s:?} is not a weekday (Mon, Tue, ... Sun)"))
    };
    let time = |s: &str| {
        parse_time(s).ok_or_else(|| format!("{s:?} is not a time of day (HH:MM, 24-hour)"))
    };
    let schedule = FreezeSchedule::Weekly {
        start_day: day(sd)?,
        start: time(st)?,
        end_day: day(ed)?,
        end: time(et)?,
    };
    if let FreezeSchedule::Weekly {
        start_day,
        start,
        end_day,
        end,
    } = &schedule
    {
        if start_day == end_day && start == end {
            return Err(format!(
                "{text:?} starts and ends at the same time: a window always active is a ban, write allowed_refs: [] instead"
            ));
        }
    }
    Ok((schedule, zone))
}

/// A date-range bound: an RFC 3339 instant with an offset (`2024-12-20T18:00:00Z`), or a
/// local date and time (`2024-12-20 18:00`, `2024-12-20T18:00:00`) or date in `zone`. A
/// date alone is the start of that day for `from` and the end of it (the next day's start)
/// for `to`, so `to: 2025-01-06` freezes January 6 too.
pub(crate) fn parse_bound(text: &str, zone: &TimeZone, is_end: bool) -> Result<i64, String> {
    let text = text.trim();
    if let Ok(t) = text.parse::<Timestamp>() {
        return Ok(t.as_second());
    }
    let local = if let Ok(dt) = text.parse::<DateTime>() {
        if text.len() <= 10 {
            // jiff reads a bare date as midnight; tell the two apart by the text.
            date_bound(dt.date(), is_end)?
        } else {
            dt
        }
    } else if let Ok(d) = text.parse::<Date>() {
        date_bound(d, is_end)?
    } else {
        return Err(format!(
            "{text:?} is not a date or time; expected e.g. \"2024-12-20\", \"2024-12-20 18:00\" or \"2024-12-20T18:00:00Z\""
        ));
    };
    zone.to_ambiguous_timestamp(local)
        .compatible()
        .map(|t| t.as_second())
        .map_err(|e| format!("{text:?}: {e}"))
}

fn date_bound(d: Date, is_end: bool) -> Result<DateTime, String> {
    let day = if is_end {
        d.checked_add(Span::new().days(1))
            .map_err(|e| format!("{d}: {e}"))?
    } else {
        d
    };
    Ok(day.to_datetime(Time::midnight()))
}

/// An IANA zone from the bundled database (`UTC` included).
pub(crate) fn zone(name: &str) -> Result<TimeZone, String> {
    TimeZone::get(name).map_err(|_| {
        format!("unknown time zone {name:?}; use an IANA name such as Europe/Berlin or UTC")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(text: &str) -> i64 {
        text.parse::<Timestamp>().unwrap().as_second()
    }

    fn weekly(text: &str, zone_name: &str) -> FreezeWindow {
        let (schedule, _) = parse_weekly(text).unwrap();
        FreezeWindow {
            schedule,
            zone: zone(zone_name).unwrap(),
            action: FreezeAction::Wait,
            reason: None,
        }
    }

    #[test]
    fn weekend_window_in_berlin_winter_and_summer() {
        let w = weekly("Fri 16:00 - Mon 08:00", "Europe/Berlin");
        // Winter (CET, UTC+1): Friday 2024-01-12 16:00 local is 15:00 UTC.
        assert_eq!(w.active_until(ts("2024-01-12T14:59:59Z")), None);
        let end = ts("2024-01-15T07:00:00Z");
        assert_eq!(w.active_until(ts("2024-01-12T15:00:00Z")), Some(end));
        assert_eq!(w.active_until(ts("2024-01-14T12:00:00Z")), Some(end));
        assert_eq!(w.active_until(ts("2024-01-15T06:59:59Z")), Some(end));
        assert_eq!(w.active_until(ts("2024-01-15T07:00:00Z")), None);
        assert_eq!(w.active_until(ts("2024-01-17T12:00:00Z")), None);
        // Summer (CEST, UTC+2).
        assert_eq!(
            w.active_until(ts("2024-07-12T14:30:00Z")),
            Some(ts("2024-07-15T06:00:00Z"))
        );
        assert_eq!(w.active_until(ts("2024-07-12T13:59:00Z")), None);
        assert_eq!(w.local_time(end), "2024-01-15 08:00 CET");
    }

    #[test]
    fn windows_across_dst_changes_keep_local_times() {
        // Clocks go forward on Sunday 2024-03-31 in Berlin: the window starts at CET and
        // ends at CEST, 63 hours later instead of 64.
        let w = weekly("Fri 16:00 - Mon 08:00", "Europe/Berlin");
        let start = ts("2024-03-29T15:00:00Z");
        let end = ts("2024-04-01T06:00:00Z");
        assert_eq!(w.active_until(start), Some(end));
        assert_eq!(end - start, 63 * 3600);
        // And back on 2024-10-27: 65 hours.
        let start = ts("2024-10-25T14:00:00Z");
        let end = ts("2024-10-28T07:00:00Z");
        assert_eq!(w.active_until(start), Some(end));
        assert_eq!(end - start, 65 * 3600);
        // A start in the skipped hour (02:30 on 2024-03-31 does not exist) begins right
        // after the gap, at 03:30 CEST.
        let w = weekly("Sun 02:30 - Sun 04:00", "Europe/Berlin");
        assert_eq!(w.active_until(ts("2024-03-31T00:59:59Z")), None);
        assert_eq!(
            w.active_until(ts("2024-03-31T01:30:00Z")),
            Some(ts("2024-03-31T02:00:00Z"))
        );
        // A repeated hour (02:30 twice on 2024-10-27) starts at the first one.
        let w = weekly("Sun 02:30 - Sun 05:00", "Europe/Berlin");
        assert_eq!(
            w.active_until(ts("2024-10-27T00:30:00Z")),
            Some(ts("2024-10-27T04:00:00Z"))
        );
        assert_eq!(w.active_until(ts("2024-10-27T00:29:59Z")), None);
    }

    #[test]
    fn same_day_and_whole_week_windows() {
        let w = weekly("Wed 09:00 - Wed 17:00", "UTC");
        assert_eq!(
            w.active_until(ts("2024-05-08T12:00:00Z")),
            Some(ts("2024-05-08T17:00:00Z"))
        );
        assert_eq!(w.active_until(ts("2024-05-08T18:00:00Z")), None);
        assert_eq!(w.active_until(ts("2024-05-09T12:00:00Z")), None);
        // Ends on the start's weekday but earlier in the day: nearly a whole week.
        let w = weekly("Wed 17:00 - Wed 09:00", "UTC");
        assert_eq!(
            w.active_until(ts("2024-05-13T00:00:00Z")),
            Some(ts("2024-05-15T09:00:00Z"))
        );
        assert_eq!(w.active_until(ts("2024-05-15T12:00:00Z")), None);
    }

    #[test]
    fn weekly_texts() {
        let (_, zone) = parse_weekly("fri 16:00 - monday 08:00 America/New_York").unwrap();
        assert_eq!(zone.as_deref(), Some("America/New_York"));
        for bad in [
            "Fri 16:00",
            "Fri - Mon 08:00",
            "Fri 16:00 - Mon 8h",
            "Fry 16:00 - Mon 08:00",
            "Fri 25:00 - Mon 08:00",
            "Fri 16:00 - Mon 08:00 Europe/Berlin extra",
            "Mon 08:00 - Mon 08:00",
        ] {
            assert!(parse_weekly(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn range_bounds() {
        let berlin = zone("Europe/Berlin").unwrap();
        assert_eq!(
            parse_bound("2024-12-20", &berlin, false),
            Ok(ts("2024-12-19T23:00:00Z"))
        );
        assert_eq!(
            parse_bound("2025-01-06", &berlin, true),
            Ok(ts("2025-01-06T23:00:00Z"))
        );
        assert_eq!(
            parse_bound("2025-01-06 08:00", &berlin, true),
            Ok(ts("2025-01-06T07:00:00Z"))
        );
        assert_eq!(
            parse_bound("2025-07-06T08:00:00", &berlin, false),
            Ok(ts("2025-07-06T06:00:00Z"))
        );
        assert_eq!(
            parse_bound("2025-01-06T08:00:00+05:30", &berlin, false),
            Ok(ts("2025-01-06T02:30:00Z"))
        );
        assert!(parse_bound("next friday", &berlin, false).is_err());
        assert!(zone("Mars/Olympus").is_err());
    }
}
