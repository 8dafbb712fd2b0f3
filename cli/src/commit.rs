//! `gongkai commit`: validate the inputs, compute the commitment, and write the
//! committed inputs to publish before the randomness exists.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use draw::input::VERSION;
use draw::randomness::quicknet_round_at;
use draw::{DrawInput, InputError, RandomnessSource};
use serde_json::{Map, Value};

use super::report::{self, Origins};
use super::{CommitArgs, Failure, Outcome, clock, files, tabular};

/// An input file (`--input`, a whole `DrawInput`; or `--plan`, without the
/// three lists) as a JSON object, with a problem for every duplicate key.
/// Its fields are read by `draw::json` (SPEC §3.1), the same rules as
/// `verify` applies: unknown fields are refused at every level, so that a
/// misspelt field is never silently left out of the commitment.
fn read_input_file(path: &Path, problems: &mut Vec<String>) -> Result<Map<String, Value>, Failure> {
    let text = files::read_text(path)?;
    let (value, duplicates) = draw::json::parse_with_duplicates(&text).map_err(|e| {
        Failure::content(format!(
            "输入有 1 处错误，未写出任何文件 / the input has 1 problem; nothing was written:\n  {}: {}",
            path.display(),
            e.problems.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; ")
        ))
    })?;
    problems.extend(duplicates.iter().map(|p| format!("{}: {p}", path.display())));
    match value {
        Value::Object(m) => Ok(m),
        _ => Err(Failure::content(format!("{}: 应为 JSON 对象 / must be a JSON object (a DrawInput)", path.display()))),
    }
}

/// The assembled input, what went wrong outside the draw crate's validation,
/// and where CSV records came from.
struct Assembled {
    input: DrawInput,
    problems: Vec<String>,
    origins: Origins,
    files: Vec<PathBuf>,
}

fn assemble(args: &CommitArgs) -> Result<Assembled, Failure> {
    let mut problems = Vec::new();
    let mut origins = Origins::default();
    let mut used = Vec::new();
    let mut csv = None;
    let (path, mut file) = match (&args.input, &args.plan) {
        (Some(path), _) => {
            used.push(path.clone());
            (path.clone(), read_input_file(path, &mut problems)?)
        }
        (None, Some(plan)) => {
            used.push(plan.clone());
            let mut file = read_input_file(plan, &mut problems)?;
            let shown = plan.display();
            for (name, option) in [("objects", "--objects"), ("inspectors", "--inspectors"), ("history", "--history")] {
                if file.remove(name).is_some() {
                    problems.push(format!(
                        "{shown}: {name}: 计划文件中不应有 {name}，请用 {option} 给出 CSV / the plan file must not contain {name}; give them as CSV with {option}"
                    ));
                }
            }
            // The lists come from CSV; the plan file is read with empty ones.
            file.insert("objects".into(), Value::Array(Vec::new()));
            file.insert("inspectors".into(), Value::Array(Vec::new()));
            let objects = match &args.objects {
                Some(p) => {
                    used.push(p.clone());
                    let rows = tabular::objects(p, &mut problems)?;
                    origins.lists.push(("objects", rows.file, rows.lines));
                    rows.records
                }
                None => Vec::new(),
            };
            let inspectors = match &args.inspectors {
                Some(p) => {
                    used.push(p.clone());
                    let rows = tabular::inspectors(p, &mut problems)?;
                    origins.lists.push(("inspectors", rows.file, rows.lines));
                    rows.records
                }
                None => Vec::new(),
            };
            let history = match &args.history {
                Some(p) => {
                    used.push(p.clone());
                    let rows = tabular::history(p, &mut problems)?;
                    origins.lists.push(("history", rows.file, rows.lines));
                    rows.records
                }
                None => Vec::new(),
            };
            csv = Some((objects, inspectors, history));
            (plan.clone(), file)
        }
        (None, None) => {
            return Err(Failure::unreadable("需要 --input 或 --plan / --input or --plan is required"));
        }
    };

    // `version` may be left out of the file: the command writes "v1".
    file.entry("version").or_insert_with(|| Value::String(VERSION.to_owned()));
    let placeholder = || serde_json::json!({ "source": "demo", "label": "-" });
    match (&args.drand_at, file.get("randomness_source")) {
        (Some(at), given) => match clock::parse_rfc3339(at) {
            Ok(t) => {
                let source = RandomnessSource::DrandQuicknet { round: quicknet_round_at(t.ceil()) };
                let source = serde_json::to_value(&source).unwrap_or_else(|_| placeholder());
                if given.is_some_and(|g| *g != source) {
                    eprintln!(
                        "注意：--drand-at 取代了文件中的 randomness_source / note: --drand-at replaces the file's randomness_source"
                    );
                }
                file.insert("randomness_source".into(), source);
            }
            Err(e) => {
                problems.push(format!("--drand-at: {e}"));
                file.insert("randomness_source".into(), placeholder());
            }
        },
        (None, Some(_)) => {}
        (None, None) => {
            problems.push(
                "randomness_source: 缺少随机源；请在文件中给出，或用 --drand-at 指定 drand 轮次 / \
                 the randomness source is missing; give it in the file or bind to a drand round with --drand-at"
                    .to_owned(),
            );
            file.insert("randomness_source".into(), placeholder());
        }
    }

    let mut input = match draw::json::input_from_value(&Value::Object(file)) {
        Ok(input) => input,
        Err(e) => {
            problems.extend(e.problems.iter().map(|p| format!("{}: {p}", path.display())));
            return Err(Failure::content(report::problems(&InputError { problems: Vec::new() }, &problems, &origins)));
        }
    };
    if let Some((objects, inspectors, history)) = csv {
        input.objects = objects;
        input.inspectors = inspectors;
        input.history = history;
    }
    Ok(Assembled { input, problems, origins, files: used })
}

pub fn run(args: &CommitArgs) -> Outcome {
    let Assembled { input, problems, origins, files: used } = assemble(args)?;
    let commitment = match draw::commit(&input) {
        Ok(c) if problems.is_empty() => c,
        Ok(_) => {
            return Err(Failure::content(report::problems(&InputError { problems: Vec::new() }, &problems, &origins)));
        }
        // Input problems, or a plan that some seed could not draw: refused
        // before anything is published.
        Err(e) => return Err(Failure::content(report::commit_error(&e, &problems, &origins))),
    };

    if let Some(out) = &args.out {
        let inputs: Vec<&Path> = used.iter().map(PathBuf::as_path).collect();
        files::check_not_input(out, &inputs)?;
        files::write_atomically(out, &files::to_json(&input)?)?;
    }

    if let Some(warning) = report::already_emitted(&input.randomness_source, clock::now()) {
        eprintln!("{warning}");
    }
    if args.json {
        let text = serde_json::to_string_pretty(&commitment)
            .map_err(|e| Failure::content(format!("无法生成 JSON / cannot encode JSON: {e}")))?;
        println!("{text}");
        return Ok(ExitCode::SUCCESS);
    }

    println!("抽取 / draw: {}「{}」", input.draw_id, input.title);
    println!(
        "  部门 / department: {}，单位 / unit: {}，抽取日 / draw date: {}",
        input.department, input.unit, input.draw_date
    );
    println!("承诺值 / commitment:           {}", commitment.commitment);
    println!("对象库默克尔根 / objects root: {}", commitment.objects_root);
    println!(
        "对象 / objects: {}；检查人员 / inspectors: {}；本年检查记录 / history entries: {}",
        commitment.object_count,
        input.inspectors.len(),
        input.history.len()
    );
    println!("随机源 / randomness source:");
    for line in report::source_lines(&input.randomness_source) {
        println!("  {line}");
    }
    if let Some(at) = &args.drand_at {
        println!(
            "  （由 --drand-at {at} 选定：此时刻或之后的第一轮 / chosen by --drand-at: the first round at or after it）"
        );
    }
    match &args.out {
        Some(out) => {
            println!("已写入承诺的输入 / committed inputs written: {}", out.display());
            println!(
                "请在随机数产生之前公布承诺值和此文件 / publish the commitment and this file before the randomness exists"
            );
        }
        None => {
            println!("未写出文件（用 --out 写出承诺的输入）/ nothing written (use --out to write the committed inputs)")
        }
    }
    Ok(ExitCode::SUCCESS)
}
