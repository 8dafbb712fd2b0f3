//! `/plans`: annual inspection plans (年度检查计划) by year and department.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::portal::plans_page;
use crate::components::filters::{DepartmentField, FilterForm, YearField, use_list_query};
use crate::components::load::loaded;
use crate::components::table::{DataTable, ListAt, PageHead, paged_list};
use crate::i18n::use_lang;
use crate::types::PlanRow;

/// A table of plans (current versions).
#[component]
pub fn PlanTable(plans: Vec<PlanRow>, #[prop(into)] caption: String) -> impl IntoView {
    let lang = use_lang();
    let headers = [
        lang.pick("年度", "Year"),
        lang.pick("计划", "Plan"),
        lang.pick("部门", "Department"),
        lang.pick("检查时间", "Inspection window"),
        lang.pick("公布日期", "Published"),
    ];
    let rows = plans
        .into_iter()
        .map(|p| {
            view! {
                <tr>
                    <td data-label=headers[0]>{p.year}</td>
                    <td data-label=headers[1]>
                        <A href=format!("/plans/{}", p.plan_code)>{p.title.clone()}</A>
                    </td>
                    <td data-label=headers[2]>{p.department.clone()}</td>
                    <td data-label=headers[3]>{format!("{} – {}", p.window_start, p.window_end)}</td>
                    <td data-label=headers[4]>{p.published_at.get(..10).unwrap_or(&p.published_at).to_owned()}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption=caption
            caption_hidden=true
            class="stack plan-list"
            headers=headers.to_vec()
        >
            {rows}
        </DataTable>
    }
}

#[component]
pub fn PlansPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_list_query();
    let data = Resource::new(move || query.get(), plans_page);
    view! {
        <PageHead
            heading=lang.pick("年度检查计划", "Annual inspection plans")
            lead=lang.pick(
                "各部门每年公布抽查计划：检查对象范围、各事项的抽查比例和频次、检查人员要求和检查时间。",
                "Each department publishes a yearly plan: the scope of objects, the sampling ratio and frequency of each item, the inspector requirements and the time window.",
            )
        />
        {loaded(
            data,
            move |(page, departments)| {
                let q = query.get_untracked();
                let list = paged_list(
                    page,
                    &q,
                    ListAt { page: "/plans", api: "/api/plans" },
                    lang.pick("没有符合条件的计划。", "No plan matches."),
                    |rows| view! { <PlanTable plans=rows caption=lang.pick("年度检查计划", "Annual plans")/> }.into_any(),
                );
                view! {
                    <FilterForm action="/plans" label=lang.pick("筛选计划", "Filter plans")>
                        <YearField value=q.year.clone()/>
                        <DepartmentField departments=departments value=q.department.clone()/>
                    </FilterForm>
                    {list}
                }
                    .into_any()
            },
        )}
    }
}
