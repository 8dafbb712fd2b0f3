//! `/results/{result_code}`: one inspection result with every version; a
//! correction shows the current version and, below, the old one with the reason.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::portal::result_page;
use crate::components::filters::{VersionNote, result_rectification_text};
use crate::components::load::loaded;
use crate::components::log_check::LogCheck;
use crate::i18n::use_lang;
use crate::pages::not_found::NotFoundContent;
use crate::types::{ItemName, ResultRow};

#[component]
pub fn ResultPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let data = Resource::new(code, result_page);
    view! {
        {loaded(
            data,
            move |(versions, items): (Vec<ResultRow>, Vec<ItemName>)| {
                let Some(current) = versions.first().cloned() else {
                    return view! { <NotFoundContent what=code()/> }.into_any();
                };
                let opt = |v: &Option<String>| v.clone().unwrap_or_else(|| "—".to_owned());
                let history = versions
                    .into_iter()
                    .enumerate()
                    .map(|(k, v)| {
                        let penalty = v.penalty_case.clone().map(|p| {
                            view! {
                                <div>
                                    <dt>{lang.pick("移送立案", "Referred to a penalty case")}</dt>
                                    <dd>{p}</dd>
                                </div>
                            }
                        });
                        view! {
                            <article class="version" class:version-old={k > 0}>
                                <h3>{v.category.text(lang)}</h3>
                                <VersionNote version=v.version current={k == 0} reason=v.correction_reason.clone()/>
                                <dl class="facts">
                                    <div>
                                        <dt>{lang.pick("检查发现", "Findings")}</dt>
                                        <dd>{v.findings.clone()}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("检查事项", "Items checked")}</dt>
                                        <dd>
                                            <ItemLinks
                                                codes=v.item_codes.clone()
                                                department=v.department_code.clone()
                                                items=items.clone()
                                            />
                                        </dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("检查人员（执法证号）", "Inspectors (certificates)")}</dt>
                                        <dd>
                                            {v
                                                .inspectors
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
                                        </dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("检查日期", "Inspected on")}</dt>
                                        <dd>{v.inspected_on.clone()}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("报告日期", "Reported on")}</dt>
                                        <dd>{v.reported_on.clone()}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("送达日期", "Delivered on")}</dt>
                                        <dd>{opt(&v.delivered_on)}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("录入日期", "Entered on")}</dt>
                                        <dd>{opt(&v.entered_on)}</dd>
                                    </div>
                                    <div>
                                        <dt>{lang.pick("整改情况", "Rectification")}</dt>
                                        <dd>
                                            {result_rectification_text(lang, v.rectification_status, v.penalty_case.as_deref())}
                                            {v.rectification_deadline.clone().map(|d| format!(" ({} {d})", lang.pick("期限", "deadline")))}
                                        </dd>
                                    </div>
                                    {penalty}
                                    <div>
                                        <dt>{lang.pick("公布时间", "Published")}</dt>
                                        <dd><crate::components::BeijingTime value=v.published_at.clone()/></dd>
                                    </div>
                                </dl>
                            </article>
                        }
                    })
                    .collect_view();
                view! {
                    <Title text=format!("{} · {}", current.enterprise_name, lang.pick("检查结果 · 公开", "Inspection result · Gongkai"))/>
                    <h1>{lang.pick("检查结果：", "Inspection result: ")}{current.enterprise_name.clone()}</h1>
                    <p>
                        <A href=format!("/enterprises/{}", current.credit_code)>
                            <code>{current.credit_code.clone()}</code>
                        </A>
                        " · "
                        {current.department.clone()}
                        " · "
                        {lang.pick("抽取 ", "draw ")}
                        <A href=format!("/draws/{}", current.draw_id)>{current.draw_id.clone()}</A>
                    </p>
                    <section aria-labelledby="history-title">
                        <h2 id="history-title">{lang.pick("现行版本与历史版本", "Current and earlier versions")}</h2>
                        {history}
                    </section>
                    <LogCheck kind="result" key=current.result_code.clone() version=current.version/>
                }
                    .into_any()
            },
        )}
    }
}

/// A result's items by name, linked to their pages: the
/// item of the result's own department if it has one, else of the department
/// that publishes it; a code no department lists stays as it is.
#[component]
fn ItemLinks(codes: String, department: Option<String>, items: Vec<ItemName>) -> impl IntoView {
    let lang = use_lang();
    let codes: Vec<String> = codes.split(';').map(str::trim).filter(|c| !c.is_empty()).map(str::to_owned).collect();
    let last = codes.len().saturating_sub(1);
    codes
        .into_iter()
        .enumerate()
        .map(|(k, code)| {
            let found = items
                .iter()
                .find(|i| i.item_code == code && Some(&i.department_code) == department.as_ref())
                .or_else(|| items.iter().find(|i| i.item_code == code))
                .cloned();
            let sep = (k < last).then(|| lang.pick("；", "; "));
            match found {
                Some(i) => view! {
                    <A href=format!("/items/{}/{}", i.department_code, i.item_code)>{i.name.clone()}</A>
                    {sep}
                }
                .into_any(),
                None => view! {
                    <code>{code}</code>
                    {sep}
                }
                .into_any(),
            }
        })
        .collect::<Vec<_>>()
}
