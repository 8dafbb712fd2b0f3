//! `server witness`: a witness of publication logs (C2SP tlog-witness). It
//! keeps the newest checkpoint it cosigned of each log it knows and cosigns a
//! new one only when the log's key signed it and a consistency proof shows it
//! extends the old one (docs/LOG.md §7). `server witness key` prints its
//! verifier key, which a portal lists in `GONGKAI_LOG_WITNESSES`.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::{Failure, Outcome};
use crate::witness::{Witness, WitnessKey};

#[derive(Debug, Args)]
pub struct WitnessArgs {
    /// 见证者的签名密钥文件（不存在时创建，仅所有者可读）/ The witness's signing key file (created if missing, owner-only)
    #[arg(long, value_name = "PATH", global = true)]
    pub key: Option<PathBuf>,
    /// 见证者名称（密钥名），如 witness.example.org/w1 / The witness's name (its key's name), e.g. witness.example.org/w1
    #[arg(long, value_name = "NAME", global = true)]
    pub name: Option<String>,
    #[command(subcommand)]
    pub command: WitnessCommand,
}

#[derive(Debug, Subcommand)]
pub enum WitnessCommand {
    /// 显示见证者的验证公钥 / Print the witness's verifier key
    Key,
    /// 运行见证者（POST /add-checkpoint）/ Run the witness (POST /add-checkpoint)
    Serve {
        /// 所见证日志的验证公钥（可多次）/ The verifier key of a log to witness (repeatable)
        #[arg(long = "log", value_name = "VKEY", required = true)]
        logs: Vec<String>,
        /// 见证者的状态文件（SQLite）/ The witness's state file (SQLite)
        #[arg(long, value_name = "PATH")]
        state: PathBuf,
        /// 监听地址 / Address to listen on
        #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:4100")]
        listen: String,
    },
}

fn key_of(args: &WitnessArgs) -> Result<WitnessKey, Failure> {
    let (Some(path), Some(name)) = (&args.key, &args.name) else {
        return Err(Failure::unreadable("需要 --key 和 --name / --key and --name are required"));
    };
    WitnessKey::load_or_create(path, name).map_err(|e| Failure::unreadable(e.to_string()))
}

pub fn run(args: &WitnessArgs) -> Outcome {
    let key = key_of(args)?;
    match &args.command {
        WitnessCommand::Key => {
            println!("{}", key.verifier_key);
            Ok(std::process::ExitCode::SUCCESS)
        }
        WitnessCommand::Serve { logs, state, listen } => {
            for vkey in logs {
                if signed_note::StandardVerifier::new(vkey).is_err() {
                    return Err(Failure::unreadable(format!(
                        "“{vkey}” 不是日志的验证公钥 / is not a log's verifier key (<origin>+<key id>+<base64 key>)"
                    )));
                }
            }
            crate::telemetry::init();
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| Failure::unreadable(format!("cannot start the async runtime: {e}")))?;
            runtime.block_on(async {
                let witness = Witness::open(key, logs.clone(), state)
                    .await
                    .map_err(|e| Failure::unreadable(format!("{}: {e}", state.display())))?;
                let listener = tokio::net::TcpListener::bind(listen.as_str())
                    .await
                    .map_err(|e| Failure::unreadable(format!("{listen}: {e}")))?;
                let address = listener.local_addr().map_err(|e| Failure::unreadable(e.to_string()))?;
                tracing::info!(verifier_key = witness.verifier_key(), "witness listening on http://{address}");
                axum::serve(listener, std::sync::Arc::new(witness).router())
                    .with_graceful_shutdown(async {
                        let _ = tokio::signal::ctrl_c().await;
                    })
                    .await
                    .map_err(|e| Failure::unreadable(e.to_string()))?;
                Ok(std::process::ExitCode::SUCCESS)
            })
        }
    }
}
