//! Business hours: when a person can be expected to answer.
//!
//! Owners set opening times per weekday in their own time zone (in
//! `tandem.toml`, `[business_hours]`). Outside them Tandem does not queue a
//! visitor for a person who will not come; it says so and offers to take an
//! email and a message instead. Pure: the current time is an argument.

use jiff::civil::{Time, Weekday};
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::Deserialize;

/// `[business_hours]` as written in `tandem.toml`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessHoursSpec {
    /// IANA time zone, e.g. `Europe/Amsterdam`.
    pub timezone: String,
    pub monday: Option<String>,
    pub tuesday: Option<String>,
    pub wednesday: Option<String>,
    pub thursday: Option<String>,
    pub friday: Option<String>,
    pub saturday: Option<String>,
    pub sunday: Option<String>,
}

/// Parsed business hours.
#[derive(Debug, Clone)]
pub struct BusinessHours {
    zone: TimeZone,
    zone_name: String,
    /// Monday first; `None` = closed all day.
    week: [Option<(Time, Time)>; 7],
}

const DAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

impl BusinessHours {
    /// Parses the spec; the error says which day or zone is wrong.
    pub fn parse(spec: &BusinessHoursSpec) -> Result<BusinessHours, String> {
        let zone = TimeZone::get(&spec.timezone).map_err(|_| {
            format!(
                "unknown time zone {:?} (use a name like \"Europe/Amsterdam\")",
                spec.timezone
            )
        })?;
        let days = [
            ("monday", &spec.monday),
            ("tuesday", &spec.tuesday),
            ("wednesday", &spec.wednesday),
            ("thursday", &spec.thursday),
            ("friday", &spec.friday),
            ("saturday", &spec.saturday),
            ("sunday", &spec.sunday),
        ];
        let mut week = [None; 7];
        for (i, (day, value)) in days.iter().enumerate() {
            week[i] = match value.as_deref().map(str::trim) {
                None | Some("closed") | Some("") => None,
                Some(range) => Some(parse_range(range).ok_or_else(|| {
                    format!(
                        "{day} = {range:?}: write opening hours as \"09:00-17:00\" or \"closed\""
                    )
                })?),
            };
        }
        Ok(BusinessHours {
            zone,
            zone_name: spec.timezone.clone(),
            week,
        })
    }

    /// Whether a person is expected to be at the desk at `now`.
    pub fn is_open(&self, now: Timestamp) -> bool {
        let local = now.to_zoned(self.zone.clone());
        let day = weekday_index(local.weekday());
        match self.week[day] {
            Some((open, close)) => {
                let t = local.time();
                t >= open && t < close
            }
            None => false,
        }
    }

    /// The hours in words for visitors, e.g. "Mon–Fri 09:00–17:00 (Europe/Amsterdam)".
    pub fn describe(&self) -> String {
        let mut parts: Vec<String> = Vec::new();
        let mut i = 0;
        while i < 7 {
            let Some(range) = self.week[i] else {
                i += 1;
                continue;
            };
            let mut j = i;
            while j + 1 < 7 && self.week[j + 1] == Some(range) {
                j += 1;
            }
            let days = if i == j {
                DAYS[i].to_owned()
            } else {
                format!("{}–{}", DAYS[i], DAYS[j])
            };
            parts.push(format!(
                "{days} {}–{}",
                range.0.strftime("%H:%M"),
                range.1.strftime("%H:%M")
            ));
            i = j + 1;
        }
        if parts.is_empty() {
            return "never (no opening hours are set)".into();
        }
        format!("{} ({})", parts.join(", "), self.zone_name)
    }
}

fn parse_range(range: &str) -> Option<(Time, Time)> {
    let (open, close) = range.split_once('-')?;
    let open: Time = open.trim().parse().ok()?;
    let close: Time = close.trim().parse().ok()?;
    (open < close).then_some((open, close))
}

fn weekday_index(day: Weekday) -> usize {
    usize::try_from(day.to_monday_zero_offset()).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn office() -> BusinessHours {
        BusinessHours::parse(&BusinessHoursSpec {
            timezone: "Europe/Amsterdam".into(),
            monday: Some("09:00-17:00".into()),
            tuesday: Some("09:00-17:00".into()),
            wednesday: Some("09:00-17:00".into()),
            thursday: Some("09:00-17:00".into()),
            friday: Some("09:00-17:00".into()),
            saturday: Some("10:00-14:00".into()),
            sunday: Some("closed".into()),
        })
        .unwrap()
    }

    fn at(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn open_during_the_day_in_the_owners_time_zone() {
        // Monday 2026-11-23, 08:30 UTC is 09:30 in Amsterdam (CET, UTC+1).
        assert!(office().is_open(at("2026-11-23T08:30:00Z")));
        // 16:30 UTC is 17:30 there: closed.
        assert!(!office().is_open(at("2026-11-23T16:30:00Z")));
        // Sunday.
        assert!(!office().is_open(at("2026-11-22T12:00:00Z")));
    }

    #[test]
    fn summer_time_moves_the_hours_with_the_clock() {
        // Monday 2026-06-22, 07:30 UTC is 09:30 in Amsterdam (CEST, UTC+2).
        assert!(office().is_open(at("2026-06-22T07:30:00Z")));
        assert!(!office().is_open(at("2026-06-22T15:30:00Z")));
    }

    #[test]
    fn hours_read_naturally() {
        assert_eq!(
            office().describe(),
            "Mon–Fri 09:00–17:00, Sat 10:00–14:00 (Europe/Amsterdam)"
        );
    }

    #[test]
    fn mistakes_are_explained() {
        let mut spec = BusinessHoursSpec {
            timezone: "Mars/Olympus".into(),
            ..BusinessHoursSpec::default()
        };
        assert!(BusinessHours::parse(&spec)
            .unwrap_err()
            .contains("unknown time zone"));
        spec.timezone = "UTC".into();
        spec.monday = Some("9 to 5".into());
        assert!(BusinessHours::parse(&spec).unwrap_err().contains("monday"));
        spec.monday = Some("17:00-09:00".into());
        assert!(BusinessHours::parse(&spec).is_err());
    }
}
