//! `server import calendar FILE`: publish a year of the working-day calendar
//! (法定工作日) from its State Council notice, as JSON in the format of
//! `app/calendar/cn.json` (one year, or an array of years).

use app::calendar::CalendarYear;

use super::super::{Failure, files};
use super::{CalendarArgs, now, storage_failure, time_arg};
use crate::publish::{CalendarPublishError, publish_calendar_year, verify_calendar_year};
use crate::storage::{Storage, StorageError};

pub async fn calendar(args: &CalendarArgs, storage: &dyn Storage) -> Result<(), Failure> {
    let shown = args.file.display().to_string();
    let text = files::read_text(&args.file)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Failure::unreadable(files::json_error(&args.file, &e)))?;
    let years: Vec<CalendarYear> = match value {
        serde_json::Value::Array(_) => serde_json::from_value(value),
        other => serde_json::from_value(other).map(|y| vec![y]),
    }
    .map_err(|e| Failure::content(format!("{shown}: 不是节假日安排 / not a calendar year: {e}")))?;
    if years.is_empty() {
        return Err(Failure::content(format!("{shown}: 没有任何年份 / no year in the file")));
    }
    if args.correction_reason.is_some() && years.len() > 1 {
        return Err(Failure::content(format!(
            "{shown}: 更正一次只能针对一个年份 / a correction is of one year at a time"
        )));
    }
    if let Some(reason) = &args.correction_reason
        && (reason.trim().is_empty()
            || reason.chars().count() > 1000
            || reason.chars().any(|c| c.is_control() && c != '\n'))
    {
        return Err(Failure::content(format!(
            "{shown}: --correction-reason 应为 1–1000 个字符 / --correction-reason must be 1–1000 characters"
        )));
    }
    // Every year is checked before any is written.
    let problems: Vec<String> =
        years.iter().filter_map(|y| verify_calendar_year(y).err()).map(|e| format!("{shown}: {e}")).collect();
    if !problems.is_empty() {
        return Err(Failure::content(problems.join("\n")));
    }
    let published_at = time_arg("--published-at", args.published_at.as_deref())?.unwrap_or_else(now);
    for y in &years {
        match publish_calendar_year(storage, y, &published_at, args.correction_reason.as_deref()).await {
            Ok(version) => eprintln!(
                "已公布 {} 年节假日安排（第 {version} 版）/ published the {} calendar (version {version})",
                y.year, y.year
            ),
            Err(CalendarPublishError::Invalid(e)) => return Err(Failure::content(format!("{shown}: {e}"))),
            Err(CalendarPublishError::Storage(StorageError::Rejected(problems))) => {
                return Err(Failure::content(
                    problems
                        .iter()
                        .map(|p| format!("{shown}: {}: {}", p.field, p.message))
                        .collect::<Vec<_>>()
                        .join("\n"),
                ));
            }
            Err(CalendarPublishError::Storage(e)) => return Err(storage_failure(e)),
        }
    }
    Ok(())
}
