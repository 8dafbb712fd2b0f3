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

impl Fields<'_> {
    pub fn line(&self) -> u64 {
        self.record.line
    }

    pub fn report(&mut self, field: &str, message: impl Display) {
        let line = self.record.line;
        let field = format!("{}{field}", self.prefix);
        self.problems.at(line, &field, message);
    }

    /// The text of a field; empty when absent. A list where text is expected is a problem.
    pub fn text(&mut self, name: &str) -> String {
        match self.record.fields.get(name) {
            None => String::new(),
            Some(Value::Text(t)) => t.clone(),
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
        match self.record.fields.get(name) {
            None => Vec::new(),
            Some(Value::List(l)) => l.clone(),
            Some(Value::Text(t)) => {
                t.split([';', '；']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
            }
            Some(Value::Records(_)) => {
                self.report(name, "应为字符串列表 / must be a list of strings");
                Vec::new()
            }
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
        if !value.is_empty()
            && let Err(e) = check_date(&value)
        {
            self.report(name, e);
        }
        value
    }

    /// An optional `YYYY-MM-DD` date.
    pub fn optional_date(&mut self, name: &str) -> Option<String> {
        let value = self.optional(name)?;
        if let Err(e) = check_date(&value) {
            self.report(name, e);
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
        if check_date(&value).is_ok() {
            return format!("{value}T00:00:00+08:00");
        }
        if let Err(e) = clock::parse_rfc3339(&value) {
            self.report("published_at", e);
        }
        value
    }

    /// The correction reason: non-empty means this row is a new version of a
    /// published record.
    pub fn correction(&mut self) -> Option<crate::storage::Correction> {
        self.optional("correction_reason").map(|reason| crate::storage::Correction { reason })
    }
}
