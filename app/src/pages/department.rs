//! `/departments/{code}`: a department and its random inspection item list.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::portal::department_page;
use crate::components::filters::level_text;
use crate::components::load::loaded;
use crate::i18n::use_lang;
use crate::pages::departments::department_link;
use crate::pages::items::ItemTable;
use crate::pages::not_found::NotFoundContent;
use crate::types::DepartmentDetail;

#[component]
pub fn DepartmentPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let code = move || params.read().get("code").unwrap_or_default();
    let data = Resource::new(code, department_page);
    view! {
        {loaded(
            data,
            move |found: Option<DepartmentDetail>| {
                let Some(detail) = found else {
                    return view! { <NotFoundContent what=code()/> }.into_any();
                };
                let d = detail.department;
                let code = d.code.clone().unwrap_or_default();
                let parent = d.parent_name.clone().map(|name| {
                    view! {
                        <p>
                            {lang.pick("上级部门：", "Parent department: ")}
                            {department_link(name, d.parent_code.clone())}
                        </p>
                    }
                });
                let children = (!detail.children.is_empty()).then(|| {
                    view! {
                        <section aria-labelledby="children-title">
                            <h2 id="children-title">{lang.pick("下级部门", "Subordinate departments")}</h2>
                            <ul>
                                {detail
                                    .children
                                    .into_iter()
                                    .map(|c| view! { <li>{department_link(c.name, c.code)}</li> })
                                    .collect_view()}
                            </ul>
                        </section>
                    }
                });
                let items = if detail.items.is_empty() {
                    view! { <p>{lang.pick("尚未公布随机抽查事项清单。", "No item list has been published yet.")}</p> }
                        .into_any()
                } else {
                    view! { <ItemTable items=detail.items of_department=true/> }.into_any()
                };
                let level = level_text(lang, d.level);
                view! {
                    <Title text=format!("{} · {}", d.name, lang.pick("公开", "Gongkai"))/>
                    <h1>{d.name.clone()}</h1>
                    <p>
                        {level}
                        {(!code.is_empty()).then(|| view! { " · " <code>{code.clone()}</code> })}
                    </p>
                    {parent}
                    <section aria-labelledby="items-title">
                        <h2 id="items-title">{lang.pick("随机抽查事项清单", "Random inspection item list")}</h2>
                        {items}
                        <p>
                            <A href=format!("/items?department={code}")>{lang.pick("在事项清单中查看", "View in the item lists")}</A>
                            " · "
                            <A href=format!("/plans?department={code}")>{lang.pick("年度检查计划", "Annual plans")}</A>
                            " · "
                            <A href=format!("/draws?department={code}")>{lang.pick("抽取", "Draws")}</A>
                            " · "
                            <A href=format!("/results?department={code}")>{lang.pick("检查结果", "Results")}</A>
                        </p>
                    </section>
                    {children}
                    {(!code.is_empty()).then(|| view! {
                        <crate::components::feedback_stats::FeedbackSection department=Some(code.clone()) certificate=None/>
                    })}
                }
                    .into_any()
            },
        )}
    }
}
