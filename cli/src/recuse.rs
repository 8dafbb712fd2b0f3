//! `gongkai recuse`: append a recusal to a record and write the new record.

use std::process::ExitCode;

use draw::RecusalRequest;

use super::{Failure, Outcome, RecuseArgs, files, report, verify};

pub fn run(args: &RecuseArgs) -> Outcome {
    let record = files::read_record(&args.record)?;
    files::check_not_input(&args.out, &[args.record.as_path()])?;

    // A recusal is added to a record that verifies, never to one that does not.
    let check = draw::verify(&record);
    if !check.is_match() {
        return Err(Failure::content(format!(
            "{} 未通过复核，不能在其上登记回避；未写出任何文件 / the record does not verify, so no recusal can be added to it; nothing was written:\n{}",
            args.record.display(),
            verify::render(&check)
        )));
    }

    let request = RecusalRequest {
        object: args.object.trim().to_owned(),
        inspector: args.inspector.trim().to_owned(),
        reason: args.reason.trim().to_owned(),
        date: args.date.trim().to_owned(),
    };
    // Every recusal is bound into the recusal chain (SPEC §11.3): `prev` links
    // each entry to the seed and the earlier ones; the head is published.
    let (next, head) = draw::recuse_linked(&record, request).map_err(|e| {
        Failure::content(format!(
            "无法登记回避，未写出任何文件 / the recusal cannot be made; nothing was written: {}",
            report::draw_error(&e)
        ))
    })?;
    let after = draw::verify(&next);
    if !after.is_match() {
        return Err(Failure::content(
            "新记录未能通过复核（程序错误），未写出 / the new record does not verify (a bug); nothing was written",
        ));
    }
    let Some(recusal) = next.recusals.last() else {
        return Err(Failure::content("新记录中没有回避（程序错误）/ the new record has no recusal (a bug)"));
    };
    files::write_atomically(&args.out, &files::to_json(&next)?)?;

    let n = next.recusals.len();
    let r = &recusal.request;
    println!(
        "第 {n} 次回避 / recusal {n}: 对象 / object {}，检查人员 / inspector {} 回避（{}，{}）",
        r.object, r.inspector, r.reason, r.date
    );
    println!("替换人员 / replacement: {}", recusal.replacement);
    let team = next
        .result
        .strata
        .iter()
        .flat_map(|s| s.selected.iter().map(move |sel| (s, sel)))
        .find(|(_, sel)| sel.object == r.object);
    if let Some((stratum, sel)) = team {
        println!("新检查组 / new team ({} #{}): {}", stratum.id, sel.position, sel.team.join("、"));
    }
    println!("✓ 新记录通过复核 / the new record verifies");
    println!("回避链头 / recusal chain head: {head}");
    println!(
        "请与新记录一同公布回避链头；此后改动任何已公布的回避都会与之不符 / \
         publish the chain head with the new record: any later edit of a published recusal will not match it"
    );
    println!(
        "已写入新记录 / new record written: {}（原文件未改动 / {} is unchanged）",
        args.out.display(),
        args.record.display()
    );
    Ok(ExitCode::SUCCESS)
}
