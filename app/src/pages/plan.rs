//! `/plans/{plan_code}`: one annual plan: scope, lines, inspector
//! requirements, window, versions, and the draws made under it.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::portal::plan_page;
use crate::components::filters::VersionNote;
use crate::components::load::loaded;
use crate::components::log_check::LogCheck;
use crate::components::table::DataTable;
use crate::i18n::use_lang;
use crate::pages::draws::DrawTable;
use crate::pages::not_found::NotFoundContent;
use crate::types::{PlanDetail, PlanLineRow};

#[component]
fn PlanLines(lines: Vec<PlanLineRow>, department_code: String) -> impl IntoView {
    let lang = use_lang();
    let rows = lines
        .into_iter()
        .map(|l| {
            let item = l.item_name.clone().unwrap_or_else(|| l.item_code.clone());
            view! {
                <tr>
                    <td>{l.line}</td>
                    <td>
                        <A href=format!("/items/{department_code}/{}", l.item_code)>{item}</A>
                    </td>
                    <td>{l.stratum}</td>
                    <td>{l.ratio}</td>
                    <td>{l.frequency}</td>
                    <td>{l.object_count.map(|n| n.to_string()).unwrap_or_else(|| "—".to_owned())}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption=lang.pick("抽查事项、比例和频次", "Items, ratios and frequencies")
            headers=vec![
                lang.pick("序号", "No."),
                lang.pick("抽查事项", "Item"),
                lang.pick("检查对象（分层）", "Objects (stratum)"),
                lang.pick("抽查比例", "Ratio"),
                lang.pick("频次", "Frequency"),
                lang.pick("计划户数", "Planned count"),
            ]
        >
            {rows}
        </DataTable>
    }
}

#[component]
pub fn PlanPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let data = Resource::new(code, plan_page);
    view! {
        {loaded(
            data,
            move |found: Option<PlanDetail>| {
                let Some(plan) = found else {
                    return view! { <NotFoundContent what=code()/> }.into_any();
                };
                let Some(current) = plan.versions.first().cloned() else {
                    return view! { <NotFoundContent what=code()/> }.into_any();
                };
                let dep_code = current.department_code.clone().unwrap_or_default();
                let versions = plan
                    .versions
                    .iter()
                    .enumerate()
                    .map(|(k, v)| {
                        let lines: Vec<PlanLineRow> =
                            plan.lines.iter().filter(|l| l.version == v.version).cloned().collect();
                        view! {
                            <article class="version" class:version-old={k > 0}>
                                <h3>{v.title.clone()}</h3>
                                <VersionNote version=v.version current={k == 0} reason=v.correction_reason.clone()/>
                                <dl class="facts">
                                    <div>
                                        <dt>{lang.pick("检查对象范围", "Scope")}</dt>
                                        <dd>{v.scope.clone()}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("检查人员要求", "Inspector requirements")}</dt>
                                        <dd>{v.inspector_requirements.clone()}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("检查时间", "Inspection window")}</dt>
                                        <dd>{format!("{} – {}", v.window_start, v.window_end)}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("公布时间", "Published")}</dt>
                                        <dd><crate::components::BeijingTime value=v.published_at.clone()/></dd>
                                    </div>
                                </dl>
                                <PlanLines lines=lines department_code=dep_code.clone()/>
                            </article>
                        }
                    })
                    .collect_view();
                let draws = if plan.draws.is_empty() {
                    view! { <p>{lang.pick("尚无按本计划进行的抽取。", "No draw under this plan yet.")}</p> }.into_any()
                } else {
                    view! { <DrawTable draws=plan.draws.clone() caption=lang.pick("按本计划进行的抽取", "Draws under this plan")/> }
                        .into_any()
                };
                view! {
                    <Title text=format!("{} · {}", current.title, lang.pick("公开", "Gongkai"))/>
                    <h1>{current.title.clone()}</h1>
                    <p>
                        <A href=format!("/departments/{dep_code}")>{current.department.clone()}</A>
                        " · "
                        {current.year}
                        " · "
                        <code>{current.plan_code.clone()}</code>
                    </p>
                    <section aria-labelledby="plan-title">
                        <h2 id="plan-title">{lang.pick("计划内容与版本", "The plan and its versions")}</h2>
                        {versions}
                    </section>
                    <LogCheck kind="plan" key=current.plan_code.clone() version=current.version/>
                    <section aria-labelledby="plan-draws-title">
                        <h2 id="plan-draws-title">{lang.pick("按本计划进行的抽取", "Draws under this plan")}</h2>
                        {draws}
                    </section>
                }
                    .into_any()
            },
        )}
    }
}
