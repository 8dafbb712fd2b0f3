//! `gongkai prove` (also `gongkai lookup`): an enterprise's Merkle proof of inclusion in the pool.

use std::process::ExitCode;

use draw::{DrawInput, DrawRecord};

use super::{Failure, Outcome, ProveArgs, files, report};

/// A record, or committed inputs (whose root is recomputed).
enum Source {
    Record(Box<DrawRecord>),
    Inputs(Box<DrawInput>),
}

fn read(args: &ProveArgs) -> Result<Source, Failure> {
    let text = files::read_text(&args.file)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Failure::unreadable(files::json_error(&args.file, &e)))?;
    if value.get("format").is_some() {
        return files::read_record(&args.file).map(|r| Source::Record(Box::new(r)));
    }
    files::read_input(&args.file).map(|i| Source::Inputs(Box::new(i)))
}

pub fn run(args: &ProveArgs) -> Outcome {
    let source = read(args)?;
    let object = args.object.trim();
    if let Err(e) = draw::id::check_credit_code(object) {
        return Err(Failure::content(format!("--object {object}: {e}")));
    }
    let (input, root) = match &source {
        Source::Record(r) => (&r.input, r.objects_root.clone()),
        Source::Inputs(i) => {
            let c = draw::commit(i).map_err(|e| Failure::content(report::draw_error(&e)))?;
            (i.as_ref(), c.objects_root)
        }
    };
    let proof = draw::pool_proof(input, object)
        .map_err(|e| Failure::content(report::problems(&e, &[], &report::Origins::default())))?;
    let Some(proof) = proof else {
        return Err(Failure::content(format!(
            "{object} 不在 {} 的对象库中（{} 个对象）/ {object} is not in the object pool of {} ({} objects)",
            args.file.display(),
            input.objects.len(),
            args.file.display(),
            input.objects.len()
        )));
    };
    let text = serde_json::to_string_pretty(&proof)
        .map_err(|e| Failure::content(format!("无法生成 JSON / cannot encode JSON: {e}")))?;
    println!("{text}");

    if let Source::Record(record) = &source {
        let selected = record
            .result
            .strata
            .iter()
            .find_map(|s| s.selected.iter().find(|sel| sel.object == object).map(|sel| (s, sel)));
        if let Some((s, sel)) = selected {
            eprintln!(
                "该企业被抽中：分层 {} 第 {} 位，检查人员 {} / drawn: stratum {} position {}, inspectors {}",
                s.id,
                sel.position,
                sel.team.join("、"),
                s.id,
                sel.position,
                sel.team.join(", ")
            );
        } else if let Some(e) = record.result.exclusions.iter().find(|e| e.object == object) {
            eprintln!("该企业未参加抽取：{} / not drawn from: {}", e.reason.zh(), e.reason.en());
        } else {
            eprintln!("该企业在对象库中，未被抽中 / in the pool, not drawn");
        }
    }
    if draw::check_pool_proof(&proof, &root) {
        eprintln!(
            "✓ 证明与对象库默克尔根一致：第 {} 个，共 {} 个 / the proof checks against objects_root {root}: leaf {} of {}",
            proof.index + 1,
            proof.size,
            proof.index + 1,
            proof.size
        );
        Ok(ExitCode::SUCCESS)
    } else {
        eprintln!(
            "✗ 证明与公布的对象库默克尔根不一致 / the proof does NOT check against the published objects_root {root}"
        );
        Ok(ExitCode::FAILURE)
    }
}
