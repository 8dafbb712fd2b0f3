//! `server import report FILE`: publish a department's own yearly plan
//! execution report (年度检查计划执行情况, 001 art. 26) — its text and the
//! figures it declares, which the report page shows beside the computed ones.
//!
//! JSON: one report or an array of reports:
//! `{"department_code", "year", "title", "text", "figures": {"drawn": 70, "problem_rate": 12.5, …},
//!   "published_at"?, "correction_reason"?}`; figure keys are those of
//! [`app::report::FigureKey`] (counts as whole numbers, rates in percent).

use std::collections::BTreeMap;

use app::report::FigureKey;
use serde::Deserialize;

use super::super::{Failure, files};
use super::{ReportArgs, now, storage_failure};
use crate::storage::{NewDeclaredReport, Storage, StorageError};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct DeclaredFile {
    department_code: Option<String>,
    year: Option<i64>,
    title: Option<String>,
    text: Option<String>,
    #[serde(default)]
    figures: BTreeMap<String, serde_json::Value>,
    published_at: Option<String>,
    correction_reason: Option<String>,
}

/// Longest text of a declared report, in characters.
const MAX_TEXT: usize = 50_000;

fn text_ok(value: &str, max: usize) -> bool {
    !value.trim().is_empty()
        && value.chars().count() <= max
        && !value.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
}

/// Checks one report; every problem is `(field, message)`.
fn check(r: DeclaredFile, default_time: &str) -> Result<NewDeclaredReport, Vec<(String, String)>> {
    let mut problems: Vec<(String, String)> = Vec::new();
    let mut problem = |field: &str, message: String| problems.push((field.to_owned(), message));
    let department_code = r.department_code.unwrap_or_default().trim().to_owned();
    if department_code.is_empty() {
        problem("department_code", "必填 / required".to_owned());
    }
    let year = r.year.unwrap_or(0);
    if !(1900..=9999).contains(&year) {
        problem("year", "应为 1900–9999 的年份 / must be a year from 1900 to 9999".to_owned());
    }
    let title = r.title.unwrap_or_default();
    if !text_ok(&title, 200) {
        problem(
            "title",
            "应为 1–200 个字符，不含控制字符 / must be 1–200 characters without control characters".to_owned(),
        );
    }
    let text = r.text.unwrap_or_default();
    if !text_ok(&text, MAX_TEXT) {
        problem(
            "text",
            format!(
                "应为 1–{MAX_TEXT} 个字符，不含控制字符 / must be 1–{MAX_TEXT} characters without control characters"
            ),
        );
    }
    let mut figures = BTreeMap::new();
    for (key, value) in r.figures {
        let field = format!("figures.{key}");
        let Some(k) = FigureKey::parse(&key) else {
            let known: Vec<&str> = FigureKey::ALL.iter().map(|k| k.as_str()).collect();
            problem(
                &field,
                format!("未知的数字项；可用：{} / unknown figure; known: {}", known.join(", "), known.join(", ")),
            );
            continue;
        };
        let Some(v) = value.as_f64().filter(|v| v.is_finite() && *v >= 0.0) else {
            problem(&field, format!("应为不小于 0 的数字：{value} / must be a number of at least 0: {value}"));
            continue;
        };
        if k.is_rate() && v > 100.0 {
            problem(&field, format!("比例（百分数）不能大于 100：{v} / a rate (percent) cannot exceed 100: {v}"));
            continue;
        }
        if !k.is_rate() && v.fract() != 0.0 {
            problem(&field, format!("应为整数：{v} / must be a whole number: {v}"));
            continue;
        }
        figures.insert(key, v);
    }
    let published_at = match r.published_at {
        None => default_time.to_owned(),
        Some(t) => match draw::id::parse_rfc3339(&t) {
            Some(_) => t,
            None => {
                problem("published_at", format!("不是 RFC 3339 时间：{t:?} / not an RFC 3339 time: {t:?}"));
                String::new()
            }
        },
    };
    let correction_reason = r.correction_reason.filter(|c| !c.trim().is_empty());
    if let Some(c) = &correction_reason
        && !text_ok(c, 1000)
    {
        problem("correction_reason", "应为 1–1000 个字符 / must be 1–1000 characters".to_owned());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    Ok(NewDeclaredReport { department_code, year, title, text, figures, published_at, correction_reason })
}

pub async fn report(args: &ReportArgs, storage: &dyn Storage) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let text = files::read_text(&args.file)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Failure::unreadable(files::json_error(&args.file, &e)))?;
    let values = match value {
        serde_json::Value::Array(list) => list,
        other => vec![other],
    };
    if values.is_empty() {
        return Err(Failure::content(format!("{shown}: 没有任何报告 / no report in the file")));
    }
    let time = now();
    let mut reports = Vec::new();
    let mut problems = Vec::new();
    for (i, v) in values.into_iter().enumerate() {
        let at = format!("{shown}: 报告 / report {}", i + 1);
        match serde_json::from_value::<DeclaredFile>(v) {
            Err(e) => problems.push(format!("{at}: {e}")),
            Ok(r) => match check(r, &time) {
                Ok(r) => reports.push(r),
                Err(list) => problems.extend(list.into_iter().map(|(f, m)| format!("{at}: {f}: {m}"))),
            },
        }
    }
    if !problems.is_empty() {
        return Err(Failure::content(problems.join("\n")));
    }
    match storage.insert_declared_reports(&reports).await {
        Ok(()) => {
            for r in &reports {
                eprintln!(
                    "已公布 {} {} 年执行情况报告 / published the {} report of {}",
                    r.department_code, r.year, r.year, r.department_code
                );
            }
            Ok(())
        }
        Err(StorageError::Rejected(list)) => Err(Failure::content(
            list.iter()
                .map(|p| format!("{shown}: 报告 / report {}: {}: {}", p.index + 1, p.field, p.message))
                .collect::<Vec<_>>()
                .join("\n"),
        )),
        Err(e) => Err(storage_failure(e)),
    }
}
