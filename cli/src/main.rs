//! `gongkai`: the draw command line (see the library's documentation).

use std::process::ExitCode;

use clap::Parser;

#[derive(Parser)]
#[command(
    name = "gongkai",
    version,
    about = "公开 Gongkai：抽取的承诺、抽取、复核、回避与包含证明（不依赖门户）/ \
             commit, draw, verify, recuse and prove draws, without the portal",
    after_help = "退出码 / exit codes: 0 成功 / success; 1 内容有误或不一致 / the content is wrong or differs; \
                  2 文件无法读取或用法错误 / a file cannot be read, or a usage error"
)]
struct Args {
    #[command(subcommand)]
    command: gongkai_cli::Command,
}

fn main() -> ExitCode {
    gongkai_cli::run(Args::parse().command)
}
