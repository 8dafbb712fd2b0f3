//! Calendar arithmetic for the demo's deadlines, in working days.
//!
//! Working days here are Monday to Friday; the demo does not model the
//! statutory holidays and make-up days the State Council announces each year.

/// Days since 1970-01-01 of a `YYYY-MM-DD` date (proleptic Gregorian).
pub fn days(date: &str) -> i64 {
    let y: i64 = date.get(0..4).and_then(|s| s.parse().ok()).unwrap_or(1970);
    let m: i64 = date.get(5..7).and_then(|s| s.parse().ok()).unwrap_or(1);
    let d: i64 = date.get(8..10).and_then(|s| s.parse().ok()).unwrap_or(1);
    draw::id::days_from_civil(y, m, d)
}

/// The `YYYY-MM-DD` date of a day number.
pub fn date(days: i64) -> String {
    let utc = draw::id::format_utc(days.saturating_mul(86_400));
    utc.split_once('T').map_or_else(|| utc.clone(), |(date, _)| date.to_owned())
}

/// Monday = 0 … Sunday = 6.
pub fn weekday(days: i64) -> i64 {
    (days + 3).rem_euclid(7)
}

/// The first working day at or after `day`.
pub fn working_day_from(mut day: i64) -> i64 {
    while weekday(day) >= 5 {
        day += 1;
    }
    day
}

/// `n` working days after `date`.
pub fn add_working_days(date_str: &str, n: u32) -> String {
    let mut day = days(date_str);
    let mut left = n;
    while left > 0 {
        day += 1;
        if weekday(day) < 5 {
            left -= 1;
        }
    }
    date(day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_and_weekdays() {
        assert_eq!(days("1970-01-01"), 0);
        assert_eq!(date(days("2025-06-01")), "2025-06-01");
        assert_eq!(date(days("2024-02-29") + 1), "2024-03-01");
        // 2025-06-02 is a Monday.
        assert_eq!(weekday(days("2025-06-02")), 0);
        // Friday + 1 working day = Monday.
        assert_eq!(add_working_days("2025-06-06", 1), "2025-06-09");
        assert_eq!(add_working_days("2025-06-02", 5), "2025-06-09");
        assert_eq!(date(working_day_from(days("2025-06-01"))), "2025-06-02");
        // Known weekdays, from a calendar: 2024-12-31 Tuesday, 2000-01-01 Saturday, 2026-11-30 Monday.
        assert_eq!(weekday(days("2024-12-31")), 1);
        assert_eq!(weekday(days("2000-01-01")), 5);
        assert_eq!(weekday(days("2026-11-30")), 0);
        // Over a weekend: Thursday + 5 working days = next Thursday.
        assert_eq!(add_working_days("2025-06-05", 5), "2025-06-12");
    }
}
