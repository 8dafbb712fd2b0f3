//! Inspection results (检查结果) of the demo's completed draws.

use std::collections::BTreeMap;

use draw::HistoryEntry;

use app::calendar::CalendarError;

use super::dates::{add_working_days, date, days, working_day_from};
use super::draws::final_teams;
use super::people::Firm;
use super::{DemoDraw, Gen};
use crate::storage::{Correction, NewResult, Rectification, ResultCategory};

/// How the results of one draw are generated.
pub struct Campaign<'a> {
    pub draw: &'a DemoDraw,
    pub firms: &'a [Firm],
    pub department_code: &'a str,
    /// Item checked, from the object's stratum.
    pub item: &'a dyn Fn(&str) -> String,
    /// Inspection window (first and last day).
    pub window: (&'a str, &'a str),
    /// Prefix of penalty case numbers, e.g. `东河市监处罚〔2025〕`.
    pub case_prefix: &'a str,
    pub seed: u64,
    /// Every this-many-th result's report is made late (4 working days more): a
    /// realistic imperfection for the execution report to find.
    pub late_every: Option<usize>,
}

fn findings(category: &str, item_name: &str) -> String {
    match category {
        "未发现问题" => format!("按{item_name}要求检查，未发现问题。"),
        "发现问题已责令改正" => {
            format!("{item_name}中发现台账记录不完整、标识不规范等问题，已当场责令限期改正。")
        }
        "发现问题待后续处理" => format!("{item_name}中发现涉嫌违法行为，已移送执法机构立案调查。"),
        "未按规定公示应当公示的信息" => "未按规定公示年度报告中应当公示的信息。".to_owned(),
        "通过登记的住所（经营场所）无法联系" => "检查人员两次到登记住所均无法联系到企业。".to_owned(),
        "已关闭停业或正在组织清算" => "企业已停止生产经营，正在组织清算。".to_owned(),
        "不配合检查情节严重" => "企业拒绝提供检查所需资料，经告知后仍不配合。".to_owned(),
        _ => "检查时未发现企业开展本次抽查涉及的经营活动。".to_owned(),
    }
}

fn category(g: &mut Gen) -> ResultCategory {
    let i = match g.below(100) {
        0..70 => 0,
        70..84 => 1,
        84..89 => 2,
        89..93 => 3,
        93..96 => 4,
        96..98 => 5,
        98 => 6,
        _ => 7,
    };
    ResultCategory::ALL[i]
}

/// A campaign's results, their corrections, and its inspections as history.
pub type CampaignResults = (Vec<NewResult>, Vec<NewResult>, Vec<HistoryEntry>);

/// The results of a campaign, the corrections of some of them, and the
/// inspections as history entries for later draws of the same year.
pub fn results(c: &Campaign<'_>) -> Result<CampaignResults, CalendarError> {
    let mut g = Gen::new(c.seed);
    let names: BTreeMap<&str, &Firm> = c.firms.iter().map(|f| (f.code.as_str(), f)).collect();
    let input = &c.draw.record.input;
    let start = days(c.window.0);
    let span = (days(c.window.1) - start - 30).max(1) as usize;
    let mut results = Vec::new();
    let mut corrections = Vec::new();
    let mut history = Vec::new();
    let mut cases = 0;
    for (n, (stratum, object, team)) in final_teams(&c.draw.record).into_iter().enumerate() {
        let Some(firm) = names.get(object.as_str()) else { continue };
        let item = (c.item)(&stratum);
        let inspected = date(working_day_from(start + g.below(span) as i64)?);
        let late = if c.late_every.is_some_and(|k| n % k == k / 2) { 4 } else { 0 };
        let reported = add_working_days(&inspected, 1 + g.below(5) as u32 + late)?;
        let delivered = add_working_days(&reported, 1 + g.below(5) as u32)?;
        let entered = add_working_days(&delivered, 1 + g.below(10) as u32)?;
        let category = category(&mut g);
        let (deadline, rectification, case) = match category.as_str() {
            "发现问题已责令改正" => {
                let deadline = add_working_days(&inspected, 15)?;
                let status = if g.chance(850) { Rectification::Done } else { Rectification::Overdue };
                (Some(deadline), status, None)
            }
            "发现问题待后续处理" | "不配合检查情节严重" => {
                cases += 1;
                (None, Rectification::Pending, Some(format!("{}{cases}号", c.case_prefix)))
            }
            _ => (None, Rectification::None, None),
        };
        history.push(HistoryEntry {
            object: object.clone(),
            department: input.department.clone(),
            unit: input.unit.clone(),
            date: inspected.clone(),
        });
        let result = NewResult {
            result_code: format!("{}-{}", input.draw_id, object),
            draw_id: input.draw_id.clone(),
            credit_code: firm.code.clone(),
            enterprise_name: firm.name.clone(),
            department_code: c.department_code.to_owned(),
            item_codes: vec![item.clone()],
            inspectors: team,
            inspected_on: inspected,
            reported_on: reported,
            delivered_on: Some(delivered),
            entered_on: Some(entered.clone()),
            category,
            findings: findings(category.as_str(), &stratum_name(input, &stratum)),
            rectification_deadline: deadline,
            rectification,
            penalty_case: case,
            published_at: format!("{entered}T16:00:00+08:00"),
            correction: None,
        };
        // The first rectification of each campaign is published as pending,
        // then corrected once the enterprise has rectified.
        if rectification == Rectification::Done && corrections.is_empty() {
            let mut first = result.clone();
            first.rectification = Rectification::Pending;
            let mut done = result;
            let when = done.rectification_deadline.clone().unwrap_or_default();
            done.published_at = format!("{}T10:00:00+08:00", add_working_days(&when, 2)?);
            done.correction = Some(Correction {
                reason: format!("企业已于{when}前完成整改，经复查确认，更新整改状态"),
            });
            results.push(first);
            corrections.push(done);
        } else {
            results.push(result);
        }
    }
    results.sort_by(|a, b| (&a.inspected_on, &a.result_code).cmp(&(&b.inspected_on, &b.result_code)));
    Ok((results, corrections, history))
}

fn stratum_name(input: &draw::DrawInput, stratum: &str) -> String {
    input.plan.strata.iter().find(|s| s.id == stratum).map(|s| s.name.clone()).unwrap_or_else(|| stratum.to_owned())
}
