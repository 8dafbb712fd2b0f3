//! `server`: runs the portal (no subcommand, or `serve`), or a draw command.

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use gongkai_server::cli;
use gongkai_server::configuration::Settings;
use gongkai_server::startup::Application;
use gongkai_server::telemetry;

#[derive(Parser)]
#[command(name = "server", version, about = "公开 Gongkai: portal server and draw tool")]
struct Args {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Run the portal (the default): GONGKAI_DATABASE, LEPTOS_SITE_ADDR, LEPTOS_SITE_ROOT…
    Serve,
    #[command(flatten)]
    Draw(cli::DrawCommand),
}

fn main() -> ExitCode {
    match Args::parse().command {
        None | Some(Command::Serve) => serve(),
        Some(Command::Draw(command)) => cli::run(command),
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
