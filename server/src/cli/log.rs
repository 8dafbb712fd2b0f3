//! `server log verify`: re-reads every publication from the database and
//! compares it with the publication log (docs/LOG.md), entry by entry; exit
//! code 0 when they agree, 1 naming every difference. `server log key`:
//! prints the log's verifier key (to publish, and to give witnesses).

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Failure, Outcome};
use crate::storage::{SqliteStorage, Storage};

#[derive(Debug, Args)]
pub struct LogArgs {
    /// 数据库（默认 GONGKAI_DATABASE）/ The database (default GONGKAI_DATABASE)
    #[arg(long, value_name = "PATH", global = true)]
    pub database: Option<PathBuf>,
    #[command(subcommand)]
    pub command: LogCommand,
}

#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// 核对数据库中的每项公示与公示日志是否一致 / Check every publication in the database against the publication log
    ///
    /// 逐条比较：日志的树哈希与条目一致，每项公示都在日志中，且其内容的 SHA-256 与日志记录的相同。
    /// 一致时退出码 0；否则列出每处不同（日志第几条、哪项公示），退出码 1。
    ///
    /// Entry by entry: the log's tree hashes match its entries, every publication is in the log,
    /// and the SHA-256 of its content is the one logged. Exit code 0 when all agree; otherwise
    /// every difference is listed (the entry and the publication) and the exit code is 1.
    #[command(verbatim_doc_comment)]
    Verify,
    /// 显示公示日志的验证公钥 / Print the publication log's verifier key
    Key {
        /// 密钥不存在时创建（服务器首次启动前配置见证者时用）/ Create the key if there is none (to configure witnesses before the first start)
        #[arg(long)]
        create: bool,
    },
}

pub fn run(args: &LogArgs) -> Outcome {
    let database = match args.command {
        LogCommand::Key { create: true } => {
            args.database.clone().unwrap_or_else(crate::configuration::database_path_from_env)
        }
        _ => super::existing_database(args.database.as_deref())?,
    };
    match args.command {
        LogCommand::Key { create } => {
            let settings = crate::configuration::LogSettings::from_env(&database)
                .map_err(|e| Failure::unreadable(e.to_string()))?;
            if !create && !settings.key_path.exists() {
                return Err(Failure::unreadable(format!(
                    "公示日志密钥 {} 不存在（服务器首次启动时创建）/ the log key {} does not exist (the server creates it when it first starts)",
                    settings.key_path.display(),
                    settings.key_path.display()
                )));
            }
            let key = crate::log::LogKey::load_or_create(&settings.key_path, &settings.origin)
                .map_err(|e| Failure::unreadable(e.to_string()))?;
            println!("{}", key.verifier_key);
            Ok(std::process::ExitCode::SUCCESS)
        }
        LogCommand::Verify => {
            let runtime = super::runtime()?;
            let audit = runtime.block_on(async {
                let storage = SqliteStorage::open(&database).await?;
                storage.log_audit().await
            });
            let audit = audit.map_err(|e| Failure::unreadable(e.to_string()))?;
            let findings = crate::log::audit(&audit);
            if findings.is_empty() {
                println!(
                    "公示日志 {} 条，与 {} 项公示一致 / the log's {} entries agree with the {} publications",
                    audit.entries.len(),
                    audit.publications.len(),
                    audit.entries.len(),
                    audit.publications.len()
                );
                return Ok(std::process::ExitCode::SUCCESS);
            }
            Err(Failure::content(findings.join("\n")))
        }
    }
}
