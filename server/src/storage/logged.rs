//! Which stored rows are the publications the log holds, as SQL that both
//! backends run as it is (`$1` parameters, standard SQL over the same
//! tables and columns), and what a backfill appends. Each backend reads the
//! rows with its own driver and turns them into content with
//! [`crate::log::row_content`].

use std::collections::HashSet;

use crate::log::{Entry, Kind};
use crate::storage::{LogPublication, StorageError};

/// A table logged row by row (one row per published version).
pub(crate) struct RowKind {
    pub(crate) kind: Kind,
    pub(crate) table: &'static str,
    /// The record's public key, as SQL over the row `t`.
    pub(crate) key: &'static str,
    /// The row's number (in the entry's URL), its version and publication time, as SQL over `t`.
    pub(crate) row: &'static str,
    pub(crate) version: &'static str,
    pub(crate) published_at: &'static str,
    /// The published columns (what the content is of), as SQL over `t`.
    pub(crate) columns: &'static str,
    /// Which rows are published, as SQL over `t`.
    pub(crate) published: &'static str,
}

const fn row_kind(kind: Kind, table: &'static str, key: &'static str) -> RowKind {
    RowKind {
        kind,
        table,
        key,
        row: "t.id",
        version: "t.version",
        published_at: "t.published_at",
        columns: "t.*",
        published: "1 = 1",
    }
}

/// The code of the row's department, as SQL over `t`.
macro_rules! department_code {
    () => {
        "(SELECT d.code FROM departments d WHERE d.id = t.department_id)"
    };
}

/// The tables logged row by row, in the order a backfill reads them.
pub(crate) const ROW_KINDS: [RowKind; 9] = [
    row_kind(Kind::Item, "items", concat!(department_code!(), " || '/' || t.item_code")),
    row_kind(Kind::Inspector, "inspectors", "t.certificate"),
    row_kind(Kind::Enterprise, "enterprises", "t.credit_code"),
    row_kind(Kind::Plan, "plans", "t.plan_code"),
    row_kind(Kind::Result, "results", "t.result_code"),
    // A department is published once it has a code (a draw may name a
    // department before its list is imported); from then on it never changes.
    RowKind {
        version: "CAST(1 AS BIGINT)",
        columns: "t.code, t.name, t.level, (SELECT p.code FROM departments p WHERE p.id = t.parent_id) AS parent_code, \
                  t.published_at",
        published: "t.code IS NOT NULL",
        ..row_kind(Kind::Department, "departments", "t.code")
    },
    // Named, not `t.*`: PostgreSQL's table has its row number as a column (`rowid`), SQLite's has it hidden.
    RowKind {
        row: "t.rowid",
        columns: "t.year, t.version, t.document, t.published_at, t.correction_reason",
        ..row_kind(Kind::CalendarYear, "calendar_years", "CAST(t.year AS TEXT)")
    },
    row_kind(Kind::Report, "declared_reports", concat!(department_code!(), " || '/' || t.year")),
    // The receipt only: the submission's text and contact are not published.
    RowKind {
        published_at: "t.submitted_at",
        columns: "t.receipt, t.result_code, t.version, t.submitted_at, t.window_closes, t.sha256",
        ..row_kind(Kind::FeedbackReceipt, "feedback_submissions", "t.result_code")
    },
];

pub(crate) fn row_kind_of(kind: Kind) -> Option<&'static RowKind> {
    ROW_KINDS.iter().find(|k| k.kind == kind)
}

/// Which rows of a kind to read.
#[derive(Clone, Copy)]
pub(crate) enum Rows {
    All,
    /// Those with a row number above this one.
    After(i64),
    /// The one with this row number.
    Only(i64),
}

/// The query of the published versions of `k` among `rows`, in row order:
/// key, row number, version and publication time, then the published
/// columns (from the fifth on); and its one parameter.
pub(crate) fn published_rows_query(k: &RowKind, rows: Rows) -> (String, i64) {
    let (filter, bound) = match rows {
        Rows::All => (format!("{} > $1", k.row), i64::MIN),
        Rows::After(n) => (format!("{} > $1", k.row), n),
        Rows::Only(n) => (format!("{} = $1", k.row), n),
    };
    let sql = format!(
        "SELECT {key} AS log_key, {row} AS log_row, {version} AS log_version, {published_at} AS log_published_at, \
         {columns} FROM {table} t WHERE ({published}) AND {filter} ORDER BY {row}",
        key = k.key,
        row = k.row,
        version = k.version,
        published_at = k.published_at,
        columns = k.columns,
        table = k.table,
        published = k.published,
    );
    (sql, bound)
}

/// A plan's lines (parameter: the plan's row number); `plan_id` is left out of the content.
pub(crate) const PLAN_LINES: &str = "SELECT * FROM plan_lines WHERE plan_id = $1 ORDER BY line";

/// A plan line's content: its columns without `plan_id`.
pub(crate) fn plan_line(
    columns: Vec<(String, serde_json::Value)>,
) -> std::collections::BTreeMap<String, serde_json::Value> {
    columns.into_iter().filter(|(n, _)| n != "plan_id").collect()
}

/// A stored row as the log sees it, from what [`published_rows_query`] selects:
/// key, row number, version, publication time, the published columns (and a plan's lines).
pub(crate) fn row_publication(
    kind: Kind,
    key: Option<String>,
    row: i64,
    version: i64,
    published_at: Option<String>,
    columns: &[(String, serde_json::Value)],
    lines: Option<Vec<std::collections::BTreeMap<String, serde_json::Value>>>,
) -> LogPublication {
    LogPublication {
        kind,
        key: key.unwrap_or_default(),
        version: u32::try_from(version).unwrap_or(0),
        published_at: published_at.unwrap_or_default(),
        url: kind.row_url(row),
        content: crate::log::row_content(columns, lines),
    }
}

/// The largest row number of `k`'s table.
pub(crate) fn last_row_query(k: &RowKind) -> String {
    format!("SELECT MAX({}) FROM {} t", k.row, k.table)
}

/// Draw commitments and draws as published: key, publication time, content.
pub(crate) const DRAW_PUBLICATIONS: [(Kind, &str); 2] = [
    (Kind::DrawCommitment, "SELECT draw_id, committed_at, input_json FROM draw_commitments ORDER BY draw_id"),
    (Kind::Draw, "SELECT id, published_at, record_json FROM draws ORDER BY id"),
];

/// A draw publication as the log sees it.
pub(crate) fn draw_publication(kind: Kind, key: String, published_at: String, content: String) -> LogPublication {
    let url = kind.draw_url(&key);
    LogPublication { kind, key, version: 1, published_at, url, content: content.into_bytes() }
}

/// The log entries of publications.
pub(crate) fn entries_of(publications: &[LogPublication]) -> Result<Vec<Entry>, StorageError> {
    publications
        .iter()
        .map(|p| Entry::new(p.kind, &p.key, p.version, &p.published_at, &p.url, &p.content))
        .collect::<Result<_, _>>()
        .map_err(|e| StorageError::Log(e.to_string()))
}

/// What a backfill appends: the publications not logged already (kind, key,
/// version), oldest first (then by kind, key and version).
pub(crate) fn backfill_entries(
    mut publications: Vec<LogPublication>,
    already: &HashSet<(String, String, i64)>,
) -> Result<Vec<Entry>, StorageError> {
    publications.retain(|p| !already.contains(&(p.kind.as_str().to_owned(), p.key.clone(), i64::from(p.version))));
    let mut entries = entries_of(&publications)?;
    entries.sort_by(|a, b| {
        (&a.published_at, a.kind.as_str(), &a.key, a.version).cmp(&(
            &b.published_at,
            b.kind.as_str(),
            &b.key,
            b.version,
        ))
    });
    Ok(entries)
}
