//! `server import <kind> FILE`: publish the departments' own files.
//!
//! Every record of the file is checked first (required fields, credit-code
//! check characters, dates, enumerations, booleans); all problems are
//! reported at once as `file:line: field: message` and nothing is written.
//! Then the whole file is stored in one transaction, which checks the
//! references (departments, items, draws, inspectors) and versions; a refused
//! row is reported the same way and again nothing is written.

mod calendar;
mod draws;
mod fields;
mod kinds;
mod report;
mod source;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use crate::storage::{Batch, ImportSummary, Storage, StorageError};

use super::{Failure, Outcome, clock};
use fields::Problems;
use kinds::{Columns, Kind, Origin};
use source::Format;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// 数据库文件（默认取环境变量 GONGKAI_DATABASE，否则 data/gongkai.db）/ Database file (default: GONGKAI_DATABASE, else data/gongkai.db)
    #[arg(long, value_name = "PATH", global = true)]
    pub database: Option<PathBuf>,
    #[command(subcommand)]
    pub kind: ImportKind,
}

/// What to import. Files are CSV (.csv) or JSON (.json), chosen by extension.
#[derive(Debug, Subcommand)]
pub enum ImportKind {
    /// 部门（省、市、区县）/ Departments (province, city, district)
    ///
    /// 列 / columns: code*, name*, level*, parent_code
    ///   level: province/city/district（或 省/市/区/县）；parent_code 须已登记或在本文件中更早出现 /
    ///   parent_code must be registered already or come earlier in the file.
    #[command(verbatim_doc_comment, after_help = FORMAT_HELP)]
    Departments(FileArgs),

    /// 随机抽查事项清单 / Items of a department's random-inspection list
    ///
    /// 列 / columns: department_code*, item_code*, seq*, name*, content*, legal_basis*, effective_from*,
    ///   qualification, method (列表 / list), withdrawn (布尔 / boolean), published_at, correction_reason
    #[command(verbatim_doc_comment, after_help = FORMAT_HELP)]
    Items(FileArgs),

    /// 执法检查人员名录 / Inspector directory
    ///
    /// 列 / columns: department_code*, certificate*, name*, unit*, valid_from*, valid_until*,
    ///   post, qualifications (列表 / list), conflicts (统一社会信用代码列表 / list of credit codes),
    ///   left (布尔，已调离 / boolean, has left), published_at, correction_reason
    #[command(verbatim_doc_comment, after_help = FORMAT_HELP)]
    Inspectors(FileArgs),

    /// 检查对象名录（企业）/ Enterprise directory
    ///
    /// 列 / columns: credit_code* (统一社会信用代码，校验码须正确 / check character verified), name*,
    ///   department_code*, region*, industry*, credit_class* (A–D), licences (列表 / list),
    ///   abnormal, serious_violation, penalised (布尔 / booleans), published_at, correction_reason
    #[command(verbatim_doc_comment, after_help = FORMAT_HELP)]
    Enterprises(FileArgs),

    /// 年度抽查计划 / Annual inspection plans
    ///
    /// CSV：每行一条计划行，按 plan_code 归为一个计划；计划的列取自其第一行，其后各行可留空或重复 /
    ///   one row per plan line, grouped by plan_code; the plan's columns come from its first row and
    ///   may be left empty or repeated on its other rows.
    ///   plan columns: plan_code*, department_code*, year*, title*, scope*, window_start*, window_end*,
    ///     inspector_requirements, published_at, correction_reason,
    ///     max_inspections_per_year（每户年度抽查次数上限，空 = 2 / empty = 2),
    ///     min_per_stratum（每层至少抽取数，空 = 无 / empty = none)
    ///   line columns: item_code*, stratum*, ratio*, frequency*, object_count
    /// JSON：每个计划一个对象，计划行在 "lines" 数组中 / one object per plan, its lines in a "lines" array.
    #[command(verbatim_doc_comment, after_help = FORMAT_HELP)]
    Plans(FileArgs),

    /// 检查结果 / Inspection results
    ///
    /// 列 / columns: draw_id*, credit_code*, enterprise_name*, department_code*, item_codes* (列表 / list),
    ///   inspectors* (执法证号列表 / certificate numbers), inspected_on*, reported_on*, category*,
    ///   result_code（默认 draw_id-credit_code / default draw_id-credit_code）, delivered_on, entered_on,
    ///   findings, rectification_deadline, rectification (none/pending/done/overdue 或 无/整改中/已整改/逾期未整改),
    ///   penalty_case, published_at, correction_reason
    /// 企业须是该次已公布抽取中抽中的对象 / the enterprise must have been selected in that published draw.
    #[command(verbatim_doc_comment, after_help = FORMAT_HELP)]
    Results(FileArgs),

    /// 公布抽取承诺（gongkai commit --out 写出的文件）/ Publish a commitment (the file written by `gongkai commit --out`)
    ///
    /// 抽取前公布；随机数产生后用 server import draw 公布抽取记录 /
    /// published before the draw; once the randomness exists publish the record with `server import draw`.
    #[command(verbatim_doc_comment)]
    Commitment(CommitmentArgs),

    /// 公布抽取记录（gongkai draw 写出的文件）/ Publish a draw record (the file written by `gongkai draw`)
    ///
    /// 记录先重新计算复核，不一致则拒绝；若已公布承诺，记录须与之相符。部门取自记录的 ancestors 与 department /
    /// the record is re-run first and refused if it does not verify; if its commitment was published the
    /// record must match it. The department chain comes from the record's ancestors and department.
    #[command(verbatim_doc_comment)]
    Draw(DrawImportArgs),

    /// 公布某年的节假日安排（法定工作日）/ Publish a year's holidays and make-up working days (the working-day calendar)
    ///
    /// JSON，格式同 app/calendar/cn.json：一个年份的对象或其数组，含国务院办公厅通知（标题、文号、日期、网址）、
    /// 假期（名称、起止日期）和调休上班日（日期、所调假期）。已公布的年份只能以 --correction-reason 更正（新版本，旧版本保留）。
    ///
    /// JSON in the format of app/calendar/cn.json: one year, or an array of years, each with the State
    /// Council notice (title, number, date, address), the holidays (name, first and last day) and the
    /// make-up working days (date, holiday). A published year changes only as a correction, with
    /// --correction-reason (a new version; the old one stays).
    #[command(verbatim_doc_comment)]
    Calendar(CalendarArgs),

    /// 公布部门自己的年度检查计划执行情况报告（正文和申报的数字）/ Publish a department's own yearly plan execution report (its text and declared figures)
    ///
    /// JSON：一个报告对象或其数组，字段 department_code*, year*, title*, text*, figures（数字项 → 数值，
    /// 比例为百分数）, published_at, correction_reason。数字项：plans, draws, drawn, inspected, completion_rate,
    /// problems, problem_rate, rectification_done, rectification_overdue, penalty_cases, inspectors,
    /// on_time_rate, codes_issued, feedback_received。报告页将申报数与按公布数据计算的数字并列并标出差异。
    /// 已公布的年度只能以 correction_reason 更正（新版本，旧版本保留）。
    ///
    /// JSON: a report object or an array of them, with department_code*, year*, title*, text*, figures
    /// (figure key → value; rates in percent), published_at, correction_reason. The report page shows
    /// the declared figures beside those computed from the published data and marks every difference.
    /// A published year changes only as a correction (a new version; the old one stays).
    #[command(verbatim_doc_comment)]
    Report(ReportArgs),
}

const FORMAT_HELP: &str = "\
带 * 的列必填 / columns marked * are required.
CSV：UTF-8（可带 BOM）或 GBK（Excel 中文版默认），首行为表头（列名任意顺序，也可用中文列名，见 docs/import.md）；列表以“;”或“；”分隔；
  布尔值 true/false/1/0/是/否（空为否）；日期 YYYY-MM-DD；published_at 为 RFC 3339 时间或日期（空 = 导入时间）。
JSON：对象数组，字段名同 CSV 列名，列表为 JSON 数组。
correction_reason 非空 = 本行是已公布记录的更正，作为新版本公布，旧版本保留。
全部记录无误才导入，否则列出所有问题（文件:行: 字段: 说明），不写入任何内容，退出码 1。

CSV: UTF-8 (with or without BOM) or GBK (what Excel writes in China), a header row (columns in any
  order, or their Chinese names listed in docs/import.md); lists separated by ';' or '；'; booleans true/false/1/0/是/否 (empty = false); dates
  YYYY-MM-DD; published_at an RFC 3339 time or a date (empty = the time of the import).
JSON: an array of objects with the CSV column names as fields, lists as JSON arrays.
A non-empty correction_reason makes the row a correction: a new version of a published record (the old
  one stays). All or nothing: every problem is listed (file:line: field: message), nothing is written,
  exit code 1. See docs/import.md.";

#[derive(Debug, Args)]
pub struct FileArgs {
    /// CSV 或 JSON 文件 / The CSV or JSON file
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct CommitmentArgs {
    /// 承诺的输入 JSON / The committed inputs JSON
    pub file: PathBuf,
    /// 抽取部门的代码（须已导入）/ Code of the drawing department (imported before)
    #[arg(long, value_name = "CODE")]
    pub department_code: String,
    /// 承诺公布时间（RFC 3339，默认现在）/ When the commitment was published (RFC 3339; default now)
    #[arg(long, value_name = "TIME")]
    pub committed_at: Option<String>,
    /// 所执行的年度计划编号 / Code of the annual plan the draw carries out
    #[arg(long, value_name = "CODE")]
    pub plan_code: Option<String>,
}

#[derive(Debug, Args)]
pub struct CalendarArgs {
    /// 节假日安排 JSON / The calendar JSON
    pub file: PathBuf,
    /// 更正理由（更正已公布的年份时必填）/ Why a published year is corrected (required for a correction)
    #[arg(long, value_name = "TEXT")]
    pub correction_reason: Option<String>,
    /// 公布时间（RFC 3339，默认现在）/ When it is published (RFC 3339; default now)
    #[arg(long, value_name = "TIME")]
    pub published_at: Option<String>,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// 报告 JSON / The report JSON
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct DrawImportArgs {
    /// 抽取记录 JSON / The draw record JSON
    pub file: PathBuf,
    /// 结果公布时间（RFC 3339，默认现在）/ When the result is published (RFC 3339; default now)
    #[arg(long, value_name = "TIME")]
    pub published_at: Option<String>,
    /// 承诺公布时间（默认取记录或已公布的承诺）/ When the commitment was published (default: from the record or the published commitment)
    #[arg(long, value_name = "TIME")]
    pub committed_at: Option<String>,
    /// 所执行的年度计划编号 / Code of the annual plan the draw carries out
    #[arg(long, value_name = "CODE")]
    pub plan_code: Option<String>,
}

/// The current time in Beijing time, RFC 3339.
fn now() -> String {
    clock::beijing(clock::now().unwrap_or(0))
}

/// A time given on the command line, checked.
fn time_arg(option: &str, value: Option<&str>) -> Result<Option<String>, Failure> {
    match value {
        None => Ok(None),
        Some(v) => match clock::parse_rfc3339(v) {
            Ok(_) => Ok(Some(v.to_owned())),
            Err(e) => Err(Failure::unreadable(format!("{option}: {e}"))),
        },
    }
}

/// A storage error that is not about the file's content.
fn storage_failure(e: StorageError) -> Failure {
    match e {
        e @ (StorageError::Busy(_) | StorageError::Unavailable) => Failure::unreadable(e.to_string()),
        e => Failure::unreadable(format!("数据库错误 / database error: {e}")),
    }
}

/// How long an import waits for another one to finish: `GONGKAI_WRITE_WAIT`
/// seconds, or [`crate::storage::WRITE_WAIT`].
fn write_wait() -> Result<std::time::Duration, Failure> {
    match std::env::var("GONGKAI_WRITE_WAIT").ok().filter(|v| !v.trim().is_empty()) {
        None => Ok(crate::storage::WRITE_WAIT),
        Some(v) => v.trim().parse::<u64>().map(std::time::Duration::from_secs).map_err(|_| {
            Failure::unreadable(format!(
                "GONGKAI_WRITE_WAIT 应为秒数：{v:?} / GONGKAI_WRITE_WAIT must be a number of seconds: {v:?}"
            ))
        }),
    }
}

pub fn run(args: &ImportArgs) -> Outcome {
    let runtime = super::runtime()?;
    runtime.block_on(run_async(args))?;
    Ok(ExitCode::SUCCESS)
}

async fn open(args: &ImportArgs) -> Result<std::sync::Arc<dyn Storage>, Failure> {
    super::open(&super::database(args.database.as_deref())?, write_wait()?).await
}

async fn run_async(args: &ImportArgs) -> Result<(), Failure> {
    let (path, kind, columns) = match &args.kind {
        ImportKind::Commitment(a) => {
            let storage = open(args).await?;
            return draws::commitment(a, &*storage).await;
        }
        ImportKind::Draw(a) => {
            let storage = open(args).await?;
            return draws::draw(a, &*storage).await;
        }
        ImportKind::Calendar(a) => {
            let storage = open(args).await?;
            return calendar::calendar(a, &*storage).await;
        }
        ImportKind::Report(a) => {
            let storage = open(args).await?;
            return report::report(a, &*storage).await;
        }
        ImportKind::Departments(a) => (&a.file, Kind::Departments, kinds::DEPARTMENTS),
        ImportKind::Items(a) => (&a.file, Kind::Items, kinds::ITEMS),
        ImportKind::Inspectors(a) => (&a.file, Kind::Inspectors, kinds::INSPECTORS),
        ImportKind::Enterprises(a) => (&a.file, Kind::Enterprises, kinds::ENTERPRISES),
        ImportKind::Plans(a) => match Format::of(&a.file)? {
            Format::Csv => (&a.file, Kind::PlansCsv, kinds::PLANS_CSV),
            Format::Json => (&a.file, Kind::PlansJson, kinds::PLANS_JSON),
        },
        ImportKind::Results(a) => (&a.file, Kind::Results, kinds::RESULTS),
    };
    let batch = read_batch(path, kind, &columns)?;
    let storage = open(args).await?;
    let summary = match storage.import(&batch.0).await {
        Ok(summary) => summary,
        Err(StorageError::Rejected(rows)) => {
            let mut problems = Problems::new(path.display().to_string());
            for row in &rows {
                let (line, field) = place(&batch.1, row.index, &row.field);
                problems.at(line, field, &row.message);
            }
            return Err(refused(&problems));
        }
        Err(e) => return Err(storage_failure(e)),
    };
    report(path, &batch.0, &summary);
    Ok(())
}

/// Reads and checks the file; with any problem, nothing is returned.
fn read_batch(path: &Path, kind: Kind, columns: &Columns) -> Result<(Batch, Vec<Origin>), Failure> {
    let mut problems = Problems::new(path.display().to_string());
    let aliases = kinds::aliases(columns);
    let records = source::read(path, columns.all, columns.required, columns.nested, &aliases, &mut problems.list)?;
    let (batch, origins) = kinds::build(kind, &records, &mut problems, &now());
    match batch {
        Some(batch) if problems.list.is_empty() => Ok((batch, origins)),
        _ if problems.list.is_empty() => {
            Err(Failure::content(format!("{} 中没有任何记录 / {} holds no records", path.display(), path.display())))
        }
        _ => Err(refused(&problems)),
    }
}

/// The line and field of a refused row; a plan line's field `lines[k].x` is
/// mapped to the line of that plan line (CSV).
fn place<'a>(origins: &[Origin], index: usize, field: &'a str) -> (u64, &'a str) {
    let Some(origin) = origins.get(index) else { return (0, field) };
    if let Some(rest) = field.strip_prefix("lines[")
        && let Some((k, name)) = rest.split_once("].")
        && let Ok(k) = k.parse::<usize>()
        && let Some(line) = origin.nested.get(k)
    {
        return (*line, name);
    }
    (origin.line, field)
}

fn refused(problems: &Problems) -> Failure {
    let n = problems.list.len();
    Failure::content(format!(
        "{} 有 {n} 处问题，未导入任何记录 / {} has {n} problem(s); nothing was imported:\n  {}",
        problems.file,
        problems.file,
        problems.list.join("\n  ")
    ))
}

fn report(path: &Path, batch: &Batch, summary: &ImportSummary) {
    let what = match batch {
        Batch::Departments(_) => "部门 / departments",
        Batch::Items(_) => "抽查事项 / items",
        Batch::Inspectors(_) => "检查人员 / inspectors",
        Batch::Enterprises(_) => "企业 / enterprises",
        Batch::Plans(_) => "年度计划 / plans",
        Batch::Results(_) => "检查结果 / results",
    };
    println!("已导入 / imported {}: {what}", path.display());
    println!("  新增 / added: {}；更正（新版本）/ corrected (new versions): {}", summary.added, summary.corrected);
    let unchanged = batch.len().saturating_sub(summary.added + summary.corrected);
    if unchanged > 0 {
        println!("  已登记、未变 / already registered, unchanged: {unchanged}");
    }
}

#[cfg(test)]
mod fuzz {
    //! Arbitrary and mutated bytes as every kind of import file, CSV and JSON:
    //! every file is either read into a batch or refused with problems, never a
    //! panic, and in a bounded time. Run longer by `scripts/fuzz.sh`.
    #![allow(clippy::unwrap_used)]
    use proptest::prelude::*;

    use super::*;

    const KINDS: [(Kind, Columns); 7] = [
        (Kind::Departments, kinds::DEPARTMENTS),
        (Kind::Items, kinds::ITEMS),
        (Kind::Inspectors, kinds::INSPECTORS),
        (Kind::Enterprises, kinds::ENTERPRISES),
        (Kind::PlansCsv, kinds::PLANS_CSV),
        (Kind::PlansJson, kinds::PLANS_JSON),
        (Kind::Results, kinds::RESULTS),
    ];

    /// Example files to mutate: a header and rows that are close to valid.
    const SEEDS: [&[u8]; 3] = [
        include_bytes!("../../tests/fixtures/import/enterprises.csv"),
        include_bytes!("../../tests/fixtures/import/inspectors.json"),
        include_bytes!("../../tests/fixtures/import/plans.csv"),
    ];

    fn each_kind(bytes: &[u8]) {
        let dir = tempfile::tempdir().unwrap();
        for extension in ["csv", "json"] {
            let path = dir.path().join(format!("f.{extension}"));
            std::fs::write(&path, bytes).unwrap();
            for (kind, columns) in &KINDS {
                let started = std::time::Instant::now();
                let _ = read_batch(&path, *kind, columns);
                assert!(started.elapsed() < std::time::Duration::from_secs(5), "{kind:?} took {:?}", started.elapsed());
            }
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(32),
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn fuzz_arbitrary_bytes_as_an_import_file(bytes in proptest::collection::vec(any::<u8>(), 0..2048)) {
            each_kind(&bytes);
        }

        #[test]
        fn fuzz_mutated_example_files(seed in 0usize..3, edits in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..6)) {
            let mut bytes = SEEDS[seed].to_vec();
            for (at, byte) in edits {
                let at = at % bytes.len().max(1);
                if byte % 2 == 0 { bytes.insert(at, byte) } else if at < bytes.len() { bytes[at] = byte }
            }
            each_kind(&bytes);
        }
    }
}
