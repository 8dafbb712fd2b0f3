//! Publishing a commitment (before the randomness exists) and then its draw.

use std::path::Path;

use draw::DrawInput;

use crate::publish::{self, CommitmentSubmission, DrawSubmission, PublishError};
use crate::storage::{Storage, StorageError};

use super::super::{Failure, files};
use super::{CommitmentArgs, DrawImportArgs, now, storage_failure, time_arg};

/// Reads the committed inputs, telling them apart from a draw record.
fn read_input(path: &Path) -> Result<(DrawInput, String), Failure> {
    let text = files::read_text(path)?;
    let value: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| Failure::unreadable(files::json_error(path, &e)))?;
    if value.get("format").and_then(|f| f.as_str()) == Some(draw::record::FORMAT) {
        return Err(Failure::unreadable(format!(
            "{} 是抽取记录，不是承诺的输入；请用 server import draw 导入 / is a draw record, not committed inputs; \
             import it with `server import draw`",
            path.display()
        )));
    }
    let input: DrawInput = serde_json::from_str(&text).map_err(|e| Failure::unreadable(files::json_error(path, &e)))?;
    Ok((input, text))
}

pub async fn commitment(args: &CommitmentArgs, storage: &dyn Storage) -> Result<(), Failure> {
    let (input, text) = read_input(&args.file)?;
    let committed_at = time_arg("--committed-at", args.committed_at.as_deref())?.unwrap_or_else(now);
    let submission = CommitmentSubmission {
        input_json: text,
        department_code: args.department_code.clone(),
        plan_code: args.plan_code.clone(),
        committed_at: committed_at.clone(),
    };
    let published = publish::publish_commitment(storage, submission).await.map_err(|e| draw_failure(&args.file, e))?;
    println!("已公布承诺 / commitment published: {}「{}」", input.draw_id, input.title);
    println!("  承诺值 / commitment: {}", published.commitment);
    println!("  公布时间 / committed at: {committed_at}；抽取日 / draw date: {}", input.draw_date);
    Ok(())
}

pub async fn draw(args: &DrawImportArgs, storage: &dyn Storage) -> Result<(), Failure> {
    let record = files::read_record(&args.file)?;
    let text = files::read_text(&args.file)?;
    let published_at = time_arg("--published-at", args.published_at.as_deref())?.unwrap_or_else(now);
    let stored = storage
        .find_commitment(&record.input.draw_id)
        .await
        .map_err(|e| Failure::unreadable(format!("无法读取数据库 / cannot read the database: {e}")))?;
    let committed_at = match time_arg("--committed-at", args.committed_at.as_deref())? {
        Some(t) => Some(t),
        None => record.committed_at.clone().or_else(|| stored.as_ref().and_then(|c| c.summary.committed_at.clone())),
    };
    let input = &record.input;
    let department_path = department_path(storage, input).await?;
    let submission = DrawSubmission {
        record_json: text,
        department_path: Some(department_path),
        committed_at,
        published_at: published_at.clone(),
        plan_code: args.plan_code.clone(),
    };
    publish::publish_draw(storage, submission).await.map_err(|e| draw_failure(&args.file, e))?;
    let selected: usize = record.result.strata.iter().map(|s| s.selected.len()).sum();
    println!("已公布抽取 / draw published: {}「{}」", input.draw_id, input.title);
    println!(
        "  复核一致 / re-run and verified；对象 / objects: {}；抽中 / selected: {selected}；排除 / excluded: {}",
        input.objects.len(),
        record.result.exclusions.len()
    );
    println!("  公布时间 / published at: {published_at}");
    Ok(())
}

/// The drawing department's chain, top-level first: the registered chain
/// when the department is registered, otherwise the record's ancestors (taken
/// top-level first) and the department.
async fn department_path(storage: &dyn Storage, input: &DrawInput) -> Result<Vec<String>, Failure> {
    let known = storage.departments().await.map_err(storage_failure)?;
    if let Some((_, name, parent)) = known.iter().find(|d| d.1 == input.department) {
        let mut path = vec![name.clone()];
        let mut parent = *parent;
        while let Some(id) = parent {
            let Some((_, name, up)) = known.iter().find(|d| d.0 == id) else { break };
            if path.contains(name) {
                break;
            }
            path.push(name.clone());
            parent = *up;
        }
        path.reverse();
        return Ok(path);
    }
    let mut path = input.ancestors.clone();
    path.push(input.department.clone());
    Ok(path)
}

/// Why a commitment or a draw was refused.
fn draw_failure(file: &Path, e: PublishError) -> Failure {
    let shown = file.display();
    let e = match e {
        PublishError::Invalid { draw_id, reason } => {
            return Failure::content(format!(
                "{shown}: 抽取 {draw_id} 未公布 / draw {draw_id} was not published: {reason}"
            ));
        }
        PublishError::Storage(e) => e,
    };
    match e {
        e @ StorageError::CommitmentDiffers { .. } => Failure::content(format!("{shown}: {e}")),
        StorageError::DuplicateDraw(id) => Failure::content(format!(
            "{shown}: 抽取 {id} 已公布，已公布的抽取不能更改 / draw {id} is already published, and a published draw never changes"
        )),
        StorageError::Rejected(problems) => Failure::content(
            problems.iter().map(|p| format!("{shown}: {}: {}", p.field, p.message)).collect::<Vec<_>>().join("\n"),
        ),
        other => storage_failure(other),
    }
}
