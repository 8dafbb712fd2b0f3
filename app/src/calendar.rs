//! The official working-day calendar (法定工作日).
//!
//! Each year's public holidays and make-up working days (调休) are those of
//! the State Council's notice for that year (国务院办公厅关于某年部分节假日安排
//! 的通知). A date is a working day when it is Monday to Friday and not a
//! holiday, or when it is a make-up working day. "Within N working days" of
//! an event counts from the day after it (民法典 art. 201), and the deadline
//! ends at 24:00 Beijing time of the Nth working day. A year whose notice is
//! not published is an error, never a guess from weekdays.
//!
//! The years 2024–2026 ship with the portal (`app/calendar/cn.json`); later
//! years are published with `server import calendar FILE`.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

/// One year as its notice sets it out: the format of `app/calendar/cn.json`,
/// of `server import calendar` and of `/api/calendar/{year}`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalendarYear {
    pub year: i32,
    pub notice: Notice,
    /// The holidays (放假), each a range of days off, in the notice's order.
    pub holidays: Vec<Holiday>,
    /// The make-up working days (调休上班), Saturdays and Sundays.
    pub workdays: Vec<MakeUpDay>,
}

/// The State Council notice a year comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Notice {
    pub title: String,
    /// 文号, e.g. 国办发明电〔2024〕12号, when known.
    pub number: Option<String>,
    /// The date it was issued.
    pub issued: String,
    /// Where its text is published.
    pub url: String,
}

/// Days off for one holiday, `from` to `to` inclusive.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Holiday {
    pub name: String,
    pub from: String,
    pub to: String,
}

/// A Saturday or Sunday worked in exchange for a holiday.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MakeUpDay {
    pub date: String,
    /// The holiday it makes up for.
    pub holiday: String,
}

/// A year as the portal publishes it: the notice's year and its version.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedYear {
    pub calendar: CalendarYear,
    /// 1 for the first publication; a correction is a new version.
    pub version: u32,
    pub published_at: String,
    pub correction_reason: Option<String>,
}

/// Why a calendar question has no answer, or a year cannot be published.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("{0} 年的节假日安排尚未公布 / the holidays of {0} have not been published yet")]
    NotPublished(i32),
    #[error("{year} 年 {field}：{zh} / {year} {field}: {en}")]
    Invalid { year: i32, field: String, zh: String, en: String },
}

impl CalendarError {
    fn invalid(year: i32, field: impl Into<String>, zh: &str, en: &str) -> CalendarError {
        CalendarError::Invalid { year, field: field.into(), zh: zh.to_owned(), en: en.to_owned() }
    }
}

/// A day as its number since 1970-01-01.
pub type Day = i64;

/// The day of a `YYYY-MM-DD` date, if it is one.
pub fn day(date: &str) -> Option<Day> {
    draw::id::check_date(date).ok()?;
    let part = |r: std::ops::Range<usize>| date.get(r).and_then(|s| s.parse::<i64>().ok());
    Some(draw::id::days_from_civil(part(0..4)?, part(5..7)?, part(8..10)?))
}

/// The `YYYY-MM-DD` date of a day.
pub fn date(day: Day) -> String {
    let utc = draw::id::format_utc(day.saturating_mul(86_400));
    utc.split_once('T').map_or(utc.clone(), |(date, _)| date.to_owned())
}

/// Monday = 0 … Sunday = 6.
pub fn weekday(day: Day) -> i64 {
    (day + 3).rem_euclid(7)
}

fn year_of(day: Day) -> i32 {
    date(day).get(0..4).and_then(|y| y.parse().ok()).unwrap_or(0)
}

/// What each published year makes of its days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
struct YearDays {
    holidays: BTreeSet<Day>,
    workdays: BTreeSet<Day>,
}

/// The published years, for counting working days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Calendar {
    years: BTreeMap<i32, YearDays>,
}

/// The calendar that ships with the portal.
pub const BUNDLED: &str = include_str!("../calendar/cn.json");

impl CalendarYear {
    /// Checks the year as a notice can set it: dates in the year, holidays
    /// not empty and not overlapping, make-up days on weekends and not holidays.
    pub fn check(&self) -> Result<(), CalendarError> {
        let y = self.year;
        if !(2000..=2099).contains(&y) {
            return Err(CalendarError::invalid(y, "year", "应在 2000–2099 之间", "must be 2000–2099"));
        }
        let text = |field: &str, value: &str| {
            if value.trim().is_empty() || value.chars().count() > 200 || value.chars().any(char::is_control) {
                Err(CalendarError::invalid(
                    y,
                    field,
                    "应为 1–200 个字符、不含控制字符",
                    "must be 1–200 characters, no control characters",
                ))
            } else {
                Ok(())
            }
        };
        text("notice.title", &self.notice.title)?;
        if let Some(n) = &self.notice.number {
            text("notice.number", n)?;
        }
        text("notice.url", &self.notice.url)?;
        if !(self.notice.url.starts_with("https://") || self.notice.url.starts_with("http://")) {
            return Err(CalendarError::invalid(y, "notice.url", "应为 http(s) 网址", "must be an http(s) address"));
        }
        let issued = day(&self.notice.issued)
            .ok_or_else(|| CalendarError::invalid(y, "notice.issued", "不是有效日期", "is not a valid date"))?;
        if year_of(issued) > y {
            return Err(CalendarError::invalid(y, "notice.issued", "晚于该年", "is after the year"));
        }
        let in_year = |field: String, value: &str| -> Result<Day, CalendarError> {
            let d = day(value)
                .ok_or_else(|| CalendarError::invalid(y, field.clone(), "不是有效日期", "is not a valid date"))?;
            if year_of(d) == y {
                Ok(d)
            } else {
                Err(CalendarError::invalid(y, field, "不在该年内", "is not in the year"))
            }
        };
        let mut off = BTreeSet::new();
        for (i, h) in self.holidays.iter().enumerate() {
            text(&format!("holidays[{i}].name"), &h.name)?;
            let (from, to) =
                (in_year(format!("holidays[{i}].from"), &h.from)?, in_year(format!("holidays[{i}].to"), &h.to)?);
            if from > to {
                return Err(CalendarError::invalid(
                    y,
                    format!("holidays[{i}].to"),
                    "早于开始日期",
                    "is before its start",
                ));
            }
            for d in from..=to {
                if !off.insert(d) {
                    return Err(CalendarError::invalid(
                        y,
                        format!("holidays[{i}]"),
                        "与另一假期重叠",
                        "overlaps another holiday",
                    ));
                }
            }
        }
        let mut seen = BTreeSet::new();
        for (i, w) in self.workdays.iter().enumerate() {
            let field = format!("workdays[{i}].date");
            let d = in_year(field.clone(), &w.date)?;
            text(&format!("workdays[{i}].holiday"), &w.holiday)?;
            if weekday(d) < 5 {
                return Err(CalendarError::invalid(
                    y,
                    field,
                    "调休上班日应为周六或周日",
                    "a make-up working day is a Saturday or Sunday",
                ));
            }
            if off.contains(&d) || !seen.insert(d) {
                return Err(CalendarError::invalid(
                    y,
                    field,
                    "与假期或另一调休日重复",
                    "repeats a holiday or another make-up day",
                ));
            }
        }
        Ok(())
    }
}

impl Calendar {
    /// A calendar of these years, each checked; a year given twice keeps the last.
    pub fn new(years: impl IntoIterator<Item = CalendarYear>) -> Result<Calendar, CalendarError> {
        let mut calendar = Calendar::default();
        for y in years {
            y.check()?;
            let mut days = YearDays::default();
            for h in &y.holidays {
                if let (Some(from), Some(to)) = (day(&h.from), day(&h.to)) {
                    days.holidays.extend(from..=to);
                }
            }
            days.workdays.extend(y.workdays.iter().filter_map(|w| day(&w.date)));
            calendar.years.insert(y.year, days);
        }
        Ok(calendar)
    }

    /// The years that ship with the portal.
    pub fn bundled_years() -> Vec<CalendarYear> {
        serde_json::from_str(BUNDLED).unwrap_or_default()
    }

    /// The calendar of the published years (their current versions); a year
    /// that does not check is left out (and so is an explicit error when used).
    pub fn published(years: &[PublishedYear]) -> Calendar {
        let checked: Vec<CalendarYear> =
            years.iter().map(|y| y.calendar.clone()).filter(|c| c.check().is_ok()).collect();
        Calendar::new(checked).unwrap_or_default()
    }

    /// The calendar of the years that ship with the portal.
    pub fn bundled() -> Calendar {
        Calendar::new(Calendar::bundled_years()).unwrap_or_default()
    }

    /// The published years.
    pub fn years(&self) -> impl Iterator<Item = i32> + '_ {
        self.years.keys().copied()
    }

    /// Whether `day` is a working day.
    pub fn is_working_day(&self, day: Day) -> Result<bool, CalendarError> {
        let year = year_of(day);
        let days = self.years.get(&year).ok_or(CalendarError::NotPublished(year))?;
        Ok(days.workdays.contains(&day) || (weekday(day) < 5 && !days.holidays.contains(&day)))
    }

    /// The last day of "within `n` working days of `event`": counting starts
    /// the day after the event (民法典 art. 201); the deadline ends at 24:00
    /// Beijing time of the day returned. `n` = 0 is the event's day.
    pub fn add_working_days(&self, event: Day, n: u32) -> Result<Day, CalendarError> {
        let (mut d, mut left) = (event, n);
        while left > 0 {
            d += 1;
            if self.is_working_day(d)? {
                left -= 1;
            }
        }
        Ok(d)
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`).
    pub fn working_days_between(&self, from: Day, to: Day) -> Result<u32, CalendarError> {
        let mut n = 0;
        for d in from + 1..=to {
            n += u32::from(self.is_working_day(d)?);
        }
        Ok(n)
    }

    /// The first working day at or after `day`.
    pub fn working_day_from(&self, mut day: Day) -> Result<Day, CalendarError> {
        while !self.is_working_day(day)? {
            day += 1;
        }
        Ok(day)
    }

    /// Working days in a published year.
    pub fn working_days_in(&self, year: i32) -> Result<u32, CalendarError> {
        let first = draw::id::days_from_civil(i64::from(year), 1, 1);
        let last = draw::id::days_from_civil(i64::from(year), 12, 31);
        self.working_days_between(first - 1, last)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Day {
        day(s).unwrap()
    }

    #[test]
    fn the_known_answers_hold() {
        let c = Calendar::bundled();
        assert_eq!(c.years().collect::<Vec<_>>(), [2024, 2025, 2026]);
        // Working days per year, as counted from the notices.
        assert_eq!(c.working_days_in(2024), Ok(251));
        assert_eq!(c.working_days_in(2025), Ok(248));
        assert_eq!(c.working_days_in(2026), Ok(248));
        // Across the 2025 National Day and Mid-Autumn holiday, with its Saturday make-up day.
        assert_eq!(c.add_working_days(d("2025-09-26"), 10).map(date), Ok("2025-10-16".to_owned()));
        // Across the 2026 Spring Festival, with its two Saturday make-up days.
        assert_eq!(c.add_working_days(d("2026-02-10"), 10).map(date), Ok("2026-03-02".to_owned()));
        // Make-up Saturdays and Sundays are working days; holidays on weekdays are not.
        for workday in ["2024-02-04", "2024-02-18", "2025-01-26", "2025-09-28", "2026-01-04", "2026-02-28"] {
            assert_eq!(c.is_working_day(d(workday)), Ok(true), "{workday}");
            assert!(weekday(d(workday)) >= 5, "{workday} is a weekend day");
        }
        for holiday in ["2024-10-07", "2025-02-04", "2025-10-08", "2026-02-23"] {
            assert_eq!(c.is_working_day(d(holiday)), Ok(false), "{holiday}");
        }
        // An ordinary Saturday and Monday.
        assert_eq!(c.is_working_day(d("2025-06-07")), Ok(false));
        assert_eq!(c.is_working_day(d("2025-06-09")), Ok(true));
    }

    #[test]
    fn a_year_without_a_notice_is_an_error_not_a_guess() {
        let c = Calendar::bundled();
        assert_eq!(c.is_working_day(d("2027-01-04")), Err(CalendarError::NotPublished(2027)));
        // A deadline that runs into 2027 cannot be counted either.
        assert_eq!(c.add_working_days(d("2026-12-28"), 5), Err(CalendarError::NotPublished(2027)));
        assert_eq!(
            CalendarError::NotPublished(2027).to_string(),
            "2027 年的节假日安排尚未公布 / the holidays of 2027 have not been published yet"
        );
    }

    #[test]
    fn a_year_that_no_notice_could_set_is_refused_naming_the_field() {
        let mut y = Calendar::bundled_years().remove(1);
        y.workdays[0].date = "2025-01-27".into(); // a Monday
        assert!(matches!(y.check(), Err(CalendarError::Invalid { field, .. }) if field == "workdays[0].date"));
        let mut y = Calendar::bundled_years().remove(1);
        y.holidays[1].to = "2026-02-04".into();
        assert!(matches!(y.check(), Err(CalendarError::Invalid { field, .. }) if field == "holidays[1].to"));
        let mut y = Calendar::bundled_years().remove(1);
        y.holidays[2].from = "2025-01-01".into();
        y.holidays[2].to = "2025-01-01".into();
        assert!(matches!(y.check(), Err(CalendarError::Invalid { field, .. }) if field == "holidays[2]"));
        let mut y = Calendar::bundled_years().remove(1);
        y.notice.url = "javascript:alert(1)".into();
        assert!(matches!(y.check(), Err(CalendarError::Invalid { field, .. }) if field == "notice.url"));
    }
}
