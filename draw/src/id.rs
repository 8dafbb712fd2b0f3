//! Identifiers and dates (SPEC.md §2).

use std::fmt;

use serde::{Deserialize, Serialize};

/// Why an identifier or date was rejected.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IdError {
    #[error("统一社会信用代码应为 18 位，实为 {0} 位 / a credit code has 18 characters, this has {0}")]
    CreditCodeLength(usize),
    #[error(
        "统一社会信用代码第 {position} 位字符 “{character}” 不在代码字符集中 / character '{character}' at position {position} is not in the code alphabet"
    )]
    CreditCodeCharacter { position: usize, character: char },
    #[error(
        "统一社会信用代码校验码错误：应为 {expected}，实为 {found} / check character should be {expected}, is {found}"
    )]
    CreditCodeCheck { expected: char, found: char },
    #[error(
        "执法证号应为 4–32 个字符（数字、大写字母、连字符或汉字）/ a certificate number has 4–32 characters: digits, capital letters, '-' or CJK ideographs"
    )]
    Certificate,
    #[error("日期 “{0}” 不是有效的 YYYY-MM-DD 日期 / '{0}' is not a valid YYYY-MM-DD date")]
    Date(String),
}

/// The 31 characters of GB 32100-2015 (no I, O, S, V, Z), in value order.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1..=17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

fn code_value(c: char) -> Option<u32> {
    ALPHABET.iter().position(|&a| a as char == c).map(|v| v as u32)
}

/// The check character for the first 17 characters of a credit code.
pub(crate) fn check_character(first17: &[u32; 17]) -> char {
    let sum: u32 = first17.iter().zip(WEIGHTS).map(|(v, w)| v * w).sum();
    let check = (31 - sum % 31) % 31;
    ALPHABET[check as usize] as char
}

fn code_values(s: &str, len: usize) -> Result<Vec<u32>, IdError> {
    let chars: Vec<char> = s.chars().collect();
    if chars.len() != len {
        return Err(IdError::CreditCodeLength(chars.len()));
    }
    chars
        .iter()
        .enumerate()
        .map(|(i, &c)| code_value(c).ok_or(IdError::CreditCodeCharacter { position: i + 1, character: c }))
        .collect()
}

/// Value of each byte in the code alphabet, or 255.
const VALUE: [u8; 256] = {
    let mut t = [255u8; 256];
    let mut i = 0;
    while i < 31 {
        t[ALPHABET[i] as usize] = i as u8;
        i += 1;
    }
    t
};

/// Checks a credit code without allocating, returning its 18 bytes.
pub fn check_credit_code(s: &str) -> Result<[u8; 18], IdError> {
    let b = s.as_bytes();
    if b.len() == 18 && b.iter().all(|&c| VALUE[c as usize] != 255) {
        let sum: u32 = b[..17].iter().zip(WEIGHTS).map(|(&c, w)| u32::from(VALUE[c as usize]) * w).sum();
        let expected = ALPHABET[((31 - sum % 31) % 31) as usize];
        if expected != b[17] {
            return Err(IdError::CreditCodeCheck { expected: expected as char, found: b[17] as char });
        }
        let mut out = [0u8; 18];
        out.copy_from_slice(b);
        return Ok(out);
    }
    CreditCode::parse(s).map(|_| [0u8; 18])
}

/// A 统一社会信用代码 (unified social credit code, GB 32100-2015) whose check
/// character is correct. It cannot hold an invalid code.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(transparent)]
pub struct CreditCode(String);

impl CreditCode {
    /// Parses an 18-character code and checks its check character.
    pub fn parse(s: &str) -> Result<Self, IdError> {
        let values = code_values(s, 18)?;
        let mut first17 = [0u32; 17];
        first17.copy_from_slice(&values[..17]);
        let expected = check_character(&first17);
        let found = ALPHABET[values[17] as usize] as char;
        if expected != found {
            return Err(IdError::CreditCodeCheck { expected, found });
        }
        Ok(Self(s.to_owned()))
    }

    /// Completes 17 characters with their check character.
    pub fn complete(first17: &str) -> Result<Self, IdError> {
        let values = code_values(first17, 17).map_err(|e| match e {
            IdError::CreditCodeLength(n) => IdError::CreditCodeLength(n + 1),
            other => other,
        })?;
        let mut arr = [0u32; 17];
        arr.copy_from_slice(&values);
        Ok(Self(format!("{first17}{}", check_character(&arr))))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CreditCode {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CreditCode::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Checks an enforcement certificate number (执法证号): 4 to 32 characters,
/// each an ASCII digit, an ASCII capital letter, '-', or a CJK unified
/// ideograph (U+4E00..=U+9FFF).
pub fn check_certificate(s: &str) -> Result<(), IdError> {
    let n = s.chars().count();
    let ok = (4..=32).contains(&n)
        && s.chars().all(|c| {
            c.is_ascii_digit() || c.is_ascii_uppercase() || c == '-' || ('\u{4E00}'..='\u{9FFF}').contains(&c)
        });
    if ok { Ok(()) } else { Err(IdError::Certificate) }
}

/// Checks a calendar date written `YYYY-MM-DD` (proleptic Gregorian, years
/// 1900..=9999). Valid dates compare correctly as strings.
pub fn check_date(s: &str) -> Result<(), IdError> {
    let bad = || IdError::Date(s.to_owned());
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<u32, IdError> {
        let part = &s[r];
        if part.bytes().all(|c| c.is_ascii_digit()) { part.parse().map_err(|_| bad()) } else { Err(bad()) }
    };
    let (y, m, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    if !(1900..=9999).contains(&y) || !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return Err(bad());
    }
    Ok(())
}

fn days_in_month(y: u32, m: u32) -> u32 {
    match m {
        2 if (y.is_multiple_of(4) && !y.is_multiple_of(100)) || y.is_multiple_of(400) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Formats Unix seconds as Beijing time, `YYYY-MM-DD HH:MM:SS` (UTC+8).
pub fn format_beijing(unix: i64) -> String {
    // Saturating, and split at `T` rather than at fixed offsets: a year past 9999 has more digits.
    let utc = format_utc(unix.saturating_add(8 * 3600));
    let (date, time) = utc.split_once('T').unwrap_or((&utc, ""));
    format!("{date} {}", time.trim_end_matches('Z'))
}

/// Formats Unix seconds as `YYYY-MM-DDTHH:MM:SSZ` (UTC), for showing when a
/// randomness beacon round is emitted.
pub fn format_utc(unix: i64) -> String {
    let days = unix.div_euclid(86_400);
    let secs = unix.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z", secs / 3600, secs % 3600 / 60, secs % 60)
}

/// A time read from RFC 3339 text: whole Unix seconds, and whether a fraction
/// of a second other than zero followed them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Time {
    pub unix: i64,
    pub fraction: bool,
}

impl Time {
    /// The first whole second at or after this time.
    pub fn ceil(self) -> i64 {
        self.unix.saturating_add(i64::from(self.fraction))
    }
}

/// Why a text is not an RFC 3339 time (see [`parse_time`]); callers word it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeError {
    /// Not `YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`.
    Form,
    /// The date is not a calendar date of the years 1900–9999 (as [`check_date`]).
    Date,
    /// An hour over 23, or a minute or second over 59: a leap second (60) is not accepted.
    TimeOfDay,
    /// An offset beyond ±23:59.
    Offset,
}

/// Days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's days_from_civil).
pub fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

/// Digits only, as a number (`None` for a sign, a space or anything else).
fn digits(s: &str, r: std::ops::Range<usize>) -> Option<i64> {
    let t = s.get(r)?;
    if !t.is_empty() && t.bytes().all(|c| c.is_ascii_digit()) { t.parse().ok() } else { None }
}

/// Reads an RFC 3339 time strictly: `YYYY-MM-DDTHH:MM:SS`, an optional
/// fraction of a second, then `Z` or `±HH:MM` (`t`, `z` and a space instead
/// of `T` are accepted). The date is a [`check_date`] date; the second is at
/// most 59 (no leap second) and the offset at most ±23:59.
pub fn parse_time(s: &str) -> Result<Time, TimeError> {
    let b = s.as_bytes();
    if b.len() < 20 || !s.is_ascii() || !matches!(b[10], b'T' | b't' | b' ') || b[13] != b':' || b[16] != b':' {
        return Err(TimeError::Form);
    }
    check_date(&s[..10]).map_err(|_| TimeError::Date)?;
    let (Some(year), Some(month), Some(day)) = (digits(s, 0..4), digits(s, 5..7), digits(s, 8..10)) else {
        return Err(TimeError::Date);
    };
    let (Some(hour), Some(minute), Some(second)) = (digits(s, 11..13), digits(s, 14..16), digits(s, 17..19)) else {
        return Err(TimeError::Form);
    };
    if hour > 23 || minute > 59 || second > 59 {
        return Err(TimeError::TimeOfDay);
    }
    let mut rest = &s[19..];
    let mut fraction = false;
    if let Some(after) = rest.strip_prefix('.') {
        let count = after.bytes().take_while(u8::is_ascii_digit).count();
        if count == 0 {
            return Err(TimeError::Form);
        }
        fraction = after[..count].bytes().any(|c| c != b'0');
        rest = &after[count..];
    }
    let offset = match rest {
        "Z" | "z" => 0,
        _ => {
            let o = rest.as_bytes();
            if o.len() != 6 || !matches!(o[0], b'+' | b'-') || o[3] != b':' {
                return Err(TimeError::Form);
            }
            let (Some(h), Some(m)) = (digits(rest, 1..3), digits(rest, 4..6)) else {
                return Err(TimeError::Form);
            };
            if h > 23 || m > 59 {
                return Err(TimeError::Offset);
            }
            let sign = if o[0] == b'-' { -1 } else { 1 };
            sign * (h * 3600 + m * 60)
        }
    };
    let local = days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second;
    Ok(Time { unix: local - offset, fraction })
}

/// An RFC 3339 time as whole Unix seconds (a fraction is dropped); `None` if
/// [`parse_time`] refuses it.
pub fn parse_rfc3339(s: &str) -> Option<i64> {
    parse_time(s).ok().map(|t| t.unix)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_valid_and_rejects_wrong_check_character() {
        // Check character computed by hand from the GB 32100 weights.
        let good = CreditCode::complete("91110000600037341").unwrap();
        assert_eq!(good.as_str().len(), 18);
        assert!(CreditCode::parse(good.as_str()).is_ok());
        let mut bad = good.as_str()[..17].to_owned();
        let last = good.as_str().chars().last().unwrap();
        bad.push(if last == '0' { '1' } else { '0' });
        assert!(matches!(CreditCode::parse(&bad), Err(IdError::CreditCodeCheck { .. })));
        assert!(matches!(
            CreditCode::parse("91110000I00037341X"),
            Err(IdError::CreditCodeCharacter { position: 9, .. })
        ));
        assert_eq!(CreditCode::parse("123"), Err(IdError::CreditCodeLength(3)));
    }

    #[test]
    fn dates() {
        assert!(check_date("2024-02-29").is_ok());
        assert!(check_date("2025-02-29").is_err());
        assert!(check_date("2025-13-01").is_err());
        assert!(check_date("2025-1-01").is_err());
        assert_eq!(format_utc(1_692_803_367), "2023-08-23T15:09:27Z");
        assert_eq!(format_utc(0), "1970-01-01T00:00:00Z");
        assert_eq!(format_beijing(1_692_803_367), "2023-08-23 23:09:27");
        assert_eq!(parse_rfc3339("2023-08-23T15:09:27Z"), Some(1_692_803_367));
        assert_eq!(parse_rfc3339("2023-08-23T23:09:27+08:00"), Some(1_692_803_367));
        assert_eq!(parse_rfc3339("2023-08-23T15:09:27.250Z"), Some(1_692_803_367));
        assert_eq!(parse_rfc3339("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_rfc3339("2024-02-29T12:00:00-01:30"), Some(1_709_213_400));
        assert_eq!(parse_rfc3339("2023-02-29T15:09:27Z"), None);
        assert_eq!(parse_rfc3339("2023-08-23 15:09"), None);
        assert_eq!(parse_rfc3339("2023-08-23T15:09:27"), None);
    }

    #[test]
    fn rfc3339_offsets_and_fractions() {
        let genesis = 1_692_803_367;
        let at = |s: &str| parse_time(s).map(|t| t.unix);
        assert_eq!(at("2023-08-23T15:09:27Z"), Ok(genesis));
        assert_eq!(at("2023-08-23t15:09:27z"), Ok(genesis));
        assert_eq!(at("2023-08-23T23:09:27+08:00"), Ok(genesis));
        assert_eq!(at("2023-08-23 10:09:27-05:00"), Ok(genesis));
        assert_eq!(at("2023-08-23T15:39:27+00:30"), Ok(genesis));
        assert_eq!(at("2023-08-24T15:08:27+23:59"), Ok(genesis));
        assert_eq!(at("2023-08-22T15:10:27-23:59"), Ok(genesis));
        // A fraction: the whole second, and whether anything followed it.
        let t = parse_time("2023-08-23T15:09:27.250Z").unwrap();
        assert_eq!((t.unix, t.fraction, t.ceil()), (genesis, true, genesis + 1));
        let t = parse_time("2023-08-23T15:09:27.000000001+08:00").unwrap();
        assert_eq!((t.unix, t.ceil()), (genesis - 8 * 3600, genesis - 8 * 3600 + 1));
        let t = parse_time("2023-08-23T15:09:27.000Z").unwrap();
        assert_eq!((t.fraction, t.ceil()), (false, genesis));
        assert_eq!(parse_rfc3339("2023-08-23T15:09:27.999Z"), Some(genesis));
    }

    #[test]
    fn rfc3339_refuses_leap_seconds_wide_offsets_and_other_forms() {
        use TimeError::*;
        for (wrong, why) in [
            ("2016-12-31T23:59:60Z", TimeOfDay),
            ("2023-08-23T24:00:00Z", TimeOfDay),
            ("2023-08-23T15:60:00Z", TimeOfDay),
            ("2023-08-23T15:09:27+99:99", Offset),
            ("2023-08-23T15:09:27+24:00", Offset),
            ("2023-08-23T15:09:27-00:60", Offset),
            ("2023-02-29T00:00:00Z", Date),
            ("2023-13-01T00:00:00Z", Date),
            ("1899-12-31T00:00:00Z", Date),
            ("2023-08-23", Form),
            ("2023-08-23T15:09:27", Form),
            ("2023-08-23T15:09:27+8:00", Form),
            ("2023-08-23T15:09:27+08:0a", Form),
            ("2023-08-23T15:09:27.Z", Form),
            ("2023-08-23T15:09:27Z ", Form),
            ("2023-08-23T1 :09:27Z", Form),
            ("2023-08-23T15:09:27+08：00", Form),
        ] {
            assert_eq!(parse_time(wrong), Err(why), "{wrong}");
            assert_eq!(parse_rfc3339(wrong), None, "{wrong}");
        }
    }

    #[test]
    fn certificates() {
        assert!(check_certificate("43010020160001").is_ok());
        assert!(check_certificate("湘JD-0001").is_ok());
        assert!(check_certificate("ab12").is_err());
        assert!(check_certificate("12").is_err());
    }
}
