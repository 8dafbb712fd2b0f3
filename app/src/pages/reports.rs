//! `/reports`: the yearly plan execution reports (年度检查计划执行情况) of
//! every department and year, computed from what was published; with a year
//! chosen, the jurisdiction's departments side by side, sortable.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_query_map;

use crate::api::reports::{ReportsData, reports_page};
use crate::components::filters::{DepartmentField, FilterForm, YearField};
use crate::components::load::loaded;
use crate::components::table::PageHead;
use crate::i18n::{Lang, use_lang};
use crate::report::{Headline, report_href};

/// A rate as shown (`95.7%`, or a dash when there is nothing to rate).
pub fn rate(v: Option<f64>) -> String {
    v.map_or_else(|| "—".to_owned(), |v| format!("{v:.1}%"))
}

fn query_string(department: &Option<String>, year: &Option<String>, sort: Option<&str>) -> String {
    let mut parts = Vec::new();
    let mut push = |k: &str, v: &str| {
        parts.push(format!("{k}={}", crate::types::url_encode(v)));
    };
    if let Some(d) = department.as_deref().filter(|d| !d.is_empty()) {
        push("department", d);
    }
    if let Some(y) = year.as_deref().filter(|y| !y.is_empty()) {
        push("year", y);
    }
    if let Some(s) = sort {
        push("sort", s);
    }
    if parts.is_empty() { String::new() } else { format!("?{}", parts.join("&")) }
}

fn column(lang: Lang, sort: &str) -> &'static str {
    match sort {
        "department" => lang.pick("部门", "Department"),
        "completion" => lang.pick("完成率", "Completion"),
        "on_time" => lang.pick("按时公示率", "Published on time"),
        "problem_rate" => lang.pick("发现问题率", "Problem rate"),
        _ => lang.pick("违反的规则", "Rules violated"),
    }
}

#[component]
pub fn ReportsPage() -> impl IntoView {
    let lang = use_lang();
    let map = use_query_map();
    let department = move || map.read().get("department");
    let year = move || map.read().get("year");
    let sort = move || map.read().get("sort");
    let data = Resource::new(
        move || (department(), year(), sort()),
        |(d, y, s)| reports_page(d, y.and_then(|y| y.trim().parse().ok()), s),
    );
    view! {
        <PageHead
            heading=lang.pick("年度检查计划执行情况", "Yearly plan execution reports")
            lead=lang.pick(
                "每个部门每年的抽查计划执行情况，由本站根据已公布的计划、抽取和检查结果计算得出，并逐条核对规章要求。部门自行公布的报告与计算结果并列显示，差异逐项标出。",
                "Each department's yearly plan execution report, computed by this site from the published plans, draws and results, with every rule of the regulations checked. Where a department published its own report, its figures are shown beside the computed ones and every difference is marked.",
            )
        />
        {loaded(data, move |d: ReportsData| {
            let (dep, yr, so) = (department(), year(), sort());
            let rows = d.rows;
            let table = if rows.is_empty() {
                view! { <p>{lang.pick("没有符合条件的报告。", "No report matches.")}</p> }.into_any()
            } else {
                view! { <HeadlineTable rows=rows department=dep.clone() year=yr.clone() sort=so.clone()/> }.into_any()
            };
            let qs = query_string(&dep, &yr, None);
            view! {
                <FilterForm action="/reports" label=lang.pick("筛选报告", "Filter reports")>
                    <YearField value=yr.clone()/>
                    <DepartmentField departments=d.departments value=dep.clone()/>
                    {so.clone().map(|s| view! { <input type="hidden" name="sort" value=s/> })}
                </FilterForm>
                <p class="hint">
                    {lang.pick("选择部门时包括其下级部门。", "Choosing a department includes its subordinate departments.")}
                    " "
                    {lang.pick("有报告的年度：", "Years with reports: ")}
                    {d.years
                        .iter()
                        .map(|y| view! { <a href=format!("/reports?year={y}")>{y.to_string()}</a> " " })
                        .collect_view()}
                </p>
                {table}
                <p class="downloads">
                    {lang.pick("开放数据：", "Open data: ")}
                    <a href=format!("/api/reports{qs}")>"JSON"</a>
                    " · "
                    <a href=format!("/api/reports.csv{qs}")>"CSV"</a>
                </p>
            }
            .into_any()
        })}
    }
}

/// The headlines as a table whose numeric columns sort (links, no JavaScript).
#[component]
fn HeadlineTable(
    rows: Vec<Headline>,
    department: Option<String>,
    year: Option<String>,
    sort: Option<String>,
) -> impl IntoView {
    let lang = use_lang();
    let sortable = |key: &'static str| {
        let current = sort.as_deref() == Some(key);
        let href = query_string(&department, &year, Some(key));
        let label = column(lang, key);
        view! {
            <th scope="col" aria-sort=if current { "ascending" } else { "none" }>
                <a href=format!("/reports{href}")>
                    {label}
                    {current.then(|| view! { <span aria-hidden="true">" ▲"</span> })}
                </a>
            </th>
        }
    };
    let body = rows
        .into_iter()
        .map(|h| {
            let href = report_href(&h.department_code, h.year);
            view! {
                <tr>
                    <td>{h.year}</td>
                    <td>
                        <A href=href>{h.department.clone()}</A>
                    </td>
                    <td class="num">{h.plans}</td>
                    <td class="num">{h.draws}</td>
                    <td class="num">{h.drawn}</td>
                    <td class="num">{h.inspected}</td>
                    <td class="num">{rate(h.completion_rate)}</td>
                    <td class="num">{rate(h.on_time_rate)}</td>
                    <td class="num">{rate(h.problem_rate)}</td>
                    <td class="num">
                        {if h.rules_violated > 0 {
                            view! { <strong class="flag-bad">{h.rules_violated}</strong> }.into_any()
                        } else {
                            view! { <span>"0"</span> }.into_any()
                        }}
                    </td>
                    <td class="num">{h.rules_cannot_check}</td>
                    <td>{if h.declared { lang.pick("已公布", "Published") } else { lang.pick("未公布", "Not published") }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="table-wrap">
            <table class="report-list">
                <caption class="visually-hidden">{lang.pick("各部门年度执行情况", "Execution by department and year")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{lang.pick("年度", "Year")}</th>
                        {sortable("department")}
                        <th scope="col">{lang.pick("计划", "Plans")}</th>
                        <th scope="col">{lang.pick("抽取", "Draws")}</th>
                        <th scope="col">{lang.pick("抽中户数", "Drawn")}</th>
                        <th scope="col">{lang.pick("检查结果", "Results")}</th>
                        {sortable("completion")}
                        {sortable("on_time")}
                        {sortable("problem_rate")}
                        {sortable("flags")}
                        <th scope="col">{lang.pick("无法核对的规则", "Rules that cannot be checked")}</th>
                        <th scope="col">{lang.pick("部门自报", "Department's own report")}</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}
