//! Storage behind one trait, so that PostgreSQL can follow SQLite.
//! All SQL lives in the implementations (`sqlite/`, `postgres/`); what a
//! publication means (versions, corrections, refusals, the log's tree) is
//! decided once, above them (`import.rs`, `draws.rs`, `publishing.rs`,
//! `crate::log`), over small traits each backend implements.

mod copy;
mod draws;
mod facts;
mod import;
mod listing;
mod logged;
mod postgres;
mod publishing;
mod sqlite;

pub use app::ssr::{DrawSource, PortalSource, RowProblem, StorageError};
pub use copy::{CopySummary, differences as copy_differences, sqlite_to_postgres};
pub use postgres::{PgStorage, create_test_database};
pub use sqlite::{SqliteStorage, WRITE_WAIT};

/// Opens (and migrates) the database `database` names: a SQLite file (a
/// write waits up to `write_wait` for another process's), or PostgreSQL.
pub async fn open(
    database: &crate::configuration::Database,
    write_wait: std::time::Duration,
) -> Result<std::sync::Arc<dyn Storage>, StorageError> {
    open_with_replicas(database, &[], write_wait).await
}

/// [`open`], with read replicas of a PostgreSQL database (`GONGKAI_DATABASE_REPLICAS`,
/// `Settings::replicas`: their URLs; the configuration accepts them only for PostgreSQL).
pub async fn open_with_replicas(
    database: &crate::configuration::Database,
    replicas: &[String],
    write_wait: std::time::Duration,
) -> Result<std::sync::Arc<dyn Storage>, StorageError> {
    match database {
        crate::configuration::Database::Sqlite(path) => {
            Ok(std::sync::Arc::new(SqliteStorage::open_waiting(path, write_wait).await?))
        }
        crate::configuration::Database::Postgres(url) => {
            Ok(std::sync::Arc::new(PgStorage::open_with(url, replicas, write_wait).await?))
        }
    }
}

/// The closed sets of published values, shared with the pages (`app::model`).
pub use app::model::{Level, Rectification, ResultCategory};

/// A department to register (or, when the name exists without a code, to complete).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewDepartment {
    /// Permalink key, e.g. `159902`.
    pub code: String,
    pub name: String,
    pub level: Level,
    /// Code of the parent department (must exist or come earlier in the batch).
    pub parent_code: Option<String>,
    /// When it is published (RFC 3339, Beijing time).
    pub published_at: String,
}

/// Why a published record is replaced by a new version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Correction {
    pub reason: String,
}

/// One item of a department's 随机抽查事项清单 (a new version if it exists).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewItem {
    pub department_code: String,
    pub item_code: String,
    pub seq: u32,
    pub name: String,
    pub content: String,
    pub legal_basis: String,
    pub qualification: String,
    /// Methods, e.g. `["现场核查", "书面审查"]`.
    pub method: Vec<String>,
    /// `true` = withdrawn from the list as of `effective_from`.
    pub withdrawn: bool,
    pub effective_from: String,
    pub published_at: String,
    /// Required when the item already exists (the new row becomes the next version).
    pub correction: Option<Correction>,
}

/// One inspector of the 执法检查人员名录库.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewInspector {
    pub department_code: String,
    pub certificate: String,
    pub name: String,
    pub unit: String,
    pub post: String,
    pub qualifications: Vec<String>,
    pub valid_from: String,
    pub valid_until: String,
    /// Declared interests: credit codes.
    pub conflicts: Vec<String>,
    /// `true` = left the directory (moved, retired).
    pub left: bool,
    pub published_at: String,
    pub correction: Option<Correction>,
}

/// One enterprise of the 检查对象名录库.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewEnterprise {
    pub credit_code: draw::CreditCode,
    pub name: String,
    pub department_code: String,
    pub region: String,
    pub industry: String,
    pub licences: Vec<String>,
    pub abnormal: bool,
    pub serious_violation: bool,
    pub penalised: bool,
    /// `A`…`D`.
    pub credit_class: char,
    pub published_at: String,
    pub correction: Option<Correction>,
}

/// One line of an annual plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPlanLine {
    pub item_code: String,
    pub stratum: String,
    pub ratio: String,
    pub frequency: String,
    pub object_count: Option<u32>,
}

/// A 年度检查计划.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewPlan {
    pub department_code: String,
    pub plan_code: String,
    pub year: i32,
    pub title: String,
    pub scope: String,
    pub inspector_requirements: String,
    pub window_start: String,
    pub window_end: String,
    pub published_at: String,
    /// The most inspections of one enterprise in the year (`None`: 2, seed 001 art. 19).
    pub max_inspections_per_year: Option<u32>,
    /// The fewest objects to draw from each stratum with eligible objects (`None`: no minimum).
    pub min_per_stratum: Option<u32>,
    /// Every `item_code` must be an item of the department's list.
    pub lines: Vec<NewPlanLine>,
    pub correction: Option<Correction>,
}

/// The 检查结果 of one object of one published draw.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewResult {
    /// Permalink key; by convention `{draw_id}-{credit_code}`.
    pub result_code: String,
    pub draw_id: String,
    pub credit_code: draw::CreditCode,
    pub enterprise_name: String,
    pub department_code: String,
    pub item_codes: Vec<String>,
    /// Certificate numbers.
    pub inspectors: Vec<String>,
    pub inspected_on: String,
    pub reported_on: String,
    pub delivered_on: Option<String>,
    pub entered_on: Option<String>,
    pub category: ResultCategory,
    pub findings: String,
    pub rectification_deadline: Option<String>,
    pub rectification: Rectification,
    pub penalty_case: Option<String>,
    pub published_at: String,
    pub correction: Option<Correction>,
}

/// What one import adds, all in one transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Batch {
    Departments(Vec<NewDepartment>),
    Items(Vec<NewItem>),
    Inspectors(Vec<NewInspector>),
    Enterprises(Vec<NewEnterprise>),
    Plans(Vec<NewPlan>),
    Results(Vec<NewResult>),
}

impl Batch {
    /// What the batch holds, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            Batch::Departments(_) => "departments",
            Batch::Items(_) => "items",
            Batch::Inspectors(_) => "inspectors",
            Batch::Enterprises(_) => "enterprises",
            Batch::Plans(_) => "plans",
            Batch::Results(_) => "results",
        }
    }
}

impl Batch {
    pub fn len(&self) -> usize {
        match self {
            Batch::Departments(v) => v.len(),
            Batch::Items(v) => v.len(),
            Batch::Inspectors(v) => v.len(),
            Batch::Enterprises(v) => v.len(),
            Batch::Plans(v) => v.len(),
            Batch::Results(v) => v.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What an import added.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// Rows stored as first versions.
    pub added: usize,
    /// Rows stored as corrections (new versions).
    pub corrected: usize,
}

/// Everything the portal stores. Reading draws goes through [`DrawSource`].
#[async_trait::async_trait]
pub trait Storage: DrawSource + PortalSource {
    /// Number of published draws.
    async fn draw_count(&self) -> Result<u64, StorageError>;

    /// Stores a verified draw (and its department chain), refusing it when a
    /// commitment published before names another value. Published draws never change.
    async fn insert_draw(&self, draw: &crate::publish::VerifiedDraw) -> Result<(), StorageError>;

    /// Stores a whole batch in one transaction, or nothing: every refused row
    /// is reported at once as [`StorageError::Rejected`].
    async fn import(&self, batch: &Batch) -> Result<ImportSummary, StorageError>;

    /// Stores a verified commitment (a draw awaiting its randomness), refusing it
    /// when its department code is unknown or names another department than its input.
    async fn insert_commitment(&self, commitment: &crate::publish::VerifiedCommitment) -> Result<(), StorageError>;

    /// Departments as (id, name, parent_id), by id.
    async fn departments(&self) -> Result<Vec<(i64, String, Option<i64>)>, StorageError>;

    /// Publishes a checked year of the working-day calendar: its first version,
    /// or with `correction_reason` a new version of a published year (the old one
    /// kept). Refused ([`StorageError::Rejected`], field `year`) when the year is
    /// published and no reason is given, or a reason is given for a new year.
    async fn insert_calendar_year(
        &self,
        year: &crate::publish::VerifiedCalendarYear,
        published_at: &str,
        correction_reason: Option<&str>,
    ) -> Result<u32, StorageError>;

    /// The current results of a department (by code) inspected in `year` that
    /// have no feedback code yet, by inspection date.
    async fn results_without_feedback_code(
        &self,
        department: &str,
        year: i32,
    ) -> Result<Vec<FeedbackCodeDue>, StorageError>;

    /// Stores the keyed hashes of newly issued feedback codes, all or nothing;
    /// refused ([`StorageError::Rejected`]) if a result already has one.
    async fn insert_feedback_codes(&self, codes: &[IssuedFeedbackCode], issued_at: &str) -> Result<(), StorageError>;

    /// The code whose keyed hash is `code_hmac`: its result, the enterprise it
    /// was issued to, and its latest submission.
    async fn feedback_target(&self, code_hmac: &str) -> Result<Option<FeedbackTarget>, StorageError>;

    /// Stores a submission as version `receipt.version` of its code's feedback,
    /// with its ratings, all or nothing; refused ([`StorageError::Rejected`],
    /// field `based_on`) when that version is not the next one (a replayed
    /// form, or a second tab). Returns once it is committed.
    async fn insert_feedback(&self, feedback: &NewFeedback) -> Result<(), StorageError>;

    /// Every version of every submission about a department's inspections, for
    /// the supervisory office (法制/纪检) only.
    async fn feedback_export(&self, department: &str) -> Result<Vec<FeedbackExportRow>, StorageError>;

    /// Demo mode: keeps the codes a visitor may try, in clear.
    async fn insert_demo_feedback_codes(&self, codes: &[(String, String)]) -> Result<(), StorageError>;

    /// Publishes departments' own execution reports, all or nothing: the first
    /// version of a department-year's, or with a correction reason a new one
    /// (refused, [`StorageError::Rejected`], without it or for an unknown department).
    async fn insert_declared_reports(&self, reports: &[NewDeclaredReport]) -> Result<(), StorageError>;

    /// The publication log's number of entries.
    async fn log_size(&self) -> Result<u64, StorageError>;
    /// The publication log's size and root hash, read together.
    async fn log_head(&self) -> Result<(u64, tlog_tiles::Hash), StorageError>;
    /// The log's stored hashes at `indexes`, in order (a tile's hashes).
    async fn log_hashes(&self, indexes: &[u64]) -> Result<Vec<tlog_tiles::Hash>, StorageError>;
    /// A full hash tile (256 hashes of tree level `8 × level`) as stored when the
    /// append that completed it ran; `None` when it is not stored (compute it).
    async fn log_tile(&self, level: u8, n: u64) -> Result<Option<Vec<u8>>, StorageError>;
    /// The log's entries with leaf indexes in `range`, in order.
    async fn log_entries(&self, range: std::ops::Range<u64>) -> Result<Vec<Vec<u8>>, StorageError>;
    /// A directory record's version (`row`) as published: the content its log entry hashes.
    async fn log_row(&self, kind: crate::log::Kind, row: i64) -> Result<Option<Vec<u8>>, StorageError>;
    /// Every logged publication and every publication, to compare (`server log verify`).
    async fn log_audit(&self) -> Result<LogAudit, StorageError>;
    /// Logs every published draw and commitment when the log is empty (a database
    /// from before the log), oldest first; returns how many entries it appended.
    async fn log_backfill(&self) -> Result<u64, StorageError>;
    /// The consistency proof (RFC 6962) from the log's first `old` entries to its first `size`.
    async fn log_consistency(&self, old: u64, size: u64) -> Result<Vec<tlog_tiles::Hash>, StorageError>;
    /// The database's generation: it changes with every publication (the
    /// log's size) and with the unlogged writes public pages show (witness
    /// cosignatures, feedback codes issued). Read on every page request
    /// (`page_cache`): a few index lookups.
    async fn generation(&self) -> Result<Vec<i64>, StorageError>;
    /// The root hash of the log's first `size` entries (`None` when the log is shorter).
    async fn log_root(&self, size: u64) -> Result<Option<tlog_tiles::Hash>, StorageError>;
    /// Keeps a witness's cosignature (already verified) of the checkpoint of `size` entries.
    async fn log_add_cosignature(&self, c: &LogCosignature) -> Result<(), StorageError>;
    /// The cosignatures of the checkpoint of `size` entries, by witness name.
    async fn log_cosignatures(&self, size: u64) -> Result<Vec<LogCosignature>, StorageError>;
    /// The largest checkpoint size `witness` cosigned, if any.
    async fn log_witness_size(&self, witness: &str) -> Result<Option<u64>, StorageError>;
}

/// A witness's cosignature of a checkpoint of the publication log.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogCosignature {
    pub size: u64,
    pub witness: String,
    /// The witness's time, Unix seconds (signed).
    pub time: u64,
    /// The signature line, with its newline.
    pub line: String,
}

/// What `server log verify` compares: the log's entries (leaf index, bytes) and
/// stored hashes, and each publication's content as served now.
#[derive(Clone, Debug, Default)]
pub struct LogAudit {
    pub entries: Vec<(u64, Vec<u8>)>,
    pub hashes: Vec<(u64, tlog_tiles::Hash)>,
    /// The full hash tiles stored when they were completed: level, number, bytes.
    pub tiles: Vec<(u8, u64, Vec<u8>)>,
    /// The entries' keys as record pages look them up (log_keys, the runs
    /// asked): entry index, kind, key, version.
    pub keys: Vec<(u64, String, String, i64)>,
    pub publications: Vec<LogPublication>,
}

/// A publication as the log sees it: what it is, when, where it is served and its content.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogPublication {
    pub kind: crate::log::Kind,
    pub key: String,
    pub version: u32,
    pub published_at: String,
    pub url: String,
    pub content: Vec<u8>,
}

/// A department's own yearly execution report (年度检查计划执行情况), as it publishes it.
#[derive(Clone, Debug, PartialEq)]
pub struct NewDeclaredReport {
    pub department_code: String,
    pub year: i64,
    pub title: String,
    pub text: String,
    /// Figure key ([`app::report::FigureKey`]) → declared value (rates in percent).
    pub figures: std::collections::BTreeMap<String, f64>,
    pub published_at: String,
    pub correction_reason: Option<String>,
}

/// A feedback code's result and latest submission.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackTarget {
    pub result_code: String,
    pub credit_code: String,
    pub latest: Option<app::feedback::Receipt>,
}

/// A submission to store.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NewFeedback {
    pub result_code: String,
    pub receipt: app::feedback::Receipt,
    pub window_closes: Option<String>,
    pub ratings: Vec<app::feedback::Rating>,
    pub text: String,
    pub contact: String,
}

/// One version of a submission, as the supervisory office reads it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FeedbackExportRow {
    pub result_code: String,
    pub credit_code: String,
    pub version: u32,
    pub receipt: String,
    pub submitted_at: String,
    pub sha256: String,
    pub text: String,
    pub contact: String,
    pub ratings: Vec<app::feedback::Rating>,
}

/// A published result that is due a feedback code.
#[derive(Clone, Debug, PartialEq, Eq, sqlx::FromRow)]
pub struct FeedbackCodeDue {
    pub result_code: String,
    pub credit_code: String,
    pub enterprise_name: String,
    pub department_id: i64,
    pub inspected_on: String,
    pub delivered_on: Option<String>,
}

/// A feedback code as stored: its result and the HMAC of the code (lower-case hex).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IssuedFeedbackCode {
    pub result_code: String,
    pub credit_code: String,
    pub department_id: i64,
    pub code_hmac: String,
}
