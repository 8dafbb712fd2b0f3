//! `server feedback codes --department D --year Y --out FILE`: issues a
//! feedback code (评价码, 001 art. 24) for every published result of a
//! department and year that has none, and writes them for the department to
//! print on the written results (检查结果告知书).
//!
//! The codes exist only in that file: the database keeps their keyed hashes.
//! The file is written (and flushed) before the hashes are committed, and
//! moved into place after, so no stored hash is without its code on disk.

use std::fs;
use std::path::PathBuf;

use app::calendar::{self, Calendar};
use clap::{Args, Subcommand};

use super::{Failure, Outcome, clock};
use crate::feedback::{FeedbackKey, key_path_from_env, new_code};
use crate::storage::{IssuedFeedbackCode, PortalSource, SqliteStorage, Storage, StorageError};

#[derive(Debug, Args)]
pub struct FeedbackArgs {
    /// 数据库（默认 GONGKAI_DATABASE）/ The database (default GONGKAI_DATABASE)
    #[arg(long, value_name = "PATH", global = true)]
    pub database: Option<PathBuf>,
    /// 评价码密钥文件（默认 GONGKAI_FEEDBACK_KEY，或数据库旁的 feedback.key；没有则创建）/ The key file (default GONGKAI_FEEDBACK_KEY, or feedback.key beside the database; created if missing)
    #[arg(long, value_name = "FILE", global = true)]
    pub key: Option<PathBuf>,
    #[command(subcommand)]
    pub command: FeedbackCommand,
}

#[derive(Debug, Subcommand)]
pub enum FeedbackCommand {
    /// 为某部门某年尚无评价码的检查结果发放评价码，写出 CSV / Issue feedback codes for a department's results of a year that have none, written as CSV
    ///
    /// 每个检查结果一个评价码，打印在检查结果告知书上；企业凭统一社会信用代码和评价码在送达后 10 个工作日内评价。
    /// 门户只保存评价码的带密钥散列，评价码只出现在这个文件中：请妥善保管。
    ///
    /// One code per result, to print on the written result; the enterprise gives feedback with its
    /// credit code and the code within 10 working days of delivery. The portal keeps only a keyed
    /// hash: the codes exist only in this file, keep it safe.
    #[command(verbatim_doc_comment)]
    Codes(CodesArgs),
}

#[derive(Debug, Args)]
pub struct CodesArgs {
    /// 部门代码 / Department code
    #[arg(long, value_name = "CODE")]
    pub department: String,
    /// 检查年份 / Year of the inspections
    #[arg(long, value_name = "YYYY")]
    pub year: i32,
    /// 写出的 CSV 文件（不得已存在）/ The CSV file to write (must not exist)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

pub fn run(args: &FeedbackArgs) -> Outcome {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::unreadable(format!("cannot start the async runtime: {e}")))?;
    match &args.command {
        FeedbackCommand::Codes(codes) => runtime.block_on(issue(args, codes))?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// A CSV cell that a spreadsheet will not run as a formula.
fn cell(text: &str) -> String {
    crate::routes::open_data::csv_text(text).into_owned()
}

async fn issue(args: &FeedbackArgs, codes: &CodesArgs) -> Result<(), Failure> {
    if !(2000..=2099).contains(&codes.year) {
        return Err(Failure::content(format!("--year: 应在 2000–2099 之间 / must be 2000–2099: {}", codes.year)));
    }
    if codes.out.exists() {
        return Err(Failure::unreadable(format!(
            "{} 已存在，不会覆盖（其中的评价码无法再次取得）/ {} exists and is not overwritten (its codes cannot be had again)",
            codes.out.display(),
            codes.out.display()
        )));
    }
    let database = args.database.clone().unwrap_or_else(crate::configuration::database_path_from_env);
    let key_path = args.key.clone().unwrap_or_else(|| key_path_from_env(&database));
    let key = FeedbackKey::load_or_create(&key_path).map_err(|e| Failure::unreadable(e.to_string()))?;
    let storage = SqliteStorage::open(&database).await.map_err(|e| {
        Failure::unreadable(format!(
            "无法打开数据库 {} / cannot open the database {}: {e}",
            database.display(),
            database.display()
        ))
    })?;
    let due = storage
        .results_without_feedback_code(&codes.department, codes.year)
        .await
        .map_err(|e| Failure::unreadable(format!("数据库错误 / database error: {e}")))?;
    if due.is_empty() {
        eprintln!(
            "部门 {} {} 年没有尚无评价码的检查结果；未写出文件 / department {} has no result of {} without a feedback code; no file written",
            codes.department, codes.year, codes.department, codes.year
        );
        return Ok(());
    }
    let calendar = {
        // The bundled years, and what the portal has published (which wins for a year in both).
        let published = storage.calendar_years().await.map_err(|e| Failure::unreadable(e.to_string()))?;
        Calendar::new(Calendar::bundled_years().into_iter().chain(published.into_iter().map(|y| y.calendar)))
            .unwrap_or_default()
    };

    let mut csv = String::from(
        "\u{feff}result_code,credit_code,enterprise_name,inspected_on,delivered_on,feedback_code,feedback_opens,feedback_closes\r\n",
    );
    let mut issued = Vec::with_capacity(due.len());
    for r in &due {
        let code = new_code().map_err(|e| Failure::unreadable(e.to_string()))?;
        // The window: from delivery to the end of its 10th working day (blank
        // until delivered, or while that year's holidays are not published).
        let closes = r
            .delivered_on
            .as_deref()
            .and_then(calendar::day)
            .and_then(|d| calendar.add_working_days(d, 10).ok())
            .map(calendar::date)
            .unwrap_or_default();
        let row = [
            cell(&r.result_code),
            cell(&r.credit_code),
            cell(&r.enterprise_name),
            r.inspected_on.clone(),
            r.delivered_on.clone().unwrap_or_default(),
            code.grouped(),
            r.delivered_on.clone().unwrap_or_default(),
            closes,
        ];
        csv.push_str(&row.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        csv.push_str("\r\n");
        issued.push(IssuedFeedbackCode {
            result_code: r.result_code.clone(),
            credit_code: r.credit_code.clone(),
            department_id: r.department_id,
            code_hmac: key.hash(&code),
        });
    }

    // The codes reach the disk before their hashes are committed.
    let partial = codes.out.with_extension("partial");
    let write_err = |e: std::io::Error| {
        Failure::unreadable(format!("无法写入 {} / cannot write {}: {e}", partial.display(), partial.display()))
    };
    {
        use std::io::Write;
        let mut file = fs::OpenOptions::new().write(true).create_new(true).open(&partial).map_err(write_err)?;
        file.write_all(csv.as_bytes()).map_err(write_err)?;
        file.sync_all().map_err(write_err)?;
    }
    let issued_at = clock::beijing(clock::now().unwrap_or(0));
    if let Err(e) = storage.insert_feedback_codes(&issued, &issued_at).await {
        let _ = fs::remove_file(&partial);
        return Err(match e {
            StorageError::Rejected(problems) => Failure::content(
                problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("\n"),
            ),
            e => Failure::unreadable(format!("数据库错误，未发放评价码 / database error, no code issued: {e}")),
        });
    }
    fs::rename(&partial, &codes.out).map_err(|e| {
        Failure::unreadable(format!(
            "评价码已发放，但无法改名：评价码在 {} / the codes are issued but the file could not be renamed: they are in {}: {e}",
            partial.display(),
            partial.display()
        ))
    })?;
    tracing::info!(department = %codes.department, year = codes.year, codes = issued.len(), "feedback codes issued");
    eprintln!(
        "已发放 {} 个评价码，写入 {} / issued {} feedback codes, written to {}",
        issued.len(),
        codes.out.display(),
        issued.len(),
        codes.out.display()
    );
    Ok(())
}

/// A CSV field, quoted when it needs to be.
fn quote(text: &str) -> String {
    if text.contains([',', '"', '\r', '\n']) { format!("\"{}\"", text.replace('"', "\"\"")) } else { text.to_owned() }
}
