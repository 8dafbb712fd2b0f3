//! `/enterprises?q=`: search the object directory (检查对象名录库) by any part
//! of a name or by unified social credit code.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::portal::enterprises_page;
use crate::components::filters::{DepartmentField, FilterForm, TextField, use_list_query};
use crate::components::load::loaded;
use crate::components::table::{DataTable, ListAt, PageHead, paged_list};
use crate::i18n::{Lang, use_lang};
use crate::types::EnterpriseRow;

/// The list statuses of an enterprise, in words.
pub fn enterprise_statuses(lang: Lang, e: &EnterpriseRow) -> String {
    let mut s = Vec::new();
    if e.abnormal {
        s.push(lang.pick("列入经营异常名录", "on the abnormal operations list"));
    }
    if e.serious_violation {
        s.push(lang.pick("列入严重违法失信名单", "on the serious violation list"));
    }
    if e.penalised {
        s.push(lang.pick("已受行政处罚", "penalised"));
    }
    if s.is_empty() { lang.pick("无", "none").to_owned() } else { s.join(lang.pick("；", "; ")) }
}

/// A table of enterprises (current versions).
#[component]
pub fn EnterpriseTable(enterprises: Vec<EnterpriseRow>) -> impl IntoView {
    let lang = use_lang();
    let headers = [
        lang.pick("名称", "Name"),
        lang.pick("统一社会信用代码", "Credit code"),
        lang.pick("地区", "Region"),
        lang.pick("行业", "Industry"),
        lang.pick("名单状态", "List status"),
    ];
    let rows = enterprises
        .into_iter()
        .map(|e| {
            let statuses = enterprise_statuses(lang, &e);
            view! {
                <tr>
                    <td data-label=headers[0]>
                        <A href=format!("/enterprises/{}", e.credit_code)>{e.name.clone()}</A>
                    </td>
                    <td data-label=headers[1]>
                        <code>{e.credit_code.clone()}</code>
                    </td>
                    <td data-label=headers[2]>{e.region.clone()}</td>
                    <td data-label=headers[3]>{e.industry.clone()}</td>
                    <td data-label=headers[4]>{statuses}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption=lang.pick("企业", "Enterprises")
            class="stack"
            caption_hidden=true
            headers=headers.to_vec()
        >
            {rows}
        </DataTable>
    }
}

#[component]
pub fn EnterprisesPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_list_query();
    let data = Resource::new(move || query.get(), enterprises_page);
    view! {
        <PageHead
            heading=lang.pick("企业查询", "Enterprises")
            lead=lang.pick(
                "查询检查对象名录库中的企业：它参加过的每一次抽取（抽中、未抽中或被排除及原因）和历年的检查结果。",
                "Look up an enterprise of the object directory: every draw it was in (drawn, not drawn, or excluded and why) and its inspection results over the years.",
            )
        />
        {loaded(
            data,
            move |(page, departments)| {
                let q = query.get_untracked();
                let list = paged_list(
                    page,
                    &q,
                    ListAt { page: "/enterprises", api: "/api/enterprises" },
                    lang.pick("没有符合条件的企业。", "No enterprise matches."),
                    |rows| view! { <EnterpriseTable enterprises=rows/> }.into_any(),
                );
                view! {
                    <FilterForm action="/enterprises" label=lang.pick("查询企业", "Search enterprises")>
                        <TextField
                            name="q"
                            label=lang.pick("企业名称或统一社会信用代码", "Enterprise name or credit code")
                            value=q.q.clone()
                            hint=lang.pick("名称可输入任意连续的字", "Any part of the name")
                        />
                        <DepartmentField departments=departments value=q.department.clone()/>
                    </FilterForm>
                    {list}
                }
                    .into_any()
            },
        )}
    }
}
