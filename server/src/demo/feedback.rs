//! Demo feedback (001 art. 24): codes for the district's 2025 results and
//! feedback on many of them (mostly satisfied, a few conduct complaints, some
//! changed once), and a small try-out draw inspected in the last few working
//! days, whose codes are kept in clear and listed on `/demo/feedback` so that
//! a visitor can try the form.
//!
//! The feedback is generated from fixed seeds; the codes come from the
//! operating system (they are hashed with this portal's own key) and the
//! try-out draw's dates from the day the demo is seeded.

use app::calendar::Day;
use app::feedback::{Conduct, FeedbackValues, InspectorAnswers, Satisfaction, WINDOW_WORKING_DAYS};
use draw::{Allocation, DrawInput, Object, Plan, Ratio, Stratum, TeamRule};

use super::dates::{add_working_days, date};
use super::people::{Firm, Officer};
use super::{CITY, DISTRICT, DISTRICT_CODE, DemoDraw, DemoError, Gen, PROVINCE, UNITS};
use crate::feedback::{FeedbackKey, new_code, receipt};
use crate::publish;
use crate::storage::{
    Batch, IssuedFeedbackCode, NewFeedback, NewResult, Rectification, ResultCategory, Storage, StorageError,
};

const COMPLAINTS: [(Conduct, &str); 4] = [
    (Conduct::ShowedCertificate, "检查人员进门时未主动出示执法证件，经询问后才出示。"),
    (Conduct::NoDisruption, "检查持续了一整天，生产线停了半天，希望以后提前沟通检查时间。"),
    (Conduct::StayedInScope, "检查人员要求查看与本次检查事项无关的财务资料。"),
    (Conduct::ExplainedScope, "没有说明本次检查的依据和事项，只说是上级安排。"),
];

const PRAISE: [&str; 5] =
    ["检查人员态度好，讲解清楚。", "检查规范，提出的整改建议很实用。", "", "希望多开展政策宣讲。", ""];

fn level(g: &mut Gen) -> Satisfaction {
    match g.below(100) {
        0..62 => Satisfaction::VerySatisfied,
        62..88 => Satisfaction::Satisfied,
        88..96 => Satisfaction::Basic,
        96..99 => Satisfaction::Dissatisfied,
        _ => Satisfaction::VeryDissatisfied,
    }
}

/// Issues codes for the district's 2025 results and stores the demo's feedback on most of them.
pub async fn seed(storage: &dyn Storage, key: &FeedbackKey) -> Result<usize, DemoError> {
    let due = storage.results_without_feedback_code(DISTRICT_CODE, 2025).await?;
    let mut issued = Vec::with_capacity(due.len());
    for r in &due {
        let code = new_code().map_err(|e| DemoError::Input(e.to_string()))?;
        issued.push(IssuedFeedbackCode {
            result_code: r.result_code.clone(),
            credit_code: r.credit_code.clone(),
            department_id: r.department_id,
            code_hmac: key.hash(&code),
        });
    }
    storage.insert_feedback_codes(&issued, "2025-06-02T09:00:00+08:00").await?;
    let mut g = Gen::new(2025_0024);
    let mut stored = 0;
    for r in &due {
        // About three in four enterprises answer.
        let Some(delivered) = r.delivered_on.as_deref() else { continue };
        if g.below(100) >= 76 {
            continue;
        }
        let team = team_of(storage, &r.result_code).await?;
        let complaint = g.below(100) < 6;
        let mut values = FeedbackValues {
            credit_code: r.credit_code.clone(),
            department: Some(level(&mut g)),
            text: PRAISE[g.below(PRAISE.len())].to_owned(),
            ..FeedbackValues::default()
        };
        for certificate in &team {
            let mut conduct: Vec<Option<bool>> =
                Conduct::ALL.iter().map(|_| if g.chance(700) { Some(true) } else { None }).collect();
            let mut rating = level(&mut g);
            if complaint {
                let (what, text) = COMPLAINTS[g.below(COMPLAINTS.len())];
                if let Some(i) = Conduct::ALL.iter().position(|&c| c == what) {
                    conduct[i] = Some(false);
                }
                rating = if g.chance(500) { Satisfaction::Dissatisfied } else { Satisfaction::VeryDissatisfied };
                values.department = Some(Satisfaction::Dissatisfied);
                values.text = text.to_owned();
            }
            values.inspectors.push(InspectorAnswers { certificate: certificate.clone(), level: Some(rating), conduct });
        }
        let closes = add_working_days(delivered, WINDOW_WORKING_DAYS)?;
        let sent = add_working_days(delivered, 1 + g.below(8) as u32)?;
        let at = format!("{sent}T{:02}:{:02}:00+08:00", 9 + g.below(9), g.below(60));
        let (first, ratings) = receipt(&r.result_code, &values, 1, &at);
        let feedback = |receipt, ratings, values: &FeedbackValues| NewFeedback {
            result_code: r.result_code.clone(),
            receipt,
            window_closes: Some(closes.clone()),
            ratings,
            text: values.text.clone(),
            contact: values.contact.clone(),
        };
        storage.insert_feedback(&feedback(first, ratings, &values)).await?;
        stored += 1;
        // Now and then a firm adds to what it said the next day: a second version.
        if g.below(100) < 8 && sent < closes {
            values.text = format!("{}补充：整改材料已按要求提交。", values.text);
            let at = format!("{}T10:00:00+08:00", add_working_days(&sent, 1)?);
            let (second, ratings) = receipt(&r.result_code, &values, 2, &at);
            storage.insert_feedback(&feedback(second, ratings, &values)).await?;
        }
    }
    Ok(stored)
}

async fn team_of(storage: &dyn Storage, result_code: &str) -> Result<Vec<String>, StorageError> {
    Ok(storage
        .result_versions(result_code)
        .await?
        .into_iter()
        .next()
        .map(|r| r.inspectors.split(';').filter(|c| !c.is_empty()).map(str::to_owned).collect())
        .unwrap_or_default())
}

/// The `n`-th working day before `today` (1 = the last one), by the bundled calendar.
fn working_days_before(today: Day, n: u32) -> Option<Day> {
    let calendar = app::calendar::Calendar::bundled();
    let mut day = today;
    let mut found = 0;
    while found < n {
        day -= 1;
        if calendar.is_working_day(day).ok()? {
            found += 1;
        }
    }
    Some(day)
}

/// The try-out draw: four enterprises inspected a few working days before
/// `today` and their results delivered two working days ago, so that their
/// feedback windows are open. `None` when the calendar does not cover those days.
pub fn tryout(
    firms: &[Firm],
    officers: &[Officer],
    today: Day,
) -> Result<Option<(DemoDraw, Vec<NewResult>)>, DemoError> {
    let day = |n| working_days_before(today, n).map(date);
    let (Some(committed), Some(drawn), Some(inspected), Some(reported), Some(delivered)) =
        (day(16), day(15), day(6), day(4), day(2))
    else {
        return Ok(None);
    };
    let year = &drawn[..4];
    let objects: Vec<Object> = firms
        .iter()
        .take(40)
        .map(|f| Object {
            id: f.code.as_str().to_owned(),
            stratum: "T".to_owned(),
            categories: vec![f.industry.clone()],
            abnormal: f.abnormal,
            serious_violation: f.serious_violation,
            penalised: f.penalised,
        })
        .collect();
    let input = DrawInput {
        version: "v1".to_owned(),
        draw_id: format!("{DISTRICT_CODE}-{year}-90"),
        title: format!("{year}年评价反馈体验抽查（演示）"),
        department: DISTRICT.to_owned(),
        unit: UNITS[1].to_owned(),
        ancestors: vec![PROVINCE.to_owned(), CITY.to_owned()],
        draw_date: drawn.clone(),
        randomness_source: draw::RandomnessSource::Demo {
            label: "演示随机数 评价反馈体验 / demo randomness feedback try-out".to_owned(),
        },
        plan: Plan {
            strata: vec![Stratum {
                id: "T".to_owned(),
                name: "评价反馈体验（演示）".to_owned(),
                ratio: Ratio { num: 1, den: 10 },
                qualification: None,
            }],
            allocation: Allocation::Total { count: 4, min_one_per_stratum: false },
            team: TeamRule {
                size: 2,
                load_cap: 2,
                qualification: None,
                units: UNITS.iter().map(|u| (*u).to_owned()).collect(),
            },
            directed: None,
        },
        objects,
        inspectors: officers.iter().filter(|o| o.department_code == DISTRICT_CODE).map(Officer::to_draw).collect(),
        history: Vec::new(),
    };
    let record = draw::draw(input, draw::Randomness::Demo { value: "07".repeat(32) })
        .map_err(|e| DemoError::Draw(e.to_string()))?;
    let demo = DemoDraw {
        committed_at: format!("{committed}T09:00:00+08:00"),
        published_at: format!("{drawn}T10:00:00+08:00"),
        plan_code: String::new(),
        record,
    };
    let names: std::collections::BTreeMap<&str, &Firm> = firms.iter().map(|f| (f.code.as_str(), f)).collect();
    let mut results = Vec::new();
    for (i, (_, object, team)) in super::draws::final_teams(&demo.record).into_iter().enumerate() {
        let Some(firm) = names.get(object.as_str()) else { continue };
        let problem = i % 2 == 1;
        results.push(NewResult {
            result_code: format!("{}-{object}", demo.record.input.draw_id),
            draw_id: demo.record.input.draw_id.clone(),
            credit_code: firm.code.clone(),
            enterprise_name: firm.name.clone(),
            department_code: DISTRICT_CODE.to_owned(),
            item_codes: vec!["1-product-quality".to_owned()],
            inspectors: team,
            inspected_on: inspected.clone(),
            reported_on: reported.clone(),
            delivered_on: Some(delivered.clone()),
            entered_on: Some(delivered.clone()),
            category: if problem { ResultCategory::ALL[1] } else { ResultCategory::ALL[0] },
            findings: if problem {
                "产品标识不规范，已当场责令限期改正。".to_owned()
            } else {
                "按产品质量监督检查要求检查，未发现问题。".to_owned()
            },
            rectification_deadline: problem.then(|| add_working_days(&inspected, 15)).transpose()?,
            rectification: if problem { Rectification::Pending } else { Rectification::None },
            penalty_case: None,
            published_at: format!("{delivered}T16:00:00+08:00"),
            correction: None,
        });
    }
    Ok(Some((demo, results)))
}

/// Publishes the try-out draw and its results, issues their codes and keeps
/// them in clear for the demo page. Returns how many codes a visitor may try.
pub async fn seed_tryout(
    storage: &dyn Storage,
    key: &FeedbackKey,
    firms: &[Firm],
    officers: &[Officer],
    today: Day,
) -> Result<usize, DemoError> {
    let Some((demo, results)) = tryout(firms, officers, today)? else {
        tracing::info!(today = %date(today), "no feedback try-out: the working-day calendar does not cover these days");
        return Ok(0);
    };
    publish::publish_draw(storage, demo.to_submission()?).await?;
    storage.import(&Batch::Results(results.clone())).await?;
    let year: i32 = results.first().and_then(|r| r.inspected_on.get(..4)?.parse().ok()).unwrap_or(0);
    let due = storage.results_without_feedback_code(DISTRICT_CODE, year).await?;
    let (mut issued, mut clear) = (Vec::new(), Vec::new());
    for d in due.iter().filter(|d| results.iter().any(|r| r.result_code == d.result_code)) {
        let code = new_code().map_err(|e| DemoError::Input(e.to_string()))?;
        clear.push((d.result_code.clone(), code.grouped()));
        issued.push(IssuedFeedbackCode {
            result_code: d.result_code.clone(),
            credit_code: d.credit_code.clone(),
            department_id: d.department_id,
            code_hmac: key.hash(&code),
        });
    }
    let delivered = results.first().and_then(|r| r.delivered_on.clone()).unwrap_or_default();
    storage.insert_feedback_codes(&issued, &format!("{delivered}T16:30:00+08:00")).await?;
    storage.insert_demo_feedback_codes(&clear).await?;
    Ok(clear.len())
}

#[cfg(test)]
mod tests {
    use super::super::dates::days;
    use super::*;

    #[test]
    fn the_try_out_window_is_open_on_the_day_it_is_seeded() {
        let demo = super::super::build().unwrap();
        let today = days("2026-11-30");
        let (draw, results) = tryout(&demo.firms, &demo.officers, today).unwrap().unwrap();
        assert_eq!(draw.record.input.draw_id, "159902-2026-90");
        assert_eq!(results.len(), 4);
        // Monday 2026-11-30: delivered on Thursday 11-26, two working days before.
        assert_eq!(results[0].delivered_on.as_deref(), Some("2026-11-26"));
        assert_eq!(results[0].inspected_on, "2026-11-20");
        // The window closes at the end of 2026-12-10, after today.
        assert_eq!(add_working_days("2026-11-26", 10).unwrap(), "2026-12-10");
        // A day whose weeks before are not in the calendar: no try-out.
        assert!(tryout(&demo.firms, &demo.officers, days("2024-01-03")).unwrap().is_none());
    }
}
