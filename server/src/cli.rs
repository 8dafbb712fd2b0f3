//! The portal's own command: `import` (publishing files into the portal's
//! database). The draw commands (`commit`, `draw`, `verify`, `recuse`,
//! `prove`) are the `gongkai` command line (`cli/`), which needs no portal;
//! the import reads files with its library (`gongkai_cli`: the one CSV
//! reader, RFC 3339 times, exit codes).
//!
//! Exit codes, as `gongkai`'s: 0 success; 1 the content is wrong; 2 a file
//! or the database cannot be read (and command-line usage errors, from clap).
//!
//! Contract with `main.rs`: [`Command`] is a `clap::Subcommand` flattened
//! next to `serve`, and [`run`] executes one.

mod feedback;
mod import;
mod log;
mod migrate;
mod witness;

use std::process::ExitCode;

use clap::Subcommand;
pub(crate) use gongkai_cli::{Failure, Outcome, clock, files, tabular};

pub use feedback::FeedbackArgs;
pub use import::ImportArgs;
pub use log::LogArgs;
pub use migrate::MigrateArgs;
pub use witness::WitnessArgs;

/// The commands of `server` besides `serve`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 导入部门、事项、人员、企业、计划、结果、承诺或抽取记录到数据库 / Import departments, items, inspectors, enterprises, plans, results, commitments or draw records into the database
    ///
    /// 全部校验通过才写入；所有问题一次列出（文件:行: 字段: 说明），退出码 1，不写入任何内容。
    /// 数据库默认取环境变量 GONGKAI_DATABASE（同服务器），可用 --database 指定。
    ///
    /// All or nothing: every problem is listed at once (file:line: field: message), exit code
    /// 1, and nothing is written. The database is GONGKAI_DATABASE (as for the server) unless
    /// --database is given.
    #[command(verbatim_doc_comment)]
    Import(ImportArgs),

    /// 评价码：为检查结果发放企业评价所用的评价码 / Feedback codes: issue the codes enterprises give feedback with
    Feedback(FeedbackArgs),

    /// 公示日志：核对、显示公钥 / The publication log: check it, print its key
    Log(LogArgs),

    /// 见证者：联署公示日志的检查点 / A witness: cosign publication logs' checkpoints
    Witness(WitnessArgs),

    /// 迁移：把整个门户从 SQLite 复制到新的 PostgreSQL 数据库并证明一致 / Copy the whole portal from SQLite into a new PostgreSQL database and prove the copy equal
    ///
    /// 逐表逐行重算哈希比较，并以副本核对公示日志。一致时退出码 0；否则列出每处不同，退出码 1；
    /// 数据库无法打开或目标库非空时退出码 2。源库只读不写。
    ///
    /// Every table re-hashed row by row on both sides, and the publication log audited on the copy.
    /// Exit code 0 when equal; 1 listing each difference; 2 when a database cannot be opened or the
    /// target is not empty. The source is only read.
    #[command(verbatim_doc_comment, name = "migrate-db")]
    MigrateDb(MigrateArgs),
}

/// The single-threaded runtime a command's storage calls run on.
fn runtime() -> Result<tokio::runtime::Runtime, Failure> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::unreadable(format!("cannot start the async runtime: {e}")))
}

/// The database a command uses: `--database`, else `GONGKAI_DATABASE` (a
/// SQLite file's path, `sqlite://PATH` or `postgres://…`).
fn database(given: Option<&std::path::Path>) -> Result<crate::configuration::Database, Failure> {
    let parsed = match given {
        Some(path) => match path.to_str() {
            Some(text) => crate::configuration::database("--database", text),
            None => Ok(crate::configuration::Database::Sqlite(path.to_path_buf())),
        },
        None => crate::configuration::database_from_env(),
    };
    parsed.map_err(|e| Failure::unreadable(e.to_string()))
}

/// The database a command reads: `--database`, else `GONGKAI_DATABASE`; a SQLite file must exist.
fn existing_database(given: Option<&std::path::Path>) -> Result<crate::configuration::Database, Failure> {
    let database = database(given)?;
    if let crate::configuration::Database::Sqlite(path) = &database
        && !path.exists()
    {
        return Err(Failure::unreadable(format!(
            "数据库 {} 不存在 / the database {} does not exist",
            path.display(),
            path.display()
        )));
    }
    Ok(database)
}

/// Opens a command's database (a write waits up to `write_wait` for another's).
async fn open(
    database: &crate::configuration::Database,
    write_wait: std::time::Duration,
) -> Result<std::sync::Arc<dyn crate::storage::Storage>, Failure> {
    crate::storage::open(database, write_wait).await.map_err(|e| {
        let shown = database.shown();
        Failure::unreadable(format!("无法打开数据库 {shown} / cannot open the database {shown}: {e}"))
    })
}

/// Runs one command and returns its exit code.
pub fn run(command: Command) -> ExitCode {
    match command {
        Command::Import(args) => gongkai_cli::finish(import::run(&args)),
        Command::Feedback(args) => gongkai_cli::finish(feedback::run(&args)),
        Command::Log(args) => gongkai_cli::finish(log::run(&args)),
        Command::Witness(args) => gongkai_cli::finish(witness::run(&args)),
        Command::MigrateDb(args) => gongkai_cli::finish(migrate::run(&args)),
    }
}
