//! The published feedback counts (001 art. 24, 26) of a department or an
//! inspector, per year: codes issued, feedback received, the five 好差评
//! levels and (for inspectors) the conduct problems; counts below 5 as "< 5".

use leptos::prelude::*;

use crate::api::portal::feedback_stats;
use crate::components::load::loaded;
use crate::components::table::DataTable;
use crate::feedback::{Conduct, FeedbackStats, MIN_CELL, Satisfaction, cell};
use crate::i18n::{Lang, use_lang};

/// The section, loaded for a department (`department`) or an inspector (`certificate`).
#[component]
pub fn FeedbackSection(department: Option<String>, certificate: Option<String>) -> impl IntoView {
    let lang = use_lang();
    let inspector = certificate.is_some();
    let filter = match (&department, &certificate) {
        (_, Some(c)) => format!("certificate={c}"),
        (Some(d), None) => format!("department={d}"),
        (None, None) => String::new(),
    };
    let data = Resource::new(move || (department.clone(), certificate.clone()), |(d, c)| feedback_stats(d, c));
    view! {
        <section aria-labelledby="feedback-stats-title" class="feedback-stats">
            <h2 id="feedback-stats-title">{lang.pick("企业评价反馈", "Feedback from inspected enterprises")}</h2>
            <p>
                {match lang {
                    Lang::Zh => format!(
                        "被检查企业在收到检查结果后 10 个工作日内的评价（《随机抽查工作细则》第二十四条），按检查年份统计；每份评价在评价期结束后计入。评价内容不公开；少于 {MIN_CELL} 份的数字显示为“< {MIN_CELL}”，以免推断出是哪家企业的评价。"
                    ),
                    Lang::En => format!(
                        "Feedback given by inspected enterprises within 10 working days of receiving the result (art. 24), by year of inspection; each counts once its window has closed. What they wrote is not published; any count below {MIN_CELL} shows as \"< {MIN_CELL}\", so that no enterprise's feedback can be singled out."
                    ),
                }}
            </p>
            {loaded(data, move |rows: Vec<FeedbackStats>| {
                if rows.is_empty() {
                    return view! {
                        <p>{lang.pick("尚未发放评价码。", "No feedback codes have been issued yet.")}</p>
                    }
                        .into_any();
                }
                view! { <StatsTable rows inspector/> }.into_any()
            })}
            <p class="downloads">
                {lang.pick("开放数据：", "Open data: ")}
                <a href=format!("/api/feedback?{filter}")>"JSON"</a>
                " · "
                <a href=format!("/api/feedback.csv?{filter}")>"CSV"</a>
            </p>
        </section>
    }
}

#[component]
fn StatsTable(rows: Vec<FeedbackStats>, inspector: bool) -> impl IntoView {
    let lang = use_lang();
    let mut headers = vec![
        lang.pick("年份", "Year"),
        lang.pick("发放评价码", "Codes issued"),
        lang.pick("收到评价", "Feedback received"),
    ];
    headers.extend(Satisfaction::ALL.iter().map(|s| s.name(lang)));
    if inspector {
        headers.extend(Conduct::ALL.iter().map(|c| c.problem(lang)));
    }
    let body = rows
        .into_iter()
        .map(|r| {
            let levels = r.levels.iter().map(|c| view! { <td class="num">{cell(*c)}</td> }).collect_view();
            let problems = inspector
                .then(|| r.conduct_problems.iter().map(|c| view! { <td class="num">{cell(*c)}</td> }).collect_view());
            view! {
                <tr>
                    <th scope="row">{r.year}</th>
                    <td class="num">{r.codes_issued}</td>
                    <td class="num">{cell(r.received)}</td>
                    {levels}
                    {problems}
                </tr>
            }
        })
        .collect_view();
    let caption = lang.pick("评价反馈统计（按检查年份）", "Feedback counts (by year of inspection)");
    view! { <DataTable caption=caption headers>{body}</DataTable> }
}
