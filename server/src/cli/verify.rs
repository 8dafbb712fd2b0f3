//! `server verify`: re-run a record from its own inputs and show every step.

use std::process::ExitCode;

use draw::{StepKind, Verification};

use super::{Failure, Outcome, VerifyArgs, files, report};

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

/// The verification as the user reads it.
pub fn render(v: &Verification) -> String {
    let mut out = String::new();
    for step in &v.steps {
        let mark = if step.ok { "✓" } else { "✗" };
        out.push_str(&format!("{mark} {} / {}\n", step.kind.zh(), step.kind.en()));
        out.push_str(&format!("    {}\n", step.detail));
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
    if v.is_match() {
        out.push_str("✓ 与公布结果一致 / the record matches: every published value was recomputed\n");
    } else {
        out.push_str("✗ 与公布结果不一致 / the record does NOT match what its inputs give\n");
    }
    out
}

pub fn run(args: &VerifyArgs) -> Outcome {
    let record = files::read_record(&args.record)?;
    let verification = draw::verify(&record);
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
