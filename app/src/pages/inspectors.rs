//! `/inspectors`: the inspector directory (执法检查人员名录库): search by name,
//! filter by department, unit, qualification and status; expired
//! certificates and inspectors who left are marked in words.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::portal::inspectors_page;
use crate::components::filters::{DepartmentField, FilterForm, SelectField, TextField, joined, use_list_query};
use crate::components::load::loaded;
use crate::components::table::{DataTable, ListAt, PageHead, paged_list};
use crate::i18n::{Lang, use_lang};
use crate::types::{InspectorRow, InspectorStatus};

/// Marks of an inspector's state: expired certificate, left the directory.
pub fn inspector_marks(lang: Lang, i: &InspectorRow) -> AnyView {
    let expired = i.expired.then(|| {
        view! {
            " "
            <strong class="tag tag-warn">{lang.pick("执法证已过期", "certificate expired")}</strong>
        }
    });
    let left = (i.status == InspectorStatus::Left).then(|| {
        view! {
            " "
            <strong class="tag tag-old">{lang.pick("已调离", "left the directory")}</strong>
        }
    });
    view! { {expired}{left} }.into_any()
}

/// A table of inspectors (current versions).
#[component]
pub fn InspectorTable(inspectors: Vec<InspectorRow>) -> impl IntoView {
    let lang = use_lang();
    let headers = [
        lang.pick("姓名", "Name"),
        lang.pick("执法证号", "Certificate"),
        lang.pick("单位", "Unit"),
        lang.pick("岗位", "Post"),
        lang.pick("资格", "Qualifications"),
        lang.pick("执法证有效期", "Certificate valid"),
    ];
    let rows = inspectors
        .into_iter()
        .map(|i| {
            let marks = inspector_marks(lang, &i);
            let validity = format!("{} – {}", i.valid_from, i.valid_until);
            view! {
                <tr class:row-warn=i.expired>
                    <td data-label=headers[0]>
                        <A href=format!("/inspectors/{}", i.certificate)>{i.name.clone()}</A>
                        {marks}
                    </td>
                    <td data-label=headers[1]>
                        <code>{i.certificate.clone()}</code>
                    </td>
                    <td data-label=headers[2]>{i.unit.clone()}</td>
                    <td data-label=headers[3]>{i.post.clone()}</td>
                    <td data-label=headers[4]>{joined(lang, &i.qualifications)}</td>
                    <td data-label=headers[5]>{validity}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <DataTable
            caption=lang.pick("执法检查人员", "Inspectors")
            class="stack"
            caption_hidden=true
            headers=headers.to_vec()
        >
            {rows}
        </DataTable>
    }
}

#[component]
pub fn InspectorsPage() -> impl IntoView {
    let lang = use_lang();
    let query = use_list_query();
    let data = Resource::new(move || query.get(), inspectors_page);
    view! {
        <PageHead
            heading=lang.pick("执法检查人员名录", "Inspector directory")
            lead=lang.pick(
                "检查人员从这份名录中随机选派。执法证过期的人员不参加抽取。",
                "Inspectors are drawn at random from this directory. Inspectors whose certificate has expired are not drawn.",
            )
        />
        {loaded(
            data,
            move |(page, departments, units, qualifications)| {
                let q = query.get_untracked();
                let opts = |list: Vec<String>| list.into_iter().map(|u| (u.clone(), u)).collect::<Vec<_>>();
                let statuses = vec![
                    ("active".to_owned(), lang.pick("在册且执法证有效", "active, valid certificate").to_owned()),
                    ("expired".to_owned(), lang.pick("执法证已过期", "certificate expired").to_owned()),
                    ("left".to_owned(), lang.pick("已调离", "left").to_owned()),
                ];
                let list = paged_list(
                    page,
                    &q,
                    ListAt { page: "/inspectors", api: "/api/inspectors" },
                    lang.pick("没有符合条件的检查人员。", "No inspector matches."),
                    |rows| view! { <InspectorTable inspectors=rows/> }.into_any(),
                );
                view! {
                    <FilterForm action="/inspectors" label=lang.pick("查询检查人员", "Search inspectors")>
                        <TextField name="q" label=lang.pick("姓名或执法证号", "Name or certificate") value=q.q.clone()/>
                        <DepartmentField departments=departments value=q.department.clone()/>
                        <SelectField name="unit" label=lang.pick("单位", "Unit") value=q.unit.clone() options=opts(units)/>
                        <SelectField
                            name="qualification"
                            label=lang.pick("资格", "Qualification")
                            value=q.qualification.clone()
                            options=opts(qualifications)
                        />
                        <SelectField
                            name="status"
                            label=lang.pick("状态", "Status")
                            value=q.status.clone()
                            options=statuses
                        />
                    </FilterForm>
                    {list}
                }
                    .into_any()
            },
        )}
    }
}
