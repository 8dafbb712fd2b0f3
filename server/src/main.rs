//! `server`: runs the portal (no subcommand, or `serve`), or imports files
//! into its database (`import`). The draw commands are `gongkai` (`cli/`).

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gongkai_server::cli;
use gongkai_server::configuration::Settings;
use gongkai_server::startup::Application;
use gongkai_server::telemetry;

#[derive(Parser)]
#[command(
    name = "server",
    version,
    about = "公开 Gongkai：门户服务器与数据导入 / portal server and data import",
    after_help = "抽取命令（commit、draw、verify、recuse、prove）在 gongkai 命令行工具中：cargo install --locked --path cli / \
                  the draw commands (commit, draw, verify, recuse, prove) are in the gongkai command line: \
                  cargo install --locked --path cli"
)]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal (the default): GONGKAI_DATABASE, LEPTOS_SITE_ADDR, LEPTOS_SITE_ROOT…
    Serve,
    #[command(flatten)]
    Portal(cli::Command),
    /// The draw commands, moved to `gongkai`: says so (exit code 2, a usage error).
    #[command(hide = true, name = "verify", aliases = ["commit", "draw", "recuse", "prove", "lookup"])]
    Moved {
        #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
        args: Vec<String>,
    },
}

fn main() -> ExitCode {
    match Args::parse().command {
        None | Some(Command::Serve) => serve(),
        Some(Command::Portal(command)) => cli::run(command),
        Some(Command::Moved { .. }) => {
            eprintln!(
                "错误 / error: 抽取命令（commit、draw、verify、recuse、prove）已移至 gongkai 命令行工具，\
                 用法相同：gongkai <命令> …（安装：cargo install --locked --path cli）/ the draw commands \
                 (commit, draw, verify, recuse, prove) are now the gongkai command line, with the same \
                 options: gongkai <command> … (install: cargo install --locked --path cli)"
            );
            ExitCode::from(2)
        }
    }
}

fn serve() -> ExitCode {
    telemetry::init();
    let settings = match Settings::from_env() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("配置错误 / configuration error: {e}");
            return ExitCode::FAILURE;
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread().enable_all().build() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cannot start the async runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let app = Application::build(settings).await?;
        app.run_until_stopped().await?;
        Ok::<(), Box<dyn std::error::Error>>(())
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            eprintln!("服务器错误 / server error: {e}");
            ExitCode::FAILURE
        }
    }
}
