//! `server migrate-db --from sqlite://… --to postgres://…`: copies a whole
//! portal from its SQLite database into a new PostgreSQL database, then proves
//! the copy equal: every table re-hashed row by row on both sides, and the
//! publication log audited on the copy (every entry against the publication
//! as PostgreSQL serves it). Exit code 0 when equal; 1 naming each
//! difference; 2 when a database cannot be opened, the target is not empty,
//! or an argument is not what is expected. The source is only read.

use std::process::ExitCode;

use clap::Args;

use super::{Failure, Outcome};
use crate::storage::{PgStorage, SqliteStorage, Storage as _};

#[derive(Debug, Args)]
pub struct MigrateArgs {
    /// 源数据库：SQLite 文件路径或 sqlite://路径 / The source: a SQLite database file's path or sqlite://PATH
    #[arg(long, value_name = "SQLITE")]
    pub from: String,
    /// 目标数据库：新建的空 PostgreSQL 数据库 postgres://… / The target: a new, empty PostgreSQL database, postgres://…
    #[arg(long, value_name = "POSTGRES")]
    pub to: String,
}

pub fn run(args: &MigrateArgs) -> Outcome {
    let from =
        crate::configuration::database_path("--from", &args.from).map_err(|e| Failure::unreadable(e.to_string()))?;
    if !from.exists() {
        return Err(Failure::unreadable(format!(
            "数据库 {} 不存在 / the database {} does not exist",
            from.display(),
            from.display()
        )));
    }
    let to = args.to.trim();
    if !(to.starts_with("postgres://") || to.starts_with("postgresql://")) {
        return Err(Failure::unreadable(format!(
            "--to: expected a PostgreSQL database URL, postgres://USER@HOST:PORT/DATABASE, not “{to}”"
        )));
    }
    super::runtime()?.block_on(async {
        let source = SqliteStorage::open(&from)
            .await
            .map_err(|e| Failure::unreadable(format!("--from {}: {e}", from.display())))?;
        let target = PgStorage::open(to).await.map_err(|e| Failure::unreadable(format!("--to: {e}")))?;
        let summary = crate::storage::sqlite_to_postgres(&source, &target)
            .await
            .map_err(|e| Failure::unreadable(format!("复制未完成，目标库未写入 / nothing was copied: {e}")))?;
        let rows: u64 = summary.tables.iter().map(|(_, n)| n).sum();
        println!("已复制 {} 个表、{rows} 行 / copied {} tables, {rows} rows", summary.tables.len(), summary.tables.len());
        let mut problems = crate::storage::copy_differences(&source, &target)
            .await
            .map_err(|e| Failure::unreadable(format!("cannot compare the copy: {e}")))?;
        let (source_head, target_head) = (
            source.log_head().await.map_err(|e| Failure::unreadable(e.to_string()))?,
            target.log_head().await.map_err(|e| Failure::unreadable(e.to_string()))?,
        );
        if source_head != target_head {
            problems.push(format!(
                "the copy's publication log has {} entries and another root than the source's ({} entries)",
                target_head.0, source_head.0
            ));
        }
        let audit = target.log_audit().await.map_err(|e| Failure::unreadable(e.to_string()))?;
        problems.extend(crate::log::audit(&audit));
        if problems.is_empty() {
            println!(
                "副本与源库一致：每个表逐行重算哈希相同；公示日志 {} 条，根哈希相同，每条与副本中的公示一致 / the copy is \
                 equal: every table's rows hash the same; the publication log's {} entries have the same root and each \
                 matches its publication in the copy",
                target_head.0, target_head.0
            );
            Ok(ExitCode::SUCCESS)
        } else {
            for p in &problems {
                println!("不一致 / differs: {p}");
            }
            Ok(ExitCode::from(1))
        }
    })
}
