//! Checking the fields of one record; every problem is `file:line: field: message`.

use std::fmt::Display;
use std::str::FromStr;

use draw::CreditCode;
use draw::id::{check_credit_code, check_date};

use super::super::clock;
use super::source::{Record, Value};

/// The problems of one file.
#[derive(Debug)]
pub struct Problems {
    pub file: String,
    pub list: Vec<String>,
}

impl Problems {
    pub fn new(file: String) -> Self {
        Self { file, list: Vec::new() }
    }

    pub fn at(&mut self, line: u64, field: &str, message: impl Display) {
        self.list.push(format!("{}:{line}: {field}: {message}", self.file));
    }
}

/// The fields of one record, checked as they are read.
pub struct Fields<'a> {
    pub record: &'a Record,
    pub problems: &'a mut Problems,
    /// When the import runs (RFC 3339, Beijing time): the default `published_at`.
    pub now: &'a str,
    /// Put before field names in problems, e.g. `lines[2].` for a line of a JSON plan.
    pub prefix: String,
}

const REQUIRED: &str = "必填，不能为空 / required, must not be empty";

/// Fields whose text may run to paragraphs: up to [`MAX_LONG_TEXT_CHARS`], line breaks allowed.
pub const LONG_TEXT: &[&str] =
    &["content", "legal_basis", "findings", "rectification", "scope", "inspector_requirements", "correction_reason"];
/// Every other text (names, codes, units, list items): one line of at most this many characters.
pub const MAX_TEXT_CHARS: usize = 200;
/// See [`LONG_TEXT`].
pub const MAX_LONG_TEXT_CHARS: usize = 5000;
/// No date before this is plausible (双随机、一公开 began in 2015).
pub const EARLIEST_DATE: &str = "2000-01-01";
/// No date after this is plausible (certificates and plans look years ahead, not centuries).
pub const LATEST_DATE: &str = "2099-12-31";
/// Dates of things that have happened: not after the day of the import (Beijing time).
pub const EVENT_DATES: &[&str] = &["inspected_on", "reported_on", "delivered_on", "entered_on"];

/// What is wrong with a text value, if anything: too long, or a control
/// character (only a line break, in long texts).
pub fn text_problem(name: &str, value: &str) -> Option<String> {
    let long = LONG_TEXT.contains(&name);
    let max = if long { MAX_LONG_TEXT_CHARS } else { MAX_TEXT_CHARS };
    let count = value.chars().count();
    if count > max {
        return Some(format!("过长：{count} 个字符，最多 {max} 个 / too long: {count} characters, at most {max}"));
    }
    if let Some(c) = value.chars().find(|&c| c.is_control() && !(long && c == '\n')) {
        let code = format!("U+{:04X}", u32::from(c));
        return Some(if long {
            format!(
                "含有控制字符 {code}（只允许换行）/ contains the control character {code} (only line breaks are allowed)"
            )
        } else {
            format!(
                "含有控制字符 {code}（须为单行文字）/ contains the control character {code} (must be one line of text)"
            )
        });
    }
    None
}

impl Fields<'_> {
    pub fn line(&self) -> u64 {
        self.record.line
    }

    pub fn report(&mut self, field: &str, message: impl Display) {
        let line = self.record.line;
        let field = format!("{}{field}", self.prefix);
        self.problems.at(line, &field, message);
    }

    /// The text of a field; empty when absent. A list where text is expected
    /// is a problem, and so is text that breaks the limits of [`text_problem`]
    /// (line breaks of long texts are stored as `\n`).
    pub fn text(&mut self, name: &str) -> String {
        match self.record.fields.get(name) {
            None => String::new(),
            Some(Value::Text(t)) => {
                let t = if LONG_TEXT.contains(&name) { t.replace("\r\n", "\n") } else { t.clone() };
                if let Some(problem) = text_problem(name, &t) {
                    self.report(name, problem);
                }
                t
            }
            Some(Value::List(_) | Value::Records(_)) => {
                self.report(name, "应为单个值，不是列表 / must be a single value, not a list");
                String::new()
            }
        }
    }

    /// A field that must not be empty.
    pub fn required(&mut self, name: &str) -> String {
        let value = self.text(name);
        if value.is_empty() && !matches!(self.record.fields.get(name), Some(Value::List(_) | Value::Records(_))) {
            self.report(name, REQUIRED);
        }
        value
    }

    /// An optional field: `None` when empty.
    pub fn optional(&mut self, name: &str) -> Option<String> {
        Some(self.text(name)).filter(|t| !t.is_empty())
    }

    /// A list: a JSON array, or a cell separated by `;` or `；`.
    pub fn list(&mut self, name: &str) -> Vec<String> {
        let list: Vec<String> = match self.record.fields.get(name) {
            None => Vec::new(),
            Some(Value::List(l)) => l.clone(),
            Some(Value::Text(t)) => {
                t.split([';', '；']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
            }
            Some(Value::Records(_)) => {
                self.report(name, "应为字符串列表 / must be a list of strings");
                Vec::new()
            }
        };
        for (i, item) in list.iter().enumerate() {
            if let Some(problem) = text_problem(name, item) {
                self.report(&format!("{name}[{}]", i + 1), problem);
            }
        }
        list
    }

    /// Reports a well-formed date outside the plausible range: before
    /// [`EARLIEST_DATE`], after [`LATEST_DATE`], or, for an event, after today.
    fn plausible_date(&mut self, name: &str, value: &str) {
        let today = self.now.get(..10).unwrap_or(LATEST_DATE).to_owned();
        if !(EARLIEST_DATE..=LATEST_DATE).contains(&value) {
            self.report(
                name,
                format!(
                    "日期 {value} 不合理（应在 {EARLIEST_DATE} 至 {LATEST_DATE} 之间）/ the date {value} is implausible (must be from {EARLIEST_DATE} to {LATEST_DATE})"
                ),
            );
        } else if EVENT_DATES.contains(&name) && value > today.as_str() {
            self.report(
                name,
                format!("日期 {value} 晚于今天（{today}），尚未发生 / the date {value} is after today ({today}): it has not happened yet"),
            );
        }
    }

    /// A boolean: true/false/1/0/是/否; empty is false.
    pub fn flag(&mut self, name: &str) -> bool {
        let value = self.text(name);
        match value.to_lowercase().as_str() {
            "" | "false" | "0" | "否" => false,
            "true" | "1" | "是" => true,
            _ => {
                self.report(
                    name,
                    format!(
                        "“{value}” 不是布尔值（true/false/1/0/是/否，空为否）/ '{value}' is not a boolean (true/false/1/0/是/否, empty = false)"
                    ),
                );
                false
            }
        }
    }

    /// A `YYYY-MM-DD` date.
    pub fn date(&mut self, name: &str) -> String {
        let value = self.required(name);
        if !value.is_empty() {
            match check_date(&value) {
                Err(e) => self.report(name, e),
                Ok(()) => self.plausible_date(name, &value),
            }
        }
        value
    }

    /// An optional `YYYY-MM-DD` date.
    pub fn optional_date(&mut self, name: &str) -> Option<String> {
        let value = self.optional(name)?;
        match check_date(&value) {
            Err(e) => self.report(name, e),
            Ok(()) => self.plausible_date(name, &value),
        }
        Some(value)
    }

    /// A 统一社会信用代码 with a correct check character.
    pub fn credit_code(&mut self, name: &str) -> Option<CreditCode> {
        let value = self.required(name);
        if value.is_empty() {
            return None;
        }
        match CreditCode::parse(&value) {
            Ok(code) => Some(code),
            Err(e) => {
                self.report(name, e);
                None
            }
        }
    }

    /// A list of credit codes, each checked.
    pub fn credit_codes(&mut self, name: &str) -> Vec<String> {
        let list = self.list(name);
        for code in &list {
            if let Err(e) = check_credit_code(code) {
                self.report(name, format!("{code}: {e}"));
            }
        }
        list
    }

    /// A number; `None` when empty (reported when `required`) or invalid (reported).
    pub fn number<T: FromStr>(&mut self, name: &str, required: bool) -> Option<T> {
        let value = if required { self.required(name) } else { self.text(name) };
        if value.is_empty() {
            return None;
        }
        match value.parse() {
            Ok(n) => Some(n),
            Err(_) => {
                self.report(name, format!("“{value}” 不是有效的整数 / '{value}' is not a valid whole number"));
                None
            }
        }
    }

    /// One of the given values (matched case-insensitively), each with its
    /// accepted spellings; returns the index.
    pub fn choice(&mut self, name: &str, choices: &[&[&str]]) -> Option<usize> {
        let value = self.required(name);
        if value.is_empty() {
            return None;
        }
        let lower = value.to_lowercase();
        let found = choices.iter().position(|spellings| spellings.iter().any(|s| s.to_lowercase() == lower));
        if found.is_none() {
            let all = choices.iter().map(|s| s.join("/")).collect::<Vec<_>>().join("，");
            self.report(name, format!("“{value}” 不是可用的值（{all}）/ '{value}' is not one of the values ({all})"));
        }
        found
    }

    /// The publication time: RFC 3339, or a date (midnight Beijing time);
    /// empty means the time of the import.
    pub fn published_at(&mut self) -> String {
        let value = self.text("published_at");
        if value.is_empty() {
            return self.now.to_owned();
        }
        let value = if check_date(&value).is_ok() { format!("{value}T00:00:00+08:00") } else { value };
        match (clock::parse_rfc3339(&value), clock::parse_rfc3339(self.now)) {
            (Err(e), _) => self.report("published_at", e),
            (Ok(at), Ok(now)) => {
                // A day's leeway for clocks and time zones; nothing is published in the future.
                if at.unix > now.unix + 86_400 {
                    self.report(
                        "published_at",
                        format!("{value} 晚于导入时间，不能预先公示 / {value} is after the time of the import: nothing is published in advance"),
                    );
                } else if value.get(..10).is_some_and(|d| d < EARLIEST_DATE) {
                    self.report(
                        "published_at",
                        format!(
                            "{value} 早于 {EARLIEST_DATE}，不合理 / {value} is before {EARLIEST_DATE}: implausible"
                        ),
                    );
                }
            }
            (Ok(_), Err(_)) => {}
        }
        value
    }

    /// The correction reason: non-empty means this row is a new version of a
    /// published record.
    pub fn correction(&mut self) -> Option<crate::storage::Correction> {
        self.optional("correction_reason").map(|reason| crate::storage::Correction { reason })
    }
}
