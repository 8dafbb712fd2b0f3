//! `/items?department=CODE`: the random inspection item lists (随机抽查事项清单).

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::portal::items_page;
use crate::components::filters::{DepartmentField, FilterForm, TextField, joined, use_list_query};
use crate::components::load::loaded;
use crate::components::table::{DataTable, ListAt, PageHead, paged_list};
use crate::i18n::use_lang;
use crate::types::{ItemRow, ItemStatus};

/// A table of items (current versions). On a department's own page
/// (`of_department`) it leaves out the department and shows each item's legal
/// basis instead of the inspectors' qualification.
#[component]
pub fn ItemTable(items: Vec<ItemRow>, #[prop(optional)] of_department: bool) -> impl IntoView {
    let lang = use_lang();
    let mut headers = vec![
        lang.pick("部门", "Department"),
        lang.pick("序号", "No."),
        lang.pick("抽查事项", "Item"),
        lang.pick("检查人员资格", "Inspector qualification"),
        lang.pick("检查方式", "Method"),
        lang.pick("生效日期", "Effective from"),
    ];
    if of_department {
        headers.remove(0);
        headers[2] = lang.pick("依据", "Legal basis");
    }
    // The labels of the cells after the department's (phones show them beside each value).
    let labels: [&'static str; 5] = {
        let h = &headers[headers.len() - 5..];
        [h[0], h[1], h[2], h[3], h[4]]
    };
    let department_label = lang.pick("部门", "Department");
    let rows = items
        .into_iter()
        .map(|i| {
            let href = format!("/items/{}/{}", i.department_code.clone().unwrap_or_default(), i.item_code);
            let withdrawn = (i.status == ItemStatus::Withdrawn).then(|| {
                view! {
                    " "
                    <strong class="tag tag-warn">{lang.pick("已取消", "withdrawn")}</strong>
                }
            });
            let (department, detail) = if of_department {
                (None, i.legal_basis)
            } else {
                (Some(view! { <td data-label=department_label>{i.department}</td> }), i.qualification)
            };
            view! {
                <tr>
                    {department}
                    <td data-label=labels[0]>{i.seq}</td>
                    <td data-label=labels[1]>
                        <A href=href>{i.name}</A>
                        {withdrawn}
                    </td>
                    <td data-label=labels[2]>{detail}</td>
                    <td data-label=labels[3]>{joined(lang, &i.method)}</td>
                    <td data-label=labels[4]>{i.effective_from}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption=lang.pick("随机抽查事项", "Random inspection items")
            caption_hidden=true
            class="stack"
            headers=headers
        >
            {rows}
        </DataTable>
    }
}

#[component]
pub fn ItemsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_list_query();
    let data = Resource::new(move || query.get(), items_page);
    view! {
        <PageHead
            heading=lang.pick("随机抽查事项清单", "Random inspection item lists")
            lead=lang.pick(
                "每个部门公布自己的随机抽查事项：检查什么、依据哪条法规、检查人员须具备什么资格、用什么方式检查。法规修订时事项随之更新，旧版本保留可查。",
                "Each department publishes its random inspection items: what is checked, under which law, which qualification the inspectors need and how it is checked. When a law changes the item gets a new version; old versions stay visible.",
            )
        />
        {loaded(
            data,
            move |(page, departments)| {
                let q = query.get_untracked();
                let list = paged_list(
                    page,
                    &q,
                    ListAt { page: "/items", api: "/api/items" },
                    lang.pick("没有符合条件的事项。", "No item matches."),
                    |rows| view! { <ItemTable items=rows/> }.into_any(),
                );
                view! {
                    <FilterForm action="/items" label=lang.pick("筛选事项", "Filter items")>
                        <DepartmentField departments=departments value=q.department.clone()/>
                        <TextField name="q" label=lang.pick("事项名称", "Item name") value=q.q.clone()/>
                    </FilterForm>
                    {list}
                }
                    .into_any()
            },
        )}
    }
}
