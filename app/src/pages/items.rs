//! `/items?department=CODE`: the random inspection item lists (随机抽查事项清单).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::portal::items_page;
use crate::components::filters::{DepartmentField, FilterForm, TextField, joined, use_list_query};
use crate::components::load::loaded;
use crate::components::table::{DataTable, DownloadLinks, PageInfo, Pager};
use crate::i18n::use_lang;

#[component]
pub fn ItemsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_list_query();
    let data = Resource::new(move || query.get(), items_page);
    view! {
        <Title text=lang.pick("随机抽查事项清单 · 公开", "Item lists · Gongkai")/>
        <h1>{lang.pick("随机抽查事项清单", "Random inspection item lists")}</h1>
        <p class="lead">
            {lang.pick(
                "每个部门公布自己的随机抽查事项：检查什么、依据哪条法规、检查人员须具备什么资格、用什么方式检查。法规修订时事项随之更新，旧版本保留可查。",
                "Each department publishes its random inspection items: what is checked, under which law, which qualification the inspectors need and how it is checked. When a law changes the item gets a new version; old versions stay visible.",
            )}
        </p>
        {loaded(
            data,
            move |(page, departments)| {
                let q = query.get_untracked();
                let (pager_q, download_q) = (q.clone(), q.clone());
                let info = PageInfo::from(&page);
                let list = if page.rows.is_empty() {
                    view! { <p>{lang.pick("没有符合条件的事项。", "No item matches.")}</p> }.into_any()
                } else {
                    let rows = page
                        .rows
                        .clone()
                        .into_iter()
                        .map(|i| {
                            let href = format!("/items/{}/{}", i.department_code.clone().unwrap_or_default(), i.item_code);
                            let withdrawn = (i.status == "withdrawn").then(|| {
                                view! {
                                    " "
                                    <strong class="tag tag-warn">{lang.pick("已取消", "withdrawn")}</strong>
                                }
                            });
                            view! {
                                <tr>
                                    <td>{i.department}</td>
                                    <td>{i.seq}</td>
                                    <td>
                                        <A href=href>{i.name}</A>
                                        {withdrawn}
                                    </td>
                                    <td>{i.qualification}</td>
                                    <td>{joined(lang, &i.method)}</td>
                                    <td>{i.effective_from}</td>
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <DataTable
                            caption=lang.pick("随机抽查事项", "Random inspection items")
                            caption_hidden=true
                            headers=vec![
                                lang.pick("部门", "Department"),
                                lang.pick("序号", "No."),
                                lang.pick("抽查事项", "Item"),
                                lang.pick("检查人员资格", "Inspector qualification"),
                                lang.pick("检查方式", "Method"),
                                lang.pick("生效日期", "Effective from"),
                            ]
                        >
                            {rows}
                        </DataTable>
                    }
                        .into_any()
                };
                view! {
                    <FilterForm action="/items" label=lang.pick("筛选事项", "Filter items")>
                        <DepartmentField departments=departments value=q.department.clone()/>
                        <TextField name="q" label=lang.pick("事项名称", "Item name") value=q.q.clone()/>
                    </FilterForm>
                    {list}
                    <Pager base="/items" query=pager_q info=info/>
                    <DownloadLinks api="/api/items" query=download_q page=page.page/>
                }
                    .into_any()
            },
        )}
    }
}
