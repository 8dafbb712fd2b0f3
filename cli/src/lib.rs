//! `gongkai`, the draw command line: `commit`, `draw`, `verify`, `recuse`,
//! `prove` (also `lookup`). It needs only the draw crate and what reading
//! files takes, so that anyone can build it in about a minute
//! (`cargo install --path cli`) and check a draw without the portal.
//!
//! Used offline by journalists and department staff. Every message is
//! bilingual (Chinese first), names the file, record and field it is about,
//! and never shows a Rust debug dump.
//!
//! Exit codes: 0 success; 1 the content is wrong (invalid inputs, an
//! infeasible plan, a record that does not match, an enterprise not in the
//! pool); 2 a file cannot be read or is not the kind of file expected (and
//! command-line usage errors, from clap).
//!
//! The library is also what `server import` reads files with: [`files`],
//! [`tabular`] (the one CSV reader, UTF-8 or GBK decided per file), [`clock`]
//! and [`Failure`].

pub mod clock;
mod commit;
pub mod files;
mod http;
mod make;
mod prove;
mod recuse;
mod report;
pub mod tabular;
mod verify;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{ArgGroup, Args, Subcommand};

/// The commands of `gongkai`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// 校验输入并计算承诺值（抽取前公布）/ Validate the inputs and compute the commitment to publish before the draw
    ///
    /// 输入为一个 JSON 文件（--input），或计划 JSON 加 CSV 名录（--plan、--objects、--inspectors、--history）。
    /// 所有错误一次列出，写明文件、行、记录和字段；有错误时不写任何文件，退出码 1。
    ///
    /// The inputs are one JSON file (--input) or a plan JSON plus CSV directories
    /// (--plan, --objects, --inspectors, --history). Every problem is listed at once,
    /// naming file, line, record and field; with any problem nothing is written and
    /// the exit code is 1.
    ///
    /// 另以试用种子试抽一次：无法完成的计划（如检查人员不足）在公布前即被拒绝。
    /// A trial draw with a trial seed is run too: a plan that cannot be drawn
    /// (e.g. too few inspectors) is refused before it is published.
    ///
    /// CSV：UTF-8（可带 BOM）或 GBK（Excel 中文版默认），按文件判定，同 server import；首行为表头 /
    /// UTF-8 with or without BOM, or GBK (what Excel writes in China), decided per file as
    /// `server import` does; header row required.
    ///   objects:    id,stratum,categories,abnormal,serious_violation,penalised
    ///   inspectors: cert,unit,qualifications,valid_from,valid_until,conflicts
    ///   history:    object,department,unit,date
    /// 列表以“;”分隔；布尔值 true/false/1/0/是/否，空 = 否 /
    /// lists are separated by ';'; booleans true/false/1/0/是/否, empty = false.
    #[command(verbatim_doc_comment)]
    Commit(CommitArgs),

    /// 用公共随机数进行抽取并写出抽取记录 / Make the draw with the public randomness and write the record
    ///
    /// 随机数四选一：--randomness 文件、--drand-signature、--numbers、--demo。
    /// 无法完成的抽取（如检查人员不足）给出原因，退出码 1，不写任何文件。
    /// 记录先写入临时文件再改名，不会留下残缺文件。
    ///
    /// Give the randomness one way: --randomness FILE, --drand-signature, --numbers or
    /// --demo. A draw that cannot be made (e.g. too few inspectors) is explained, exits
    /// 1 and writes nothing. The record is written to a temporary file and renamed,
    /// never left half-written.
    #[command(verbatim_doc_comment)]
    Draw(DrawArgs),

    /// 离线复核一份抽取记录 / Re-run a published draw record offline and compare every value
    ///
    /// 记录自带承诺值：只凭记录只能检查一致性。要检查时间（输入在随机数产生前已确定），
    /// 请用 --commitment 给出事先公布的承诺值，或用 --portal 从门户网站取得。
    /// 退出码：0 一致；1 有差异，或记录的字段有错误（逐一列出）；2 文件无法读取、不是抽取记录，或无法从门户取得承诺值。
    ///
    /// A record carries its own commitment: from the record alone only its consistency
    /// can be checked. To check timing (that the inputs were fixed before the
    /// randomness), give the commitment published before the draw with --commitment,
    /// or fetch it from the portal with --portal.
    /// Exit code: 0 the record matches; 1 something differs, or fields of the record are
    /// invalid (each one listed); 2 the file cannot be read or is not a draw record, or
    /// the portal's commitment cannot be fetched.
    #[command(verbatim_doc_comment)]
    Verify(VerifyArgs),

    /// 登记一次回避并抽取替换人员，写出新记录（原文件不变）/ Record a recusal, draw the replacement, write a new record (the old file is untouched)
    Recuse(RecuseArgs),

    /// 给出某企业在对象库中的包含证明 / Print an enterprise's proof of inclusion in the object pool
    ///
    /// 证明（JSON）输出到标准输出，核对结果输出到标准错误。企业不在对象库中时退出码 1。
    ///
    /// The proof (JSON) goes to standard output, the check to standard error. Exit
    /// code 1 when the enterprise is not in the pool or the proof does not check.
    #[command(verbatim_doc_comment, visible_alias = "lookup")]
    Prove(ProveArgs),
}

#[derive(Debug, Args)]
#[command(group(ArgGroup::new("inputs").required(true).args(["input", "plan"])))]
pub struct CommitArgs {
    /// 完整输入 JSON（DrawInput）/ The complete inputs as one JSON file (a DrawInput)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["plan", "objects", "inspectors", "history"])]
    pub input: Option<PathBuf>,
    /// 计划 JSON：除 objects、inspectors、history 外的全部字段 / Plan JSON: every input field except objects, inspectors and history
    #[arg(long, value_name = "FILE", requires_all = ["objects", "inspectors"])]
    pub plan: Option<PathBuf>,
    /// 检查对象名录 CSV / Object pool CSV (id,stratum,categories,abnormal,serious_violation,penalised)
    #[arg(long, value_name = "CSV", requires = "plan")]
    pub objects: Option<PathBuf>,
    /// 执法检查人员名录 CSV / Inspector pool CSV (cert,unit,qualifications,valid_from,valid_until,conflicts)
    #[arg(long, value_name = "CSV", requires = "plan")]
    pub inspectors: Option<PathBuf>,
    /// 本年已检查记录 CSV（可选）/ This year's inspections CSV, optional (object,department,unit,date)
    #[arg(long, value_name = "CSV", requires = "plan")]
    pub history: Option<PathBuf>,
    /// 随机源设为此时刻（RFC 3339）或之后的第一个 drand quicknet 轮次 / Bind to the first drand quicknet round at or after this RFC 3339 time
    #[arg(long, value_name = "TIME")]
    pub drand_at: Option<String>,
    /// 写出完整的承诺输入（待公布）/ Write the complete committed inputs (to publish) to this file
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// 以 JSON 输出承诺 / Print the commitment as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
#[command(group(
    ArgGroup::new("randomness_given")
        .required(true)
        .args(["randomness", "drand_signature", "numbers", "demo"])
))]
pub struct DrawArgs {
    /// 已承诺的输入（commit --out 写出的文件）/ The committed inputs (the file written by commit --out)
    #[arg(long, value_name = "FILE")]
    pub input: PathBuf,
    /// 随机数 JSON 文件（含 drand 接口返回的 JSON）/ Randomness JSON file (also the JSON of a drand beacon)
    #[arg(long, value_name = "FILE")]
    pub randomness: Option<PathBuf>,
    /// drand quicknet 签名（十六进制），轮次取自输入 / drand quicknet signature in hex; the round is the committed one
    #[arg(long, value_name = "HEX")]
    pub drand_signature: Option<String>,
    /// RFC 3797 公开号码串 / RFC 3797 key string of the public numbers, e.g. "9319./2.5.8.10.12./"
    #[arg(long, value_name = "KEY")]
    pub numbers: Option<String>,
    /// 演示随机数，32 字节十六进制（非公共随机源）/ Demo randomness, 32 bytes in hex (not a public beacon)
    #[arg(long, value_name = "HEX64")]
    pub demo: Option<String>,
    /// 承诺值公布时间（RFC 3339），记入记录 / When the commitment was published (RFC 3339), kept in the record
    #[arg(long, value_name = "TIME")]
    pub committed_at: Option<String>,
    /// 事先公布的承诺值；输入与之不符则不抽取 / The commitment as published; refuse to draw if the inputs differ from it
    #[arg(long, value_name = "HEX")]
    pub commitment: Option<String>,
    /// 抽取记录写入此文件 / Write the draw record to this file
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// 列出每个抽中对象及其检查组 / List every selected object with its team
    #[arg(long)]
    pub list: bool,
}

#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// 抽取记录 JSON / The draw record JSON
    pub record: PathBuf,
    /// 随机数产生前公布的承诺值（64 位十六进制）/ The commitment published before the randomness (64 hex digits)
    #[arg(long, value_name = "HEX", conflicts_with = "portal")]
    pub commitment: Option<String>,
    /// 门户公布的回避链头（某次回避后公布的）/ A recusal chain head the portal published (after some recusal)
    #[arg(long, value_name = "HEX")]
    pub recusal_head: Option<String>,
    /// 从门户网站取得事先公布的承诺值（GET URL/api/draws/{draw_id}；仅 http://）/
    /// Fetch the commitment published before the randomness from the portal (GET URL/api/draws/{draw_id}; http:// only)
    #[arg(long, value_name = "URL")]
    pub portal: Option<String>,
    /// 以 JSON 输出复核结果 / Print the verification as JSON
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RecuseArgs {
    /// 抽取记录 JSON / The draw record JSON
    pub record: PathBuf,
    /// 被检查对象的统一社会信用代码 / Credit code of the inspected object
    #[arg(long, value_name = "CODE")]
    pub object: String,
    /// 回避人员的执法证号 / Certificate number of the inspector who steps aside
    ///
    /// 执法证号可以“-”开头 / a certificate number may start with '-' (SPEC §2): `--inspector -53YC0004`.
    #[arg(long, value_name = "CERT", allow_hyphen_values = true)]
    pub inspector: String,
    /// 回避理由（公开）/ Reason of the recusal (published)
    #[arg(long, value_name = "TEXT")]
    pub reason: String,
    /// 回避日期 / Date of the recusal, YYYY-MM-DD
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub date: String,
    /// 新记录写入此文件 / Write the new record to this file
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct ProveArgs {
    /// 抽取记录或承诺输入 JSON / A draw record, or committed inputs, JSON
    pub file: PathBuf,
    /// 企业的统一社会信用代码 / Credit code of the enterprise
    #[arg(long, value_name = "CODE")]
    pub object: String,
}

/// Why a command failed: what to tell the user, and the exit code.
#[derive(Debug)]
pub struct Failure {
    code: u8,
    message: String,
}

impl Failure {
    /// The content is wrong: exit code 1.
    pub fn content(message: impl Into<String>) -> Self {
        Self { code: 1, message: message.into() }
    }

    /// A file cannot be read or is not what was expected: exit code 2.
    pub fn unreadable(message: impl Into<String>) -> Self {
        Self { code: 2, message: message.into() }
    }
}

/// What a command ends with: its exit code, or why it failed.
pub type Outcome = Result<ExitCode, Failure>;

/// The exit code of a command's outcome; a failure is told on standard error first.
pub fn finish(outcome: Outcome) -> ExitCode {
    match outcome {
        Ok(code) => code,
        Err(failure) => {
            let message = failure.message.trim_end();
            eprintln!("错误 / error: {message}");
            ExitCode::from(failure.code)
        }
    }
}

/// Runs one command and returns its exit code.
pub fn run(command: Command) -> ExitCode {
    finish(match command {
        Command::Commit(args) => commit::run(&args),
        Command::Draw(args) => make::run(&args),
        Command::Verify(args) => verify::run(&args),
        Command::Recuse(args) => recuse::run(&args),
        Command::Prove(args) => prove::run(&args),
    })
}
