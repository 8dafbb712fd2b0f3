//! RFC 3339 times and their display in UTC and Beijing time. The times are
//! read by the draw crate (`draw::id::parse_time`, the one parser); this
//! module words its refusals and prints times.

use draw::id::{TimeError, format_beijing, format_utc, parse_time};

pub use draw::id::Time;

/// Why `s` is not a time, in words.
fn refusal(s: &str, e: TimeError) -> String {
    let (zh, en) = match e {
        TimeError::Form => (
            "格式应为 YYYY-MM-DDTHH:MM:SS，可带小数秒，以 Z 或 ±HH:MM 结尾",
            "the form is YYYY-MM-DDTHH:MM:SS, an optional fraction of a second, then Z or ±HH:MM",
        ),
        TimeError::Date => ("日期不存在（年份 1900–9999）", "no such date (years 1900–9999)"),
        TimeError::TimeOfDay => (
            "时、分或秒超出范围（不接受闰秒 60）",
            "the hour, minute or second is out of range (a leap second, 60, is not accepted)",
        ),
        TimeError::Offset => ("时区偏移超出 ±23:59", "the offset is beyond ±23:59"),
    };
    format!(
        "“{s}” 不是 RFC 3339 时间（如 2025-06-01T10:00:00+08:00）：{zh} / \
         '{s}' is not an RFC 3339 time (e.g. 2025-06-01T10:00:00+08:00): {en}"
    )
}

/// Reads `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)` strictly (see
/// `draw::id::parse_time`); a refusal says why, in both languages.
pub fn parse_rfc3339(s: &str) -> Result<Time, String> {
    parse_time(s).map_err(|e| refusal(s, e))
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc(unix: i64) -> String {
    format_utc(unix)
}

/// `YYYY-MM-DDTHH:MM:SS+08:00` (Beijing time is UTC+8, with no daylight saving time).
pub fn beijing(unix: i64) -> String {
    format!("{}+08:00", format_beijing(unix).replacen(' ', "T", 1))
}

/// The current Unix time, if the clock is after 1970.
pub fn now() -> Option<i64> {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .ok()
        .and_then(|d| i64::try_from(d.as_secs()).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_each_refusal() {
        assert_eq!(parse_rfc3339("2023-08-23T23:09:27+08:00").map(|t| t.unix), Ok(1_692_803_367));
        let leap = parse_rfc3339("2016-12-31T23:59:60Z").unwrap_err();
        assert!(
            leap.contains("'2016-12-31T23:59:60Z' is not an RFC 3339 time") && leap.contains("leap second"),
            "{leap}"
        );
        let offset = parse_rfc3339("2023-08-23T15:09:27+99:99").unwrap_err();
        assert!(offset.contains("offset is beyond ±23:59"), "{offset}");
        assert!(parse_rfc3339("2023-02-29T00:00:00Z").unwrap_err().contains("no such date"));
        assert!(parse_rfc3339("2023-08-23").unwrap_err().contains("the form is"));
    }

    #[test]
    fn formats_beijing_time() {
        assert_eq!(utc(1_692_803_367), "2023-08-23T15:09:27Z");
        assert_eq!(beijing(1_692_803_367), "2023-08-23T23:09:27+08:00");
        assert_eq!(beijing(1_692_803_367 + 9 * 3600), "2023-08-24T08:09:27+08:00");
        // Saturating, as the draw crate's formatting: no overflow near the end of time.
        assert!(beijing(i64::MAX).ends_with("+08:00"));
    }
}
