//! `/enterprises/{credit_code}`: an enterprise's own page: its entry (current
//! and history), every draw it was in, every result across the years.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::portal::enterprise_page;
use crate::components::filters::{VersionNote, joined};
use crate::components::load::loaded;
use crate::components::log_check::LogCheck;
use crate::components::table::DataTable;
use crate::i18n::{Lang, use_lang};
use crate::pages::enterprises::enterprise_statuses;
use crate::pages::not_found::NotFoundContent;
use crate::pages::results::ResultTable;
use crate::types::{DrawObjectRow, EnterpriseDetail, Outcome};

/// What happened to the enterprise in one draw, in words.
fn outcome(lang: Lang, o: &DrawObjectRow) -> AnyView {
    match o.outcome {
        Outcome::Selected => {
            let position = o.position.map(|p| match lang {
                Lang::Zh => format!("，第 {p} 位"),
                Lang::En => format!(", position {p}"),
            });
            let team = o.team.clone().map(|t| {
                view! {
                    <br/>
                    {lang.pick("检查组：", "Team: ")}
                    {t
                        .split(';')
                        .filter(|c| !c.is_empty())
                        .map(str::to_owned)
                        .collect::<Vec<_>>()
                        .into_iter()
                        .map(|c| {
                            view! {
                                <A href=format!("/inspectors/{c}")>
                                    <code>{c.clone()}</code>
                                </A>
                                " "
                            }
                        })
                        .collect_view()}
                }
            });
            view! {
                <strong class="tag tag-current">{lang.pick("抽中", "drawn")}</strong>
                {position}
                {team}
            }
            .into_any()
        }
        Outcome::Excluded => {
            let reason = o.exclusion_reason.map(|r| r.text(lang));
            view! {
                <span class="tag tag-warn">{lang.pick("被排除", "excluded")}</span>
                {reason.map(|r| view! { {lang.pick("：", ": ")} {r} })}
            }
            .into_any()
        }
        Outcome::NotSelected => view! { <span class="tag">{lang.pick("未抽中", "not drawn")}</span> }.into_any(),
    }
}

#[component]
pub fn EnterprisePage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let data = Resource::new(code, enterprise_page);
    view! {
        {loaded(
            data,
            move |found: Option<EnterpriseDetail>| {
                let Some(detail) = found else {
                    return view! { <NotFoundContent what=code()/> }.into_any();
                };
                let name = detail
                    .versions
                    .first()
                    .map(|v| v.name.clone())
                    .or_else(|| detail.results.first().map(|r| r.enterprise_name.clone()))
                    .unwrap_or_else(|| code().to_ascii_uppercase());
                let entry = if detail.versions.is_empty() {
                    view! {
                        <p>{lang.pick("该企业不在检查对象名录库中。", "This enterprise is not in the object directory.")}</p>
                    }
                        .into_any()
                } else {
                    detail
                        .versions
                        .iter()
                        .enumerate()
                        .map(|(k, v)| {
                            view! {
                                <article class="version" class:version-old={k > 0}>
                                    <h3>{v.name.clone()}</h3>
                                    <VersionNote version=v.version current={k == 0} reason=v.correction_reason.clone()/>
                                    <dl class="facts">
                                        <div>
                                            <dt>{lang.pick("监管部门", "Supervising department")}</dt>
                                            <dd>{v.department.clone()}</dd>
                                        </div>
                                        <div>
                                            <dt>{lang.pick("地区", "Region")}</dt>
                                            <dd>{v.region.clone()}</dd>
                                        </div>
                                        <div>
                                            <dt>{lang.pick("行业", "Industry")}</dt>
                                            <dd>{v.industry.clone()}</dd>
                                        </div>
                                        <div>
                                            <dt>{lang.pick("许可证", "Licences")}</dt>
                                            <dd>{joined(lang, &v.licences)}</dd>
                                        </div>
                                        <div>
                                            <dt>{lang.pick("名单状态", "List status")}</dt>
                                            <dd>{enterprise_statuses(lang, v)}</dd>
                                        </div>
                                        <div>
                                            <dt>{lang.pick("信用风险分类", "Credit-risk class")}</dt>
                                            <dd>{v.credit_class.clone()}</dd>
                                        </div>
                                    </dl>
                                </article>
                            }
                        })
                        .collect_view()
                        .into_any()
                };
                let draws = if detail.draws.is_empty() {
                    view! { <p>{lang.pick("尚未参加任何已公布的抽取。", "Not in any published draw.")}</p> }.into_any()
                } else {
                    let rows = detail
                        .draws
                        .clone()
                        .into_iter()
                        .map(|o| {
                            let what = outcome(lang, &o);
                            view! {
                                <tr>
                                    <td>{o.draw_date.clone()}</td>
                                    <td>
                                        <A href=format!("/draws/{}", o.draw_id)>{o.title.clone()}</A>
                                    </td>
                                    <td>{o.department.clone()}</td>
                                    <td>{o.stratum.clone()}</td>
                                    <td>{what}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <DataTable
                            caption=lang.pick("参加过的抽取", "Draws it was in")
                            caption_hidden=true
                            headers=vec![
                                lang.pick("抽取日期", "Draw date"),
                                lang.pick("抽取", "Draw"),
                                lang.pick("部门", "Department"),
                                lang.pick("分层", "Stratum"),
                                lang.pick("结果", "Outcome"),
                            ]
                        >
                            {rows}
                        </DataTable>
                    }
                        .into_any()
                };
                let results = if detail.results.is_empty() {
                    view! { <p>{lang.pick("尚无检查结果。", "No inspection result yet.")}</p> }.into_any()
                } else {
                    view! { <ResultTable results=detail.results.clone() caption=lang.pick("检查结果", "Inspection results")/> }
                        .into_any()
                };
                let upper = code().to_ascii_uppercase();
                view! {
                    <Title text=format!("{name} · {}", lang.pick("公开", "Gongkai"))/>
                    <h1>{name.clone()}</h1>
                    <p>
                        {lang.pick("统一社会信用代码 ", "Unified social credit code ")}
                        <code>{upper.clone()}</code>
                        " · "
                        <a href=format!("/api/enterprises/{upper}") rel="external">"JSON"</a>
                    </p>
                    <section aria-labelledby="entry-title">
                        <h2 id="entry-title">{lang.pick("名录信息", "Directory entry")}</h2>
                        {entry}
                    </section>
                    {detail.versions.first().map(|v| {
                        view! { <LogCheck kind="enterprise" key=v.credit_code.clone() version=v.version/> }
                    })}
                    <section aria-labelledby="draws-title">
                        <h2 id="draws-title">{lang.pick("参加过的抽取", "Draws it was in")}</h2>
                        {draws}
                    </section>
                    <section aria-labelledby="results-title">
                        <h2 id="results-title">{lang.pick("历年检查结果", "Inspection results over the years")}</h2>
                        {results}
                    </section>
                    <crate::components::recusals::RecusalSection
                        recusals=detail.recusals.clone()
                        empty=lang.pick("检查该企业时没有检查人员公开回避。", "No inspector published a recusal from inspecting it.")
                    />
                }
                    .into_any()
            },
        )}
    }
}
