//! `gongkai draw`: make the draw from the committed inputs and the public
//! randomness, and write the record atomically.

use std::path::Path;
use std::process::ExitCode;

use draw::randomness::quicknet_round_time;
use draw::{DrawInput, Randomness, RandomnessSource};
use sha2::{Digest, Sha256};

use super::{DrawArgs, Failure, Outcome, clock, files, report};

fn source_name(source: &RandomnessSource) -> &'static str {
    match source {
        RandomnessSource::DrandQuicknet { .. } => "drand-quicknet",
        RandomnessSource::PublicNumbers { .. } => "public-numbers",
        RandomnessSource::Demo { .. } => "demo",
    }
}

/// Reads a randomness file: our own format (with `"source"`), or the JSON a
/// drand beacon serves for a round (`round`, `randomness`, `signature`).
fn randomness_file(path: &Path) -> Result<Randomness, Failure> {
    let value: serde_json::Value = files::read_json(path)?;
    if value.get("source").is_none()
        && let (Some(round), Some(signature)) =
            (value.get("round").and_then(serde_json::Value::as_u64), value.get("signature").and_then(|s| s.as_str()))
    {
        let randomness = match value.get("randomness").and_then(|r| r.as_str()) {
            Some(r) => r.to_owned(),
            None => drand_randomness(signature)?,
        };
        return Ok(Randomness::DrandQuicknet { round, signature: signature.to_owned(), randomness });
    }
    serde_json::from_value(value).map_err(|e| {
        Failure::unreadable(format!(
            "{} 不是随机数文件（如 {{\"source\":\"demo\",\"value\":\"…\"}}）/ is not a randomness file: {e}",
            path.display()
        ))
    })
}

/// `randomness = SHA-256(signature)`, in hex.
fn drand_randomness(signature: &str) -> Result<String, Failure> {
    let bytes = hex::decode(signature.trim())
        .map_err(|_| Failure::content("--drand-signature: 不是有效的十六进制 / not valid hex".to_owned()))?;
    Ok(hex::encode(Sha256::digest(&bytes)))
}

fn randomness(args: &DrawArgs, input: &DrawInput) -> Result<Randomness, Failure> {
    if let Some(path) = &args.randomness {
        return randomness_file(path);
    }
    if let Some(signature) = &args.drand_signature {
        let RandomnessSource::DrandQuicknet { round } = input.randomness_source else {
            return Err(Failure::content(format!(
                "--drand-signature: 承诺的随机源是 {}，不是 drand-quicknet / the committed randomness source is {}, not drand-quicknet",
                source_name(&input.randomness_source),
                source_name(&input.randomness_source)
            )));
        };
        let signature = signature.trim().to_lowercase();
        let randomness = drand_randomness(&signature)?;
        return Ok(Randomness::DrandQuicknet { round, signature, randomness });
    }
    if let Some(key) = &args.numbers {
        return Ok(Randomness::PublicNumbers { key: key.trim().to_owned() });
    }
    if let Some(value) = &args.demo {
        return Ok(Randomness::Demo { value: value.trim().to_lowercase() });
    }
    Err(Failure::unreadable(
        "需要随机数：--randomness、--drand-signature、--numbers 或 --demo / randomness is required: --randomness, --drand-signature, --numbers or --demo",
    ))
}

pub fn run(args: &DrawArgs) -> Outcome {
    let input: DrawInput = files::read_input(&args.input)?;
    files::check_not_input(&args.out, &[args.input.as_path()])?;
    if let Some(path) = &args.randomness {
        files::check_not_input(&args.out, &[path.as_path()])?;
    }

    if let Some(expected) = &args.commitment {
        let computed = draw::commit(&input).map_err(|e| Failure::content(report::draw_error(&e)))?;
        if !computed.commitment.eq_ignore_ascii_case(expected.trim()) {
            return Err(Failure::content(format!(
                "{} 的承诺值与公布的不同，未抽取 / the inputs in {} do not match the published commitment; nothing was drawn\n  \
                 重算 / recomputed: {}\n  公布 / published:  {}",
                args.input.display(),
                args.input.display(),
                computed.commitment,
                expected.trim()
            )));
        }
    }

    let committed_at = match &args.committed_at {
        Some(at) => {
            let t = clock::parse_rfc3339(at).map_err(|e| Failure::content(format!("--committed-at: {e}")))?;
            if let RandomnessSource::DrandQuicknet { round } = input.randomness_source {
                let emitted = quicknet_round_time(round);
                if t.unix >= emitted {
                    eprintln!(
                        "注意：承诺公布时间 {at} 不早于 drand 第 {round} 轮的生成时间 {}；此次抽取不能证明种子是事先未知的 / \
                         warning: the commitment was published at or after drand round {round} ({}); this draw cannot show that the seed was unknown in advance",
                        clock::beijing(emitted),
                        clock::utc(emitted)
                    );
                }
            }
            Some(at.trim().to_owned())
        }
        None => None,
    };

    let randomness = randomness(args, &input)?;
    let mut record = draw::draw(input, randomness).map_err(|e| Failure::content(report::draw_error(&e)))?;
    record.committed_at = committed_at;

    // The record must verify before it leaves this machine.
    let check = draw::verify(&record);
    if !check.is_match() {
        let first = check
            .differences
            .first()
            .map(ToString::to_string)
            .or_else(|| {
                check
                    .steps
                    .iter()
                    .find(|s| !s.ok)
                    .map(|s| draw::words::detail(&s.detail, draw::words::Language::English))
            })
            .unwrap_or_default();
        return Err(Failure::content(format!(
            "新记录未能通过复核（程序错误），未写出 / the new record does not verify (a bug); nothing was written: {first}"
        )));
    }
    files::write_atomically(&args.out, &files::to_json(&record)?)?;

    println!("抽取 / draw: {}「{}」", record.input.draw_id, record.input.title);
    println!("承诺值 / commitment: {}", record.commitment);
    if let Some(at) = &record.committed_at {
        println!("承诺时间 / committed at: {at}");
    }
    println!("随机数 / randomness: {}", report::randomness_line(&record.randomness));
    println!("种子 / seed: {}", record.seed);
    print!("{}", report::summary(&record, args.list));
    println!("已写入抽取记录 / record written: {}", args.out.display());
    Ok(ExitCode::SUCCESS)
}
