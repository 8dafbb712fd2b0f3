//! RFC 3339 times and their display in UTC and Beijing time, without a date
//! library: the draw crate already formats UTC, and parsing is a few lines.

use draw::id::{check_date, format_utc};

/// Beijing time is UTC+8, with no daylight saving time.
const BEIJING_OFFSET: i64 = 8 * 3600;

/// A parsed RFC 3339 time: whole Unix seconds, and whether a fraction of a
/// second followed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time {
    pub unix: i64,
    pub fraction: bool,
}

impl Time {
    /// The first whole second at or after this time.
    pub fn ceil(self) -> i64 {
        self.unix + i64::from(self.fraction)
    }
}

fn bad(s: &str) -> String {
    format!(
        "“{s}” 不是 RFC 3339 时间（如 2025-06-01T10:00:00+08:00）/ '{s}' is not an RFC 3339 time (e.g. 2025-06-01T10:00:00+08:00)"
    )
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`; `t`, `z` and a space
/// instead of `T` are accepted.
pub fn parse_rfc3339(s: &str) -> Result<Time, String> {
    let b = s.as_bytes();
    if b.len() < 20 || !s.is_ascii() {
        return Err(bad(s));
    }
    check_date(&s[..10]).map_err(|_| bad(s))?;
    if !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return Err(bad(s));
    }
    let number = |from: usize, to: usize| -> Result<i64, String> {
        let part = &s[from..to];
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().map_err(|_| bad(s)) } else { Err(bad(s)) }
    };
    let (year, month, day) = (number(0, 4)?, number(5, 7)?, number(8, 10)?);
    let (hour, minute, second) = (number(11, 13)?, number(14, 16)?, number(17, 19)?);
    if hour > 23 || minute > 59 || second > 59 {
        return Err(bad(s));
    }
    let mut rest = &s[19..];
    let mut fraction = false;
    if let Some(after) = rest.strip_prefix('.') {
        let digits = after.bytes().take_while(u8::is_ascii_digit).count();
        if digits == 0 {
            return Err(bad(s));
        }
        fraction = after[..digits].bytes().any(|c| c != b'0');
        rest = &after[digits..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            if o.len() != 6 || !matches!(o[0], b'+' | b'-') || o[3] != b':' {
                return Err(bad(s));
            }
            let digits = |part: &str| -> Result<i64, String> {
                if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().map_err(|_| bad(s)) } else { Err(bad(s)) }
            };
            let (h, m) = (digits(&rest[1..3])?, digits(&rest[4..6])?);
            if h > 23 || m > 59 {
                return Err(bad(s));
            }
            let sign = if o[0] == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
    };
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Ok(Time { unix: local - offset, fraction })
}

/// `YYYY-MM-DDTHH:MM:SSZ`.
pub fn utc(unix: i64) -> String {
    format_utc(unix)
}

/// `YYYY-MM-DDTHH:MM:SS+08:00`.
pub fn beijing(unix: i64) -> String {
    let shifted = format_utc(unix + BEIJING_OFFSET);
    format!("{}+08:00", shifted.trim_end_matches('Z'))
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
    fn parses_offsets_and_fractions() {
        let genesis = 1_692_803_367;
        assert_eq!(parse_rfc3339("2023-08-23T15:09:27Z").map(|t| t.unix), Ok(genesis));
        assert_eq!(parse_rfc3339("2023-08-23T23:09:27+08:00").map(|t| t.unix), Ok(genesis));
        assert_eq!(parse_rfc3339("2023-08-23 10:09:27-05:00").map(|t| t.unix), Ok(genesis));
        let t = parse_rfc3339("2023-08-23T15:09:27.250Z").unwrap();
        assert_eq!((t.unix, t.ceil()), (genesis, genesis + 1));
        assert_eq!(parse_rfc3339("2023-08-23T15:09:27.000Z").unwrap().ceil(), genesis);
        for wrong in [
            "2023-08-23",
            "2023-02-30T00:00:00Z",
            "2023-08-23T24:00:00Z",
            "2023-08-23T15:09:27",
            "2023-08-23T15:09:27+8:00",
        ] {
            assert!(parse_rfc3339(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn formats_beijing_time() {
        assert_eq!(utc(1_692_803_367), "2023-08-23T15:09:27Z");
        assert_eq!(beijing(1_692_803_367), "2023-08-23T23:09:27+08:00");
        assert_eq!(beijing(1_692_803_367 + 9 * 3600), "2023-08-24T08:09:27+08:00");
    }
}
