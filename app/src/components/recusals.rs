//! Public recusals (回避, 001 art. 18) as a table: on an inspector's page and
//! on an enterprise's page, not only on the draw's.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::table::DataTable;
use crate::i18n::{Lang, use_lang};
use crate::types::RecusalRow;

/// A person or enterprise by name (when the directory has one) and code, linked.
fn named(lang: Lang, href: String, name: Option<String>, code: String) -> impl IntoView {
    let label = match name {
        Some(n) if lang == Lang::Zh => format!("{n}（{code}）"),
        Some(n) => format!("{n} ({code})"),
        None => code,
    };
    view! { <A href=href>{label}</A> }
}

/// The recusals, newest first; says so when there are none.
#[component]
pub fn RecusalSection(recusals: Vec<RecusalRow>, #[prop(into)] empty: String) -> impl IntoView {
    let lang = use_lang();
    let body = if recusals.is_empty() {
        view! { <p>{empty}</p> }.into_any()
    } else {
        let rows = recusals
            .into_iter()
            .map(|r| {
                view! {
                    <tr>
                        <td>{r.date.clone()}</td>
                        <td><A href=format!("/draws/{}", r.draw_id)>{r.draw_title.clone()}</A></td>
                        <td>{named(lang, format!("/enterprises/{}", r.credit_code), r.enterprise.clone(), r.credit_code.clone())}</td>
                        <td>{named(lang, format!("/inspectors/{}", r.inspector), r.inspector_name.clone(), r.inspector.clone())}</td>
                        <td>{named(lang, format!("/inspectors/{}", r.replacement), r.replacement_name.clone(), r.replacement.clone())}</td>
                        <td>{r.reason.clone()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <DataTable
                caption=lang.pick("公开回避记录", "Published recusals")
                caption_hidden=true
                headers=vec![
                    lang.pick("日期", "Date"),
                    lang.pick("抽取", "Draw"),
                    lang.pick("企业", "Enterprise"),
                    lang.pick("回避的检查人员", "Inspector who recused"),
                    lang.pick("重新抽取的检查人员", "Replacement drawn"),
                    lang.pick("回避理由", "Reason"),
                ]
            >
                {rows}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="recusals-title">
            <h2 id="recusals-title">{lang.pick("回避", "Recusals")}</h2>
            {body}
        </section>
    }
}
