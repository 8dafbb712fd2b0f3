//! Publishing the working-day calendar, feedback and declared reports,
//! decided once for every backend: what is refused and why (a year or a
//! report published again without a reason, a correction of nothing, a
//! feedback code issued twice, a submission that is not its code's next
//! version, an unknown department), which version each stored row becomes,
//! and what the publication log appends in the same transaction.
//!
//! A backend only persists and reads, through the small traits below, within
//! the transaction it began as a publishing one (`begin_write`: SQLite's write
//! lock, PostgreSQL's advisory lock), so what is read here cannot change
//! before it commits. It commits when a function here returns `Ok`; on `Err`
//! it drops (rolls back) the transaction. Every refusal of a batch is decided
//! before anything of it is written: a refused publication writes nothing.

use std::collections::HashSet;

use app::feedback::{Conduct, Rating, Receipt, Satisfaction};

use crate::log::Kind;
use crate::publish::VerifiedCalendarYear;
use crate::storage::import::{Latest, RowVersion};
use crate::storage::{IssuedFeedbackCode, NewDeclaredReport, NewFeedback, RowProblem, StorageError};

/// The publication log as a publishing transaction appends to it: the
/// versions of a logged table stored since a row number
/// (`storage::logged`'s row numbers: SQLite's rowid, PostgreSQL's `id` or `rowid`).
#[async_trait::async_trait]
pub(crate) trait LoggedRows: Send {
    /// Reads the largest row number of `kind`'s table (0 when it is empty).
    async fn last_row(&mut self, kind: Kind) -> Result<i64, StorageError>;

    /// Appends to the log the versions of `kind` stored with a row number above `before`.
    async fn append_rows_after(&mut self, kind: Kind, before: i64) -> Result<usize, StorageError>;
}

// ---------------------------------------------------------------------------
// The working-day calendar
// ---------------------------------------------------------------------------

/// `calendar_years`, as a backend keeps it.
#[async_trait::async_trait]
pub(crate) trait CalendarTables: LoggedRows {
    /// Reads the latest version of `year` (`None` when it is not published).
    async fn latest_calendar_version(&mut self, year: i32) -> Result<Option<i64>, StorageError>;

    /// Adds a version of a year: its year, `version`, document, `published_at`
    /// and `correction_reason` (as given; `None` for a first version).
    async fn insert_calendar_year(
        &mut self,
        year: &VerifiedCalendarYear,
        version: i64,
        published_at: &str,
        correction_reason: Option<&str>,
    ) -> Result<(), StorageError>;
}

/// Publishes a year of the calendar (see `Storage::insert_calendar_year`):
/// its first version, or with a reason the next one; logged. Returns the version.
pub(crate) async fn calendar_year(
    tables: &mut impl CalendarTables,
    year: &VerifiedCalendarYear,
    published_at: &str,
    correction_reason: Option<&str>,
) -> Result<u32, StorageError> {
    let latest = tables.latest_calendar_version(year.year()).await?;
    let refuse = |zh: String, en: String| {
        StorageError::Rejected(vec![RowProblem { index: 0, field: "year".into(), message: format!("{zh} / {en}") }])
    };
    let version = match (latest, correction_reason) {
        (None, None) => 1,
        (Some(v), Some(_)) => v + 1,
        (Some(_), None) => {
            return Err(refuse(
                format!("{} 年已公布；更正须给出理由（--correction-reason）", year.year()),
                format!("{} is already published; a correction needs a reason (--correction-reason)", year.year()),
            ));
        }
        (None, Some(_)) => {
            return Err(refuse(
                format!("{} 年尚未公布，不能更正", year.year()),
                format!("{} is not published yet, so it cannot be corrected", year.year()),
            ));
        }
    };
    let before = tables.last_row(Kind::CalendarYear).await?;
    tables.insert_calendar_year(year, version, published_at, correction_reason).await?;
    tables.append_rows_after(Kind::CalendarYear, before).await?;
    Ok(u32::try_from(version).unwrap_or(u32::MAX))
}

// ---------------------------------------------------------------------------
// Feedback codes, submissions and the demo's codes
// ---------------------------------------------------------------------------

/// `feedback_codes`, as a backend keeps it.
#[async_trait::async_trait]
pub(crate) trait FeedbackCodeTables: Send {
    /// Whether a code is stored for the result `result_code`, or with the keyed hash `code_hmac`.
    async fn feedback_code_taken(&mut self, result_code: &str, code_hmac: &str) -> Result<bool, StorageError>;

    /// Adds a code (result, credit code, department id, keyed hash) issued at
    /// `issued_at`, unless the result or the hash has one; whether it was added.
    async fn insert_feedback_code(&mut self, code: &IssuedFeedbackCode, issued_at: &str) -> Result<bool, StorageError>;
}

/// Stores newly issued feedback codes, all or nothing (see
/// `Storage::insert_feedback_codes`): refused, each at its index, when its
/// result or its keyed hash has a code already (stored, or earlier in `codes`).
/// Codes are not published: nothing is logged.
pub(crate) async fn feedback_codes(
    tables: &mut impl FeedbackCodeTables,
    codes: &[IssuedFeedbackCode],
    issued_at: &str,
) -> Result<(), StorageError> {
    let refused = |index: usize, c: &IssuedFeedbackCode| RowProblem {
        index,
        field: "result_code".into(),
        message: format!(
            "检查结果 {} 已有评价码 / result {} already has a feedback code",
            c.result_code, c.result_code
        ),
    };
    let mut problems = Vec::new();
    // The results and hashes of the codes accepted so far.
    let (mut results, mut hashes) = (HashSet::new(), HashSet::new());
    for (index, c) in codes.iter().enumerate() {
        // A hash that is not 64 characters is kept out by the table's CHECK,
        // which SQLite's INSERT OR IGNORE skips as it skips a taken code.
        let taken = c.code_hmac.chars().count() != 64
            || results.contains(c.result_code.as_str())
            || hashes.contains(c.code_hmac.as_str())
            || tables.feedback_code_taken(&c.result_code, &c.code_hmac).await?;
        if taken {
            problems.push(refused(index, c));
        } else {
            results.insert(c.result_code.as_str());
            hashes.insert(c.code_hmac.as_str());
        }
    }
    if !problems.is_empty() {
        return Err(StorageError::Rejected(problems));
    }
    for (index, c) in codes.iter().enumerate() {
        if !tables.insert_feedback_code(c, issued_at).await? {
            problems.push(refused(index, c));
        }
    }
    if !problems.is_empty() {
        return Err(StorageError::Rejected(problems));
    }
    Ok(())
}

/// A rating as `feedback_ratings` stores it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct StoredRating {
    /// The inspector's certificate; empty for the department's own rating.
    pub certificate: String,
    /// [`Satisfaction::value`], 1–5.
    pub level: i64,
    /// The conduct answers, in the order of [`Conduct::ALL`] (its column
    /// names, [`Conduct::key`]): 1 yes, 0 no, `None` not answered.
    pub conduct: Vec<Option<i64>>,
}

impl StoredRating {
    pub(crate) fn of(r: &Rating) -> Self {
        StoredRating {
            certificate: r.certificate.clone().unwrap_or_default(),
            level: i64::from(r.level.value()),
            conduct: (0..Conduct::ALL.len()).map(|i| r.conduct.get(i).copied().flatten().map(i64::from)).collect(),
        }
    }

    /// The rating it stores (`None` for a level out of range).
    pub(crate) fn rating(self) -> Option<Rating> {
        Some(Rating {
            level: Satisfaction::from_value(u8::try_from(self.level).ok()?)?,
            certificate: (!self.certificate.is_empty()).then_some(self.certificate),
            conduct: self.conduct.iter().map(|a| a.map(|v| v == 1)).collect(),
        })
    }
}

/// A stored submission's receipt.
pub(crate) fn receipt(
    version: i64,
    number: String,
    submitted_at: String,
    sha256: String,
    canonical: String,
) -> Receipt {
    Receipt { number, version: u32::try_from(version).unwrap_or(u32::MAX), submitted_at, sha256, canonical }
}

/// `feedback_submissions` and `feedback_ratings`, as a backend keeps them.
#[async_trait::async_trait]
pub(crate) trait FeedbackTables: LoggedRows {
    /// Reads how many versions of the feedback on `result_code` are stored (its largest version, 0 if none).
    async fn feedback_versions(&mut self, result_code: &str) -> Result<i64, StorageError>;

    /// Adds a submission (result code, receipt's version, number and time,
    /// window_closes, receipt's canonical form and SHA-256, text, contact);
    /// returns its id.
    async fn insert_feedback_submission(&mut self, feedback: &NewFeedback) -> Result<i64, StorageError>;

    /// Adds a rating of the submission `submission`.
    async fn insert_feedback_rating(&mut self, submission: i64, rating: &StoredRating) -> Result<(), StorageError>;
}

/// Stores a submission as its code's next version, with its ratings; logged
/// (its receipt). Refused (field `based_on`) when `receipt.version` is not
/// the next version: the same form sent twice, or a second tab.
pub(crate) async fn feedback(tables: &mut impl FeedbackTables, f: &NewFeedback) -> Result<(), StorageError> {
    let versions = tables.feedback_versions(&f.result_code).await?;
    if versions != i64::from(f.receipt.version) - 1 {
        return Err(StorageError::Rejected(vec![RowProblem {
            index: 0,
            field: "based_on".into(),
            message: format!(
                "此表单已提交过，或评价已在别处修改（现有 {versions} 个版本）/ this form was sent before, or the feedback \
                 was changed elsewhere (it has {versions} version(s))"
            ),
        }]));
    }
    let before = tables.last_row(Kind::FeedbackReceipt).await?;
    let id = tables.insert_feedback_submission(f).await?;
    for r in &f.ratings {
        tables.insert_feedback_rating(id, &StoredRating::of(r)).await?;
    }
    tables.append_rows_after(Kind::FeedbackReceipt, before).await?;
    Ok(())
}

/// `demo_feedback_codes`, as a backend keeps it.
#[async_trait::async_trait]
pub(crate) trait DemoCodeTables: Send {
    /// Adds a result's code, in clear.
    async fn insert_demo_code(&mut self, result_code: &str, code: &str) -> Result<(), StorageError>;
}

/// Keeps the demo's clear-text codes (result code, code), all or nothing; not logged.
pub(crate) async fn demo_codes(
    tables: &mut impl DemoCodeTables,
    codes: &[(String, String)],
) -> Result<(), StorageError> {
    for (result_code, code) in codes {
        tables.insert_demo_code(result_code, code).await?;
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Declared reports
// ---------------------------------------------------------------------------

/// `declared_reports`, as a backend keeps it.
#[async_trait::async_trait]
pub(crate) trait DeclaredReportTables: LoggedRows {
    /// Reads the id of the department with this code.
    async fn department_id(&mut self, code: &str) -> Result<Option<i64>, StorageError>;

    /// Reads the latest version of department `department`'s report for `year`.
    async fn latest_declared_report(&mut self, department: i64, year: i64) -> Result<Option<Latest>, StorageError>;

    /// Adds a version of a report: department `department`, the report's
    /// year, `version`, title, text, `figures_json`, published_at, `replaces`
    /// and `correction_reason`.
    async fn insert_declared_report(
        &mut self,
        department: i64,
        report: &NewDeclaredReport,
        figures_json: &str,
        version: RowVersion<'_>,
    ) -> Result<(), StorageError>;
}

/// Publishes declared reports, all or nothing (see
/// `Storage::insert_declared_reports`): each is the next version of its
/// department-year's (earlier ones of `reports` included), refused for an
/// unknown department, or when that department-year has a version and no
/// correction reason is given (a blank one is none). Logged.
pub(crate) async fn declared_reports(
    tables: &mut impl DeclaredReportTables,
    reports: &[NewDeclaredReport],
) -> Result<(), StorageError> {
    let before = tables.last_row(Kind::Report).await?;
    fn reason_of(r: &NewDeclaredReport) -> Option<&str> {
        r.correction_reason.as_deref().map(str::trim).filter(|s| !s.is_empty())
    }
    // Every report checked first: a refused batch writes nothing.
    let mut problems = Vec::new();
    let mut departments = Vec::with_capacity(reports.len());
    let mut accepted: HashSet<(i64, i64)> = HashSet::new();
    for (index, r) in reports.iter().enumerate() {
        let Some(dep) = tables.department_id(&r.department_code).await? else {
            problems.push(RowProblem {
                index,
                field: "department_code".to_owned(),
                message: format!(
                    "部门代码 {} 不存在 / no department has the code {}",
                    r.department_code, r.department_code
                ),
            });
            continue;
        };
        departments.push(dep);
        let published =
            accepted.contains(&(dep, r.year)) || tables.latest_declared_report(dep, r.year).await?.is_some();
        if published && reason_of(r).is_none() {
            problems.push(RowProblem {
                index,
                field: "correction_reason".to_owned(),
                message: format!(
                    "{} 年的执行情况报告已公布，再次公布须写明更正原因 / the report for {} is already published; \
                     publishing it again needs a correction_reason",
                    r.year, r.year
                ),
            });
            continue;
        }
        accepted.insert((dep, r.year));
    }
    if !problems.is_empty() {
        return Err(StorageError::Rejected(problems));
    }
    for (r, dep) in reports.iter().zip(departments) {
        let previous = tables.latest_declared_report(dep, r.year).await?;
        let figures = serde_json::to_string(&r.figures)?;
        let version = RowVersion {
            version: previous.map_or(1, |p| p.version + 1),
            replaces: previous.map(|p| p.id),
            correction_reason: reason_of(r).filter(|_| previous.is_some()),
        };
        tables.insert_declared_report(dep, r, &figures, version).await?;
    }
    tables.append_rows_after(Kind::Report, before).await?;
    Ok(())
}
