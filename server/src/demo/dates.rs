//! Calendar arithmetic for the demo's deadlines, in official working days
//! (the portal's working-day calendar, `app::calendar`, with the State
//! Council's holidays and make-up working days).

use std::sync::LazyLock;

use app::calendar::{self, Calendar, CalendarError};

static CALENDAR: LazyLock<Calendar> = LazyLock::new(Calendar::bundled);

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (0 if it is not one; the
/// demo's dates are its own).
pub fn days(date: &str) -> i64 {
    calendar::day(date).unwrap_or(0)
}

/// The `YYYY-MM-DD` date of a day number.
pub fn date(days: i64) -> String {
    calendar::date(days)
}

/// The first working day at or after `day`.
pub fn working_day_from(day: i64) -> Result<i64, CalendarError> {
    CALENDAR.working_day_from(day)
}

/// The last day of "within `n` working days" of `date` (counted from the day after).
pub fn add_working_days(date_str: &str, n: u32) -> Result<String, CalendarError> {
    CALENDAR.add_working_days(days(date_str), n).map(date)
}

/// Working days after `from` up to and including `to`.
#[cfg(test)]
pub fn working_days_between(from: &str, to: &str) -> Result<u32, CalendarError> {
    CALENDAR.working_days_between(days(from), days(to))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadlines_skip_holidays_and_count_make_up_days() {
        assert_eq!(days("1970-01-01"), 0);
        assert_eq!(date(days("2024-02-29") + 1), "2024-03-01");
        // Friday + 1 working day = Monday.
        assert_eq!(add_working_days("2025-06-06", 1).unwrap(), "2025-06-09");
        // Over the Dragon Boat Festival (2025-05-31 to 06-02): Friday 05-30 + 1 = Tuesday 06-03.
        assert_eq!(add_working_days("2025-05-30", 1).unwrap(), "2025-06-03");
        // The make-up Sunday 2025-09-28 is a working day: Friday 09-26 + 1 = Sunday 09-28.
        assert_eq!(add_working_days("2025-09-26", 1).unwrap(), "2025-09-28");
        assert_eq!(date(working_day_from(days("2025-10-01")).unwrap()), "2025-10-09");
        assert_eq!(working_days_between("2025-09-26", "2025-10-16").unwrap(), 10);
        assert!(add_working_days("2026-12-30", 3).is_err(), "2027 is not published");
    }
}
