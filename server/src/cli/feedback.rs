//! `server feedback codes --department D --year Y --out FILE [--sheet FILE]`:
//! issues a feedback code (评价码, 001 art. 24) for every published result of
//! a department and year that has none, and writes them for the department to
//! print on the written results (检查结果告知书): as CSV, and optionally as a
//! printable HTML sheet, one slip per result with its code and a QR code.
//!
//! The codes exist only in those files: the database keeps their keyed hashes.
//! The files are written (and flushed) before the hashes are committed, and
//! moved into place after, so no stored hash is without its code on disk.

use std::ffi::OsString;
use std::fs;
use std::path::{Path, PathBuf};

use app::calendar::{self, Calendar, CalendarError};
use app::components::verify::esc;
use app::feedback::FeedbackCode;
use clap::{Args, Subcommand};

use super::{Failure, Outcome, clock};
use crate::feedback::{FeedbackKey, key_path_from_env, new_code};
use crate::storage::{FeedbackCodeDue, IssuedFeedbackCode, StorageError};

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
    /// 为某部门某年尚无评价码的检查结果发放评价码，写出 CSV（可另写出可打印的告知单）/ Issue feedback codes for a department's results of a year that have none, written as CSV (and as a printable sheet)
    ///
    /// 每个检查结果一个评价码，打印在检查结果告知书上；企业凭统一社会信用代码和评价码在送达后 10 个工作日内评价。
    /// 门户只保存评价码的带密钥散列，评价码只出现在写出的文件中：请妥善保管。
    /// --sheet 另写出一个可打印的 HTML 文件：每个检查结果一页，含评价码和二维码。
    ///
    /// One code per result, to print on the written result; the enterprise gives feedback with its
    /// credit code and the code within 10 working days of delivery. The portal keeps only a keyed
    /// hash: the codes exist only in the files written, keep them safe.
    /// --sheet also writes a printable HTML file: one page per result, with its code and a QR code.
    #[command(verbatim_doc_comment)]
    Codes(CodesArgs),
    /// 导出某部门检查收到的全部评价（含每个版本），供监督部门（法制、纪检）查阅 / Export every feedback (every version) on a department's inspections, for the supervisory office
    ///
    /// 评价内容不公开，也不交给检查单位：导出文件只给监督部门，权限为仅所有者可读写。
    /// 每行是一份评价的一个评价对象（部门或一位检查人员）。
    ///
    /// Feedback is never published nor given to the inspecting unit: the file is for the
    /// supervisory office only, and is written readable by its owner only. One row per
    /// submission and subject (the department, or one inspector).
    #[command(verbatim_doc_comment)]
    Export(ExportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// 部门代码 / Department code
    #[arg(long, value_name = "CODE")]
    pub department: String,
    /// 写出的 CSV 文件（不得已存在）/ The CSV file to write (must not exist)
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
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
    /// 另写出的可打印告知单（HTML，每个结果一页，不得已存在）/ Also write a printable sheet (HTML, a page per result; must not exist)
    #[arg(long, value_name = "FILE")]
    pub sheet: Option<PathBuf>,
    /// 印在告知单和二维码上的门户地址（默认 GONGKAI_PUBLIC_URL，否则 http://127.0.0.1:3000）/ The portal's address printed on the sheet and in its QR codes (default GONGKAI_PUBLIC_URL, else http://127.0.0.1:3000)
    #[arg(long, value_name = "URL", requires = "sheet")]
    pub portal_url: Option<String>,
}

/// The portal's address when neither `--portal-url` nor `GONGKAI_PUBLIC_URL` gives one.
const DEFAULT_PORTAL_URL: &str = "http://127.0.0.1:3000";

/// Working days an enterprise has for its feedback, from delivery (001 art. 24).
const FEEDBACK_WORKING_DAYS: u32 = 10;

const CSV_HEADER: [&str; 8] = [
    "result_code",
    "credit_code",
    "enterprise_name",
    "inspected_on",
    "delivered_on",
    "feedback_code",
    "feedback_opens",
    "feedback_closes",
];

pub fn run(args: &FeedbackArgs) -> Outcome {
    let runtime = super::runtime()?;
    match &args.command {
        FeedbackCommand::Codes(codes) => runtime.block_on(issue(args, codes))?,
        FeedbackCommand::Export(export) => runtime.block_on(export_feedback(args, export))?,
    }
    Ok(std::process::ExitCode::SUCCESS)
}

/// A CSV cell that a spreadsheet will not run as a formula.
fn cell(text: &str) -> String {
    crate::routes::open_data::csv_text(text).into_owned()
}

/// The portal's base address (no trailing `/`): `--portal-url`, else
/// `GONGKAI_PUBLIC_URL` (`env`), else [`DEFAULT_PORTAL_URL`]. It is printed
/// and put in QR codes, so only a plain http(s) address is taken.
fn portal_base(given: Option<&str>, env: Option<&str>) -> Result<String, String> {
    let (url, from) = match (given, env.filter(|e| !e.is_empty())) {
        (Some(url), _) => (url, ("--portal-url", "--portal-url")),
        (None, Some(url)) => {
            (url, ("--portal-url（取自 GONGKAI_PUBLIC_URL）", "--portal-url (from GONGKAI_PUBLIC_URL)"))
        }
        (None, None) => return Ok(DEFAULT_PORTAL_URL.to_owned()),
    };
    let refuse = || {
        format!(
            "{}：应为以 http:// 或 https:// 开头的门户地址，不含空白、引号、尖括号、? 或 # / {}: must be the portal's address, starting with http:// or https://, without whitespace, quotes, angle brackets, ? or #: {url:?}",
            from.0, from.1
        )
    };
    let rest = url.strip_prefix("https://").or_else(|| url.strip_prefix("http://")).ok_or_else(refuse)?;
    if url.chars().any(|c| c.is_whitespace() || c.is_control() || "\"'`<>\\?#".contains(c)) {
        return Err(refuse());
    }
    let host = rest.trim_end_matches('/');
    if host.is_empty() || host.starts_with('/') {
        return Err(refuse());
    }
    Ok(url.trim_end_matches('/').to_owned())
}

/// When an enterprise may give feedback on a result.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Window {
    /// Not delivered yet: the window opens on delivery.
    Undelivered,
    /// From delivery to 24:00 Beijing time of `closes`.
    Open { opens: String, closes: String },
    /// Delivered, but the last day is not known yet (`unpublished`: the year
    /// whose holidays are not published).
    Pending { opens: String, unpublished: Option<i32> },
}

impl Window {
    /// The window of a result delivered on `delivered_on`: from delivery to
    /// the end of its 10th working day.
    fn of(calendar: &Calendar, delivered_on: Option<&str>) -> Window {
        let Some(opens) = delivered_on.filter(|d| !d.is_empty()) else { return Window::Undelivered };
        let Some(day) = calendar::day(opens) else {
            return Window::Pending { opens: opens.to_owned(), unpublished: None };
        };
        match calendar.add_working_days(day, FEEDBACK_WORKING_DAYS) {
            Ok(last) => Window::Open { opens: opens.to_owned(), closes: calendar::date(last) },
            Err(CalendarError::NotPublished(year)) => {
                Window::Pending { opens: opens.to_owned(), unpublished: Some(year) }
            }
            Err(_) => Window::Pending { opens: opens.to_owned(), unpublished: None },
        }
    }

    /// The last day, as the CSV has it (blank when not known).
    fn closes(&self) -> &str {
        match self {
            Window::Open { closes, .. } => closes,
            _ => "",
        }
    }

    /// Chinese and English, as HTML.
    fn html(&self) -> (String, String) {
        match self {
            Window::Undelivered => (
                format!("自检查结果送达之日起 {FEEDBACK_WORKING_DAYS} 个工作日"),
                format!("{FEEDBACK_WORKING_DAYS} working days from the day the result is delivered"),
            ),
            Window::Open { opens, closes } => (
                format!("{} 至 {} 24:00（北京时间）", esc(opens), esc(closes)),
                format!("From {} to 24:00 Beijing time on {}", esc(opens), esc(closes)),
            ),
            Window::Pending { opens, unpublished: Some(year) } => (
                format!(
                    "自 {} 起 {FEEDBACK_WORKING_DAYS} 个工作日（{year} 年节假日安排尚未公布，截止日期待定）",
                    esc(opens)
                ),
                format!(
                    "{FEEDBACK_WORKING_DAYS} working days from {} (the holiday calendar for {year} is not yet published, so the last day is not yet known)",
                    esc(opens)
                ),
            ),
            Window::Pending { opens, unpublished: None } => (
                format!("自 {} 起 {FEEDBACK_WORKING_DAYS} 个工作日（截止日期待定）", esc(opens)),
                format!("{FEEDBACK_WORKING_DAYS} working days from {} (the last day is not yet known)", esc(opens)),
            ),
        }
    }
}

/// The export's columns.
const EXPORT_HEADER: [&str; 17] = [
    "result_code",
    "credit_code",
    "version",
    "receipt",
    "submitted_at",
    "sha256",
    "subject",
    "level",
    "showed_certificate",
    "explained_scope",
    "stayed_in_scope",
    "no_gifts",
    "no_disruption",
    "kept_secrets",
    "text",
    "contact",
    "latest",
];

async fn export_feedback(args: &FeedbackArgs, export: &ExportArgs) -> Result<(), Failure> {
    if export.out.exists() {
        return Err(Failure::unreadable(format!(
            "{} 已存在，不会覆盖 / {} exists and is not overwritten",
            export.out.display(),
            export.out.display()
        )));
    }
    let database = super::existing_database(args.database.as_deref())?;
    let storage = super::open(&database, crate::storage::WRITE_WAIT).await?;
    let known = storage
        .find_department(&export.department)
        .await
        .map_err(|e| Failure::unreadable(format!("数据库错误 / database error: {e}")))?;
    if known.is_none() {
        return Err(Failure::content(format!(
            "--department: 没有代码为 {} 的部门 / no department has the code {}",
            export.department, export.department
        )));
    }
    let rows = storage
        .feedback_export(&export.department)
        .await
        .map_err(|e| Failure::unreadable(format!("数据库错误 / database error: {e}")))?;
    let yes_no = |a: Option<bool>| match a {
        Some(true) => "是 yes",
        Some(false) => "否 no",
        None => "",
    };
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w =
            csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::CRLF).from_writer(&mut out);
        let fail = |e: csv::Error| Failure::unreadable(format!("CSV: {e}"));
        w.write_record(EXPORT_HEADER).map_err(fail)?;
        for (i, r) in rows.iter().enumerate() {
            let latest = !rows[i + 1..].iter().any(|o| o.result_code == r.result_code && o.version > r.version);
            for rating in &r.ratings {
                let mut record = vec![
                    cell(&r.result_code),
                    cell(&r.credit_code),
                    r.version.to_string(),
                    r.receipt.clone(),
                    r.submitted_at.clone(),
                    r.sha256.clone(),
                    cell(rating.certificate.as_deref().unwrap_or("部门 department")),
                    format!("{} {}", rating.level.name(app::i18n::Lang::Zh), rating.level.name(app::i18n::Lang::En)),
                ];
                record.extend(
                    app::feedback::Conduct::ALL
                        .iter()
                        .enumerate()
                        .map(|(k, _)| yes_no(rating.conduct.get(k).copied().flatten()).to_owned()),
                );
                record.push(cell(&r.text));
                record.push(cell(&r.contact));
                record.push(if latest { "1" } else { "0" }.to_owned());
                w.write_record(&record).map_err(fail)?;
            }
        }
        w.flush().map_err(|e| Failure::unreadable(format!("CSV: {e}")))?;
    }
    let io = |e: std::io::Error| {
        Failure::unreadable(format!("无法写入 {} / cannot write {}: {e}", export.out.display(), export.out.display()))
    };
    {
        use std::io::Write;
        let mut options = fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options.open(&export.out).map_err(io)?;
        file.write_all(&out).map_err(io)?;
        file.sync_all().map_err(io)?;
    }
    tracing::info!(department = %export.department, submissions = rows.len(), "feedback exported");
    eprintln!(
        "已导出 {} 份评价（含各版本），写入 {} / exported {} submissions (every version) to {}",
        rows.len(),
        export.out.display(),
        rows.len(),
        export.out.display()
    );
    Ok(())
}

/// One result's new code, as written to the files.
struct Slip<'a> {
    due: &'a FeedbackCodeDue,
    code: FeedbackCode,
    window: Window,
}

/// The CSV: a UTF-8 byte-order mark (so that Excel reads the Chinese), a header row, CRLF.
fn codes_csv(slips: &[Slip<'_>]) -> Result<Vec<u8>, csv::Error> {
    let mut out = "\u{feff}".as_bytes().to_vec();
    {
        let mut w =
            csv::WriterBuilder::new().has_headers(false).terminator(csv::Terminator::CRLF).from_writer(&mut out);
        w.write_record(CSV_HEADER)?;
        for s in slips {
            let r = s.due;
            let delivered = r.delivered_on.clone().unwrap_or_default();
            w.write_record([
                cell(&r.result_code),
                cell(&r.credit_code),
                cell(&r.enterprise_name),
                r.inspected_on.clone(),
                delivered.clone(),
                s.code.grouped(),
                delivered,
                s.window.closes().to_owned(),
            ])?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// Where the QR code of a slip leads: the feedback form, filled in.
fn feedback_url(base: &str, credit_code: &str, code: &FeedbackCode) -> String {
    let enc = |s: &str| form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    format!("{base}/feedback?credit_code={}&code={}", enc(credit_code), enc(code.as_str()))
}

/// The QR code of `url` as inline SVG (no XML declaration), named by a `<title>`.
fn qr_svg(url: &str) -> Result<String, String> {
    let qr = qrcode::QrCode::new(url.as_bytes())
        .map_err(|e| format!("无法生成二维码 / cannot make the QR code of {url}: {e}"))?;
    let svg = qr.render::<qrcode::render::svg::Color>().build();
    let svg = svg.find("<svg").map_or(svg.as_str(), |at| &svg[at..]);
    let Some((open, body)) = svg.split_once('>') else {
        return Err(format!("无法生成二维码 / cannot make the QR code of {url}"));
    };
    let title = format!("评价页面二维码 / QR code of the feedback page: {url}");
    Ok(format!(r#"{} role="img"><title>{}</title>{body}"#, open.trim_end_matches('/'), esc(&title)))
}

const SHEET_STYLE: &str = r#"@page { size: A4; margin: 15mm; }
* { box-sizing: border-box; }
html { color: #000; background: #fff; }
body { margin: 0; font-family: "Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "SimHei", sans-serif; font-size: 11pt; line-height: 1.5; }
.slip { break-after: page; page-break-after: always; break-inside: avoid; max-width: 180mm; margin: 0 auto; }
.slip:last-of-type { break-after: auto; page-break-after: auto; }
h1 { font-size: 17pt; margin: 0; }
h1 .en { display: block; font-size: 11pt; font-weight: normal; }
.dept { margin: 1mm 0 0; font-size: 9pt; }
dl { display: grid; grid-template-columns: 46mm 1fr; gap: 1.5mm 4mm; margin: 7mm 0; }
dt { font-weight: bold; }
dt .en, p .en, .label .en { display: block; font-weight: normal; font-size: 8.5pt; }
dd { margin: 0; }
.mono, .code { font-family: "DejaVu Sans Mono", "Noto Sans Mono", Consolas, "Courier New", monospace; }
.label { margin: 6mm 0 0; text-align: center; font-weight: bold; }
.code { margin: 2mm 0 5mm; padding: 4mm; border: 0.6mm solid #000; text-align: center; font-size: 28pt; font-weight: bold; letter-spacing: 0.06em; white-space: nowrap; }
.qr { margin: 0 0 5mm; text-align: center; }
.qr svg { display: block; width: 42mm; height: 42mm; margin: 0 auto; }
.qr figcaption { margin-top: 1mm; font-size: 7.5pt; word-break: break-all; }
.how p { margin: 0 0 2mm; }
@media screen {
  html { background: #e8e8e8; }
  .slip { background: #fff; width: 210mm; max-width: 100%; min-height: 297mm; margin: 8mm auto; padding: 15mm; box-shadow: 0 0 2mm rgba(0, 0, 0, 0.25); }
}
"#;

/// The printable sheet: a self-contained HTML document (no scripts, no
/// remote resources) with one slip, on its own A4 page, per new code.
fn sheet_html(department: &str, year: i32, base: &str, slips: &[Slip<'_>]) -> Result<String, String> {
    let department = esc(department);
    let form = esc(&format!("{base}/feedback"));
    let mut html = format!(
        "<!DOCTYPE html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"robots\" content=\"noindex\">\n\
         <title>检查结果告知书 · 评价码 · {department} · {year} / Feedback codes for the written results</title>\n\
         <style>\n{SHEET_STYLE}</style>\n</head>\n<body>\n<main>\n"
    );
    for s in slips {
        let r = s.due;
        let url = feedback_url(base, &r.credit_code, &s.code);
        let delivered = match r.delivered_on.as_deref().filter(|d| !d.is_empty()) {
            Some(d) => esc(d),
            None => "尚未送达<span class=\"en\" lang=\"en\">Not yet delivered</span>".to_owned(),
        };
        let (window_zh, window_en) = s.window.html();
        html.push_str(&format!(
            "<section class=\"slip\">\n\
             <h1>检查结果告知书 · 评价码<span class=\"en\" lang=\"en\">Feedback code for the written result</span></h1>\n\
             <p class=\"dept\">部门 / Department {department} · {year}</p>\n\
             <dl>\n\
             <dt>企业名称<span class=\"en\" lang=\"en\">Enterprise</span></dt><dd>{name}</dd>\n\
             <dt>统一社会信用代码<span class=\"en\" lang=\"en\">Unified social credit code</span></dt><dd class=\"mono\">{credit}</dd>\n\
             <dt>检查结果编号<span class=\"en\" lang=\"en\">Result</span></dt><dd class=\"mono\">{result}</dd>\n\
             <dt>检查日期<span class=\"en\" lang=\"en\">Inspected on</span></dt><dd>{inspected}</dd>\n\
             <dt>送达日期<span class=\"en\" lang=\"en\">Delivered on</span></dt><dd>{delivered}</dd>\n\
             <dt>评价期限<span class=\"en\" lang=\"en\">Feedback window</span></dt><dd>{window_zh}<span class=\"en\" lang=\"en\">{window_en}</span></dd>\n\
             </dl>\n\
             <p class=\"label\">评价码<span class=\"en\" lang=\"en\">Feedback code</span></p>\n\
             <p class=\"code\">{code}</p>\n\
             <figure class=\"qr\">{svg}<figcaption class=\"mono\">{url_text}</figcaption></figure>\n\
             <div class=\"how\">\n\
             <p>请在送达之日起 10 个工作日内，凭统一社会信用代码和评价码在 {form} 对本次检查及检查人员进行评价。评价内容仅供监督部门查阅，不向检查单位公开。</p>\n\
             <p lang=\"en\">Within 10 working days of delivery, give feedback on this inspection and its inspectors at {form} with your credit code and this code. What you write is read only by the supervisory office, not by the inspecting unit.</p>\n\
             </div>\n\
             </section>\n",
            name = esc(&r.enterprise_name),
            credit = esc(&r.credit_code),
            result = esc(&r.result_code),
            inspected = esc(&r.inspected_on),
            code = esc(&s.code.grouped()),
            svg = qr_svg(&url)?,
            url_text = esc(&url),
        ));
    }
    html.push_str("</main>\n</body>\n</html>\n");
    Ok(html)
}

/// `path` with `.partial` appended (`codes.csv` → `codes.csv.partial`).
fn partial_path(path: &Path) -> PathBuf {
    let mut name = OsString::from(path.as_os_str());
    name.push(".partial");
    PathBuf::from(name)
}

/// Writes `bytes` to a new file and flushes it to the disk; nothing is left on failure.
fn write_new(path: &Path, bytes: &[u8]) -> Result<(), Failure> {
    use std::io::Write;
    let fail = |e: std::io::Error| {
        Failure::unreadable(format!("无法写入 {} / cannot write {}: {e}", path.display(), path.display()))
    };
    let mut file = fs::OpenOptions::new().write(true).create_new(true).open(path).map_err(fail)?;
    if let Err(e) = file.write_all(bytes).and_then(|()| file.sync_all()) {
        drop(file);
        let _ = fs::remove_file(path);
        return Err(fail(e));
    }
    Ok(())
}

/// Refuses a file that exists: its codes could not be had again.
fn refuse_existing(path: &Path) -> Result<(), Failure> {
    if path.exists() {
        return Err(Failure::unreadable(format!(
            "{} 已存在，不会覆盖（其中的评价码无法再次取得）/ {} exists and is not overwritten (its codes cannot be had again)",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

async fn issue(args: &FeedbackArgs, codes: &CodesArgs) -> Result<(), Failure> {
    if !(2000..=2099).contains(&codes.year) {
        return Err(Failure::content(format!("--year: 应在 2000–2099 之间 / must be 2000–2099: {}", codes.year)));
    }
    let base = match &codes.sheet {
        Some(_) => Some(
            portal_base(codes.portal_url.as_deref(), std::env::var("GONGKAI_PUBLIC_URL").ok().as_deref())
                .map_err(Failure::content)?,
        ),
        None => None,
    };
    refuse_existing(&codes.out)?;
    if let Some(sheet) = &codes.sheet {
        if sheet == &codes.out {
            return Err(Failure::content(format!(
                "--sheet 与 --out 是同一个文件 / --sheet and --out are the same file: {}",
                sheet.display()
            )));
        }
        refuse_existing(sheet)?;
    }
    let database = super::database(args.database.as_deref())?;
    let key_path = args.key.clone().unwrap_or_else(|| key_path_from_env(&database.key_dir()));
    let key = FeedbackKey::load_or_create(&key_path).map_err(|e| Failure::unreadable(e.to_string()))?;
    let storage = super::open(&database, crate::storage::WRITE_WAIT).await?;
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

    let mut slips = Vec::with_capacity(due.len());
    let mut issued = Vec::with_capacity(due.len());
    for r in &due {
        let code = new_code().map_err(|e| Failure::unreadable(e.to_string()))?;
        issued.push(IssuedFeedbackCode {
            result_code: r.result_code.clone(),
            credit_code: r.credit_code.clone(),
            department_id: r.department_id,
            code_hmac: key.hash(&code),
        });
        // The window: from delivery to the end of its 10th working day (the
        // last day blank until delivered, or while that year's holidays are
        // not published).
        slips.push(Slip { due: r, code, window: Window::of(&calendar, r.delivered_on.as_deref()) });
    }
    let csv =
        codes_csv(&slips).map_err(|e| Failure::unreadable(format!("无法生成 CSV / cannot write the CSV: {e}")))?;
    let sheet = match (&codes.sheet, &base) {
        (Some(path), Some(base)) => {
            Some((path, sheet_html(&codes.department, codes.year, base, &slips).map_err(Failure::unreadable)?))
        }
        _ => None,
    };

    // The codes reach the disk before their hashes are committed.
    let out_partial = partial_path(&codes.out);
    write_new(&out_partial, &csv)?;
    let sheet = match sheet {
        Some((path, html)) => {
            let partial = partial_path(path);
            if let Err(e) = write_new(&partial, html.as_bytes()) {
                let _ = fs::remove_file(&out_partial);
                return Err(e);
            }
            Some((path, partial))
        }
        None => None,
    };
    let issued_at = clock::beijing(clock::now().unwrap_or(0));
    if let Err(e) = storage.insert_feedback_codes(&issued, &issued_at).await {
        let _ = fs::remove_file(&out_partial);
        if let Some((_, partial)) = &sheet {
            let _ = fs::remove_file(partial);
        }
        return Err(match e {
            StorageError::Rejected(problems) => Failure::content(
                problems.iter().map(|p| format!("{}: {}", p.field, p.message)).collect::<Vec<_>>().join("\n"),
            ),
            e => Failure::unreadable(format!("数据库错误，未发放评价码 / database error, no code issued: {e}")),
        });
    }
    let renamed = |from: &Path, to: &Path| {
        fs::rename(from, to).map_err(|e| {
            Failure::unreadable(format!(
                "评价码已发放，但无法把 {} 改名为 {} / the codes are issued but {} could not be renamed to {}: {e}",
                from.display(),
                to.display(),
                from.display(),
                to.display()
            ))
        })
    };
    renamed(&out_partial, &codes.out)?;
    if let Some((path, partial)) = &sheet {
        renamed(partial, path)?;
    }
    tracing::info!(department = %codes.department, year = codes.year, codes = issued.len(), "feedback codes issued");
    eprintln!(
        "已发放 {} 个评价码，写入 {} / issued {} feedback codes, written to {}",
        issued.len(),
        codes.out.display(),
        issued.len(),
        codes.out.display()
    );
    if let Some((path, _)) = &sheet {
        eprintln!("可打印的告知单：{} / printable sheet: {}", path.display(), path.display());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]
    use super::*;

    const HOSTILE: &str = "<script>alert(1)</script>&\"";

    fn due(name: &str, delivered_on: Option<&str>) -> FeedbackCodeDue {
        FeedbackCodeDue {
            result_code: "JG-2025-0001".to_owned(),
            credit_code: "91110108MA01ABCD2X".to_owned(),
            enterprise_name: name.to_owned(),
            department_id: 1,
            inspected_on: "2025-02-20".to_owned(),
            delivered_on: delivered_on.map(str::to_owned),
        }
    }

    fn code() -> FeedbackCode {
        FeedbackCode::from_random([7, 1, 2, 3, 4, 5, 6, 7, 8, 9])
    }

    fn slip(due: &FeedbackCodeDue) -> Slip<'_> {
        Slip { due, code: code(), window: Window::of(&Calendar::bundled(), due.delivered_on.as_deref()) }
    }

    #[test]
    fn database_text_is_escaped_in_the_sheet_and_never_written_raw() {
        let r = due(HOSTILE, Some("2025-03-03"));
        let html = sheet_html("159902", 2025, "https://gongkai.example.gov.cn", &[slip(&r)]).unwrap();
        assert!(html.contains("<dd>&lt;script&gt;alert(1)&lt;/script&gt;&amp;&quot;</dd>"), "{html}");
        assert!(!html.contains("<script"), "no script element, neither the name nor any of ours");
        assert!(!html.contains("</script>") && !html.contains("&\"<"));
        // Self-contained: nothing is fetched when the sheet is opened or printed.
        for remote in ["<link", "src=", "@import", "url("] {
            assert!(!html.contains(remote), "{remote}");
        }
        assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"zh-CN\">"));
    }

    #[test]
    fn a_slip_shows_the_result_the_grouped_code_and_its_window_on_its_own_page() {
        let r = due("北京某某科技有限公司", Some("2025-03-03"));
        let s = slip(&r);
        let grouped = s.code.grouped();
        let html = sheet_html("159902", 2025, "https://gongkai.example.gov.cn", &[s]).unwrap();
        assert_eq!(html.matches("<section class=\"slip\">").count(), 1);
        assert!(html.contains("break-after: page") && html.contains("size: A4"));
        assert!(html.contains("检查结果告知书 · 评价码") && html.contains("Feedback code for the written result"));
        for text in ["北京某某科技有限公司", "91110108MA01ABCD2X", "JG-2025-0001", "2025-02-20", "2025-03-03"]
        {
            assert!(html.contains(text), "{text}");
        }
        assert_eq!(grouped.len(), 19);
        assert!(html.contains(&format!("<p class=\"code\">{grouped}</p>")));
        // 2025-03-03 is a Monday; no holiday in the next two weeks: ten working days end on the 17th.
        assert!(html.contains("2025-03-03 至 2025-03-17 24:00（北京时间）"), "{html}");
        assert!(html.contains("From 2025-03-03 to 24:00 Beijing time on 2025-03-17"));
        assert!(html.contains(
            "凭统一社会信用代码和评价码在 https://gongkai.example.gov.cn/feedback 对本次检查及检查人员进行评价"
        ));
        assert!(html.contains("give feedback on this inspection and its inspectors at https://gongkai.example.gov.cn/feedback with your credit code"));
    }

    #[test]
    fn an_unknown_last_day_says_why() {
        let undelivered = due("甲公司", None);
        let html = sheet_html("159902", 2025, "http://127.0.0.1:3000", &[slip(&undelivered)]).unwrap();
        assert!(html.contains("自检查结果送达之日起 10 个工作日"), "{html}");
        assert!(html.contains("10 working days from the day the result is delivered"));
        assert!(html.contains("尚未送达"));

        let unpublished = due("乙公司", Some("2099-06-01"));
        let s = slip(&unpublished);
        assert_eq!(s.window.closes(), "", "the CSV leaves it blank");
        let html = sheet_html("159902", 2099, "http://127.0.0.1:3000", &[s]).unwrap();
        assert!(html.contains("2099 年节假日安排尚未公布"), "{html}");
        assert!(html.contains("the holiday calendar for 2099 is not yet published"));
    }

    #[test]
    fn the_qr_code_is_the_qr_code_of_the_filled_in_feedback_url() {
        let r = due("丙公司", Some("2025-03-03"));
        let s = slip(&r);
        assert_eq!(s.code.as_str().len(), 16);
        // Built here from literals, not with the code under test.
        let url =
            format!("https://gongkai.example.gov.cn/feedback?credit_code=91110108MA01ABCD2X&code={}", s.code.as_str());
        let html = sheet_html("159902", 2025, "https://gongkai.example.gov.cn", &[s]).unwrap();

        let expected = qrcode::QrCode::new(url.as_bytes()).unwrap().render::<qrcode::render::svg::Color>().build();
        let (_, modules) = expected.split_once("shape-rendering=\"crispEdges\">").unwrap();
        assert!(modules.contains("<path") && modules.ends_with("</svg>"));
        let svg_at = html.find("<svg").unwrap();
        let svg = &html[svg_at..svg_at + html[svg_at..].find("</svg>").unwrap() + "</svg>".len()];
        assert!(svg.ends_with(modules), "the sheet's SVG draws the same modules");
        assert!(svg.contains("role=\"img\"><title>"), "{svg}");
        assert!(svg.contains(&format!("<title>评价页面二维码 / QR code of the feedback page: {}</title>", esc(&url))));
        assert!(!html.contains("<?xml"), "inline SVG, no XML declaration");
        // And under it, the address in print.
        assert!(html.contains(&format!("<figcaption class=\"mono\">{}</figcaption>", esc(&url))));
        assert!(!html.contains("//feedback"));
    }

    #[test]
    fn the_portal_url_must_be_a_plain_http_address() {
        for bad in [
            "javascript:alert(1)",
            "http://a b",
            "\"http://x\"",
            "http://x\"><script>",
            "ftp://example.org",
            "https://",
            "https:///path",
            "http://x/?a=1",
            "gongkai.example.gov.cn",
        ] {
            let refused = portal_base(Some(bad), None).unwrap_err();
            assert!(refused.contains("--portal-url") && refused.contains("must be"), "{bad}: {refused}");
        }
        let from_env = portal_base(None, Some("javascript:alert(1)")).unwrap_err();
        assert!(from_env.contains("--portal-url") && from_env.contains("GONGKAI_PUBLIC_URL"), "{from_env}");

        assert_eq!(
            portal_base(Some("https://gongkai.example.gov.cn/"), None).unwrap(),
            "https://gongkai.example.gov.cn"
        );
        assert_eq!(portal_base(Some("http://10.0.0.5:8080/gongkai"), None).unwrap(), "http://10.0.0.5:8080/gongkai");
        assert_eq!(portal_base(None, Some("https://portal.example/")).unwrap(), "https://portal.example");
        assert_eq!(portal_base(None, None).unwrap(), "http://127.0.0.1:3000");
        assert_eq!(portal_base(None, Some("")).unwrap(), "http://127.0.0.1:3000");
    }

    #[test]
    fn the_csv_has_the_header_a_bom_crlf_and_neutralised_formulas() {
        let plain = due("丁公司", Some("2025-03-03"));
        let formula = due("=HYPERLINK(\"x\",\"点此\"), 有限公司", None);
        let slips = [slip(&plain), slip(&formula)];
        let grouped = slips[0].code.grouped();
        let text = String::from_utf8(codes_csv(&slips).unwrap()).unwrap();
        let lines: Vec<&str> = text.split("\r\n").collect();
        assert_eq!(
            lines[0],
            "\u{feff}result_code,credit_code,enterprise_name,inspected_on,delivered_on,feedback_code,feedback_opens,feedback_closes"
        );
        assert_eq!(
            lines[1],
            format!("JG-2025-0001,91110108MA01ABCD2X,丁公司,2025-02-20,2025-03-03,{grouped},2025-03-03,2025-03-17")
        );
        assert_eq!(
            lines[2],
            format!(
                "JG-2025-0001,91110108MA01ABCD2X,\"'=HYPERLINK(\"\"x\"\",\"\"点此\"\"), 有限公司\",2025-02-20,,{grouped},,"
            )
        );
        assert_eq!(lines[3], "", "every row ends with CRLF");
        assert_eq!(lines.len(), 4);
    }

    #[test]
    fn partial_files_keep_their_whole_name() {
        assert_eq!(partial_path(Path::new("out/codes.csv")), PathBuf::from("out/codes.csv.partial"));
        assert_ne!(partial_path(Path::new("codes.csv")), partial_path(Path::new("codes.html")));
    }
}
