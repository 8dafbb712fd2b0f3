//! `gongkai verify`: re-run a record from its own inputs and show every step.

use std::process::ExitCode;

use draw::{StepKind, Verification};

use super::{Failure, Outcome, VerifyArgs, files, http, report};

/// Every step, in order, to show the ones a failed verification did not reach.
const STEPS: [StepKind; 7] = [
    StepKind::Inputs,
    StepKind::Commitment,
    StepKind::Seed,
    StepKind::Eligibility,
    StepKind::Selection,
    StepKind::Teams,
    StepKind::Recusals,
];

/// Short name of a step, for labelling differences.
fn label(kind: StepKind) -> &'static str {
    match kind {
        StepKind::Inputs => "输入 / inputs",
        StepKind::Commitment => "承诺 / commitment",
        StepKind::Seed => "种子 / seed",
        StepKind::Eligibility => "可抽对象 / eligibility",
        StepKind::Selection => "抽中对象 / selection",
        StepKind::Teams => "检查组 / teams",
        StepKind::Recusals => "回避 / recusals",
    }
}

/// A step's detail in both languages: one line when the Chinese and English
/// words are the same (hashes, numbers), else Chinese then English.
fn bilingual_detail(detail: &draw::Detail) -> String {
    use draw::words::{Language, detail as words};
    let (zh, en) = (words(detail, Language::Chinese), words(detail, Language::English));
    if zh == en { zh } else { format!("{zh}\n    {en}") }
}

/// The verification as the user reads it.
pub fn render(v: &Verification) -> String {
    let mut out = String::new();
    for step in &v.steps {
        let mark = if step.ok { "✓" } else { "✗" };
        out.push_str(&format!(
            "{mark} {} / {}\n",
            draw::words::step_title(step, draw::words::Language::Chinese),
            draw::words::step_title(step, draw::words::Language::English)
        ));
        out.push_str(&format!("    {}\n", bilingual_detail(&step.detail)));
    }
    for kind in STEPS.iter().filter(|k| !v.steps.iter().any(|s| s.kind == **k)) {
        out.push_str(&format!("– {} / {}（未执行 / not run）\n", kind.zh(), kind.en()));
    }
    if !v.differences.is_empty() {
        out.push_str(&format!("差异 {} 处 / {} difference(s):\n", v.differences.len(), v.differences.len()));
        for d in &v.differences {
            out.push_str(&format!("  ✗ [{}] {d}\n", label(d.step)));
        }
    }
    if v.is_match()
        && let (Some(zh), Some(en)) = (
            draw::words::caveat(&v.steps, draw::words::Language::Chinese),
            draw::words::caveat(&v.steps, draw::words::Language::English),
        )
    {
        out.push_str(&format!("⚠ {zh} / {en}\n"));
    }
    if !v.timing_checked {
        out.push_str(
            "⚠ 只检查了一致性，未检查时间：记录自带承诺值，改动输入后重算承诺值、种子和结果的记录同样一致；\
             请用 --commitment 或 --portal 给出随机数产生前公布的承诺值 / \
             consistency checked, NOT timing: the record carries its own commitment, so a record whose inputs \
             were edited and whose commitment, seed and result were recomputed is consistent too; give the \
             commitment published before the randomness with --commitment or --portal\n",
        );
    } else if let Some(p) = &v.published_commitment {
        out.push_str(&format!(
            "已对照随机数产生前公布的承诺值 / checked against the commitment published before the randomness: {p}\n"
        ));
    }
    if !v.recusals_chained {
        out.push_str(
            "⚠ 回避未链接（回避链出现之前的 v1 记录）：回避的理由和日期事后可改而不被发现 / \
             the recusals are not chained (a v1 record from before the recusal chain): their reasons and dates \
             could be edited afterwards without detection\n",
        );
    } else if let (Some(head), false) = (&v.recusal_head, v.recusal_head_checked) {
        out.push_str(&format!(
            "⚠ 回避链头 {head} 未对照门户公布的链头（--recusal-head）/ the recusal chain head was not checked against \
             the head the portal published (--recusal-head)\n"
        ));
    }
    if v.is_match() {
        out.push_str("✓ 与公布结果一致 / the record matches: every published value was recomputed\n");
    } else {
        out.push_str("✗ 与公布结果不一致 / the record does NOT match what its inputs give\n");
    }
    out
}

/// A commitment (or recusal chain head) given on the command line: 64 hex digits (either case is
/// accepted here and read as the same bytes; records use lower case only).
fn parse_commitment(text: &str, origin: &str) -> Result<[u8; 32], Failure> {
    let text = text.trim();
    let bytes = (text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()))
        .then(|| hex::decode(text.to_ascii_lowercase()).ok())
        .flatten()
        .and_then(|b| <[u8; 32]>::try_from(b).ok());
    bytes.ok_or_else(|| {
        Failure::unreadable(format!(
            "{origin}: 承诺值应为 64 位十六进制数字，实为 “{text}” / a commitment is 64 hex digits, got '{text}'"
        ))
    })
}

/// The commitment the portal published for `draw_id` before the randomness:
/// `GET {portal}/api/draws/{draw_id}` (an object with `commitment`), or, where
/// the portal has no such route, its draw list `GET {portal}/api/draws?q={draw_id}`
/// (the row whose `id` is `draw_id`). Plain HTTP only: this build has no TLS.
/// Also the recusal chain head the portal publishes with the draw, if any.
fn portal_commitment(portal: &str, draw_id: &str) -> Result<([u8; 32], Option<[u8; 32]>), Failure> {
    let base = portal.trim().trim_end_matches('/');
    if base.starts_with("https://") {
        return Err(Failure::unreadable(format!(
            "--portal {base}: 此程序不含 TLS，无法访问 https 地址；请在浏览器中打开 {base}/api/draws?q={draw_id}，\
             把其中的 commitment 用 --commitment 给出 / this build has no TLS and cannot fetch https addresses; \
             open {base}/api/draws?q={draw_id} yourself and pass its commitment with --commitment"
        )));
    }
    if !base.starts_with("http://") {
        return Err(Failure::unreadable(format!("--portal {base}: 应为 http:// 地址 / must be an http:// address")));
    }
    if draw::input::check_draw_id(draw_id).is_err() {
        return Err(Failure::content(format!(
            "记录的 draw_id “{draw_id}” 无效，无法向门户查询 / the record's draw_id is invalid and cannot be looked up"
        )));
    }
    let unreachable = |url: &str, e: String| {
        Failure::unreadable(format!("无法从门户取得承诺值 / cannot fetch the commitment from {url}: {e}"))
    };
    let one = format!("{base}/api/draws/{draw_id}");
    let response = http::get(&one).map_err(|e| unreachable(&one, e))?;
    let (url, response) = if response.status == 404 {
        let list = format!("{base}/api/draws?q={draw_id}");
        let response = http::get(&list).map_err(|e| unreachable(&list, e))?;
        (list, response)
    } else {
        (one, response)
    };
    if !response.is_success() {
        return Err(unreachable(&url, format!("HTTP {} {}", response.status, response.reason)));
    }
    let value: serde_json::Value =
        serde_json::from_slice(&response.body).map_err(|e| unreachable(&url, format!("不是 JSON / not JSON: {e}")))?;
    let row = match &value {
        serde_json::Value::Array(rows) => rows.iter().find(|r| r.get("id").and_then(|i| i.as_str()) == Some(draw_id)),
        other => Some(other),
    };
    let Some(commitment) = row.and_then(|r| r.get("commitment")).and_then(|c| c.as_str()) else {
        return Err(Failure::unreadable(format!(
            "门户 {url} 没有抽取 {draw_id} 的承诺值 / the portal lists no commitment for draw {draw_id}"
        )));
    };
    let head = match row.and_then(|r| r.get("recusal_head")).and_then(|h| h.as_str()) {
        Some(h) => Some(parse_commitment(h, &url)?),
        None => None,
    };
    Ok((parse_commitment(commitment, &url)?, head))
}

pub fn run(args: &VerifyArgs) -> Outcome {
    let record = files::read_record(&args.record)?;
    let (published, portal_head) = match (&args.commitment, &args.portal) {
        (Some(c), _) => (Some(parse_commitment(c, "--commitment")?), None),
        (None, Some(portal)) => {
            let (commitment, head) = portal_commitment(portal, &record.input.draw_id)?;
            (Some(commitment), head)
        }
        (None, None) => (None, None),
    };
    let recusal_head = match &args.recusal_head {
        Some(h) => Some(parse_commitment(h, "--recusal-head")?),
        None => portal_head,
    };
    let verification = draw::verify_published(&record, draw::Published { commitment: published, recusal_head });
    let code = if verification.is_match() { ExitCode::SUCCESS } else { ExitCode::FAILURE };
    if args.json {
        let text = serde_json::to_string_pretty(&verification)
            .map_err(|e| Failure::content(format!("无法生成 JSON / cannot encode JSON: {e}")))?;
        println!("{text}");
        return Ok(code);
    }
    println!("复核 / verifying: {}", args.record.display());
    println!(
        "抽取 / draw: {}「{}」{} {}",
        record.input.draw_id, record.input.title, record.input.department, record.input.unit
    );
    println!("随机数 / randomness: {}", report::randomness_line(&record.randomness));
    print!("{}", render(&verification));
    Ok(code)
}
