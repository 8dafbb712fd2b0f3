//! `server log verify`: re-reads every publication from the database and
//! compares it with the publication log (docs/LOG.md), entry by entry; exit
//! code 0 when they agree, 1 naming every difference. `server log key`:
//! prints the log's verifier key (to publish, and to give witnesses).
//! `server log checkpoint FILE`: checks a checkpoint someone kept (a
//! browser's evidence download, a witness's): signed by the log's key, and
//! the database's log at that size has that root.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Failure, Outcome};

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
    /// 核对一个检查点：是否由本日志的密钥签署，数据库中的日志在该长度时是否正是此根哈希
    ///
    /// 例如浏览器核对未通过时下载的检查点，或见证者保存的检查点。有效且与数据库一致时退出码 0；
    /// 签名无效、属于其他日志、日志比检查点短（被回滚）或根哈希不同（被改写）时退出码 1；
    /// 文件无法读取或不是检查点时退出码 2。
    ///
    /// A checkpoint someone kept (the evidence a browser offers when its check fails, a witness's).
    /// Exit code 0 when it is signed by this log's key and the database's log has that root at that
    /// size; 1 when the signature is not the log's, it is another log's, the database's log is
    /// shorter (rolled back) or has another root (rewritten); 2 when the file cannot be read or is
    /// not a checkpoint.
    #[command(verbatim_doc_comment)]
    Checkpoint {
        /// 检查点文件（- 为标准输入）/ The checkpoint file (- for standard input)
        file: PathBuf,
        /// 验证公钥（默认为本日志密钥文件的公钥）/ The verifier key (default: the one of this log's key file)
        #[arg(long, value_name = "VKEY")]
        verifier_key: Option<String>,
    },
    /// 显示公示日志的验证公钥 / Print the publication log's verifier key
    Key {
        /// 密钥不存在时创建（服务器首次启动前配置见证者时用）/ Create the key if there is none (to configure witnesses before the first start)
        #[arg(long)]
        create: bool,
    },
}

pub fn run(args: &LogArgs) -> Outcome {
    let database = match args.command {
        LogCommand::Key { create: true } => super::database(args.database.as_deref())?,
        _ => super::existing_database(args.database.as_deref())?,
    };
    match args.command {
        LogCommand::Key { create } => {
            let settings = crate::configuration::LogSettings::from_env(&database.key_dir())
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
        LogCommand::Checkpoint { ref file, ref verifier_key } => checkpoint(&database, file, verifier_key.as_deref()),
        LogCommand::Verify => {
            let runtime = super::runtime()?;
            let audit = runtime.block_on(async {
                let storage = super::open(&database, crate::storage::WRITE_WAIT).await?;
                storage.log_audit().await.map_err(|e| Failure::unreadable(e.to_string()))
            })?;
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

/// `server log checkpoint`: the checkpoint in `file` against the log's key and the database's tree.
fn checkpoint(database: &crate::configuration::Database, file: &std::path::Path, vkey: Option<&str>) -> Outcome {
    let note = if file.as_os_str() == "-" {
        let mut bytes = Vec::new();
        std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map(|_| bytes)
    } else {
        std::fs::read(file)
    }
    .map_err(|e| Failure::unreadable(format!("{}: {e}", file.display())))?;
    let shown = file.display();
    let body = crate::witness::CheckpointBody::of_note(&note).ok_or_else(|| {
        Failure::unreadable(format!(
            "{shown} 不是检查点（C2SP tlog-checkpoint）/ {shown} is not a checkpoint (C2SP tlog-checkpoint)"
        ))
    })?;
    let vkey = match vkey {
        Some(v) => v.to_owned(),
        None => {
            let settings = crate::configuration::LogSettings::from_env(&database.key_dir())
                .map_err(|e| Failure::unreadable(e.to_string()))?;
            if !settings.key_path.exists() {
                return Err(Failure::unreadable(format!(
                    "公示日志密钥 {} 不存在；请用 --verifier-key 给出验证公钥 / the log key {} does not exist; give the verifier \
                     key with --verifier-key",
                    settings.key_path.display(),
                    settings.key_path.display()
                )));
            }
            crate::log::LogKey::load_or_create(&settings.key_path, &settings.origin)
                .map_err(|e| Failure::unreadable(e.to_string()))?
                .verifier_key
        }
    };
    let verifier = signed_note::StandardVerifier::new(&vkey).map_err(|_| {
        Failure::unreadable(format!(
            "验证公钥 {vkey} 格式不正确 / the verifier key {vkey} is not a signed-note Ed25519 key"
        ))
    })?;
    let origin = signed_note::Verifier::name(&verifier).to_owned();
    if body.origin != origin {
        return Err(Failure::content(format!(
            "{shown}：检查点属于日志“{}”，而不是“{origin}” / {shown}: the checkpoint is of the log “{}”, not “{origin}”",
            body.origin, body.origin
        )));
    }
    if !crate::witness::signed_by(&note, verifier) {
        return Err(Failure::content(format!(
            "{shown}：签名无效，不是本日志的密钥（{vkey}）签署的 / {shown}: the signature is not valid: the checkpoint \
             was not signed by this log's key ({vkey})"
        )));
    }
    let runtime = super::runtime()?;
    let root = runtime.block_on(async {
        super::open(database, crate::storage::WRITE_WAIT)
            .await?
            .log_root(body.size)
            .await
            .map_err(|e| Failure::unreadable(e.to_string()))
    })?;
    let size = body.size;
    match root {
        None => Err(Failure::content(format!(
            "{shown}：检查点有 {size} 条，数据库中的日志更短：日志被回滚了 / {shown}: the checkpoint has {size} entries \
             and the database's log fewer: the log was rolled back"
        ))),
        Some(root) if root != body.root => Err(Failure::content(format!(
            "{shown}：数据库中日志前 {size} 条的根哈希与检查点不同：此前公示的内容被改写了 / {shown}: the root of the \
             database's first {size} entries differs from the checkpoint's: what was published before was rewritten"
        ))),
        Some(_) => {
            println!(
                "检查点有效：本日志的密钥签署，数据库中的日志前 {size} 条与之一致 / the checkpoint is valid: signed by \
                 this log's key, and the database's first {size} entries agree with it"
            );
            Ok(std::process::ExitCode::SUCCESS)
        }
    }
}
