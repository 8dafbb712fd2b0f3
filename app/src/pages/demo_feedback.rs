//! `/demo/feedback` (demo mode only): feedback codes a visitor may try the
//! feedback form with. A real portal has none, and answers 404 here.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::portal::demo_feedback_page;
use crate::components::load::loaded;
use crate::components::set_status;
use crate::components::table::DataTable;
use crate::feedback::DemoCode;
use crate::i18n::{Lang, use_lang};
use crate::pages::not_found::NotFoundContent;

#[component]
pub fn DemoFeedbackPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| demo_feedback_page());
    view! {
        {loaded(data, move |codes: Vec<(DemoCode, Option<String>)>| {
            if codes.is_empty() {
                set_status(404);
                return view! { <NotFoundContent what="/demo/feedback".to_owned()/> }.into_any();
            }
            let rows = codes
                .into_iter()
                .map(|(c, closes)| {
                    let link = format!("/feedback?credit_code={}&code={}", c.credit_code, c.code.replace('-', ""));
                    let link = if lang == Lang::En { format!("{link}&lang=en") } else { link };
                    view! {
                        <tr>
                            <td>{c.enterprise_name.clone()}<br/><code>{c.credit_code.clone()}</code></td>
                            <td><a href=format!("/results/{}", c.result_code)>{c.result_code.clone()}</a></td>
                            <td>{c.delivered_on.clone().unwrap_or_default()}</td>
                            <td>{closes.unwrap_or_else(|| lang.pick("待定", "not yet known").to_owned())}</td>
                            <td><code class="code">{c.code.clone()}</code></td>
                            <td>{c.versions}</td>
                            <td><a href=link>{lang.pick("用这个评价码评价", "Try the form with this code")}</a></td>
                        </tr>
                    }
                })
                .collect_view();
            let headers = vec![
                lang.pick("企业", "Enterprise"),
                lang.pick("检查结果", "Result"),
                lang.pick("送达日期", "Delivered on"),
                lang.pick("评价期最后一天", "Last day of the window"),
                lang.pick("评价码", "Feedback code"),
                lang.pick("已提交版本", "Versions sent"),
                lang.pick("试用", "Try it"),
            ];
            view! {
                <Title text=format!("{} · {}", lang.pick("试用评价反馈（演示）", "Try the feedback form (demo)"), lang.pick("公开", "Gongkai"))/>
                <h1>{lang.pick("试用评价反馈（演示）", "Try the feedback form (demo)")}</h1>
                <div class="notice notice-demo">
                    <p>
                        {lang.pick(
                            "这是演示站点。下面的评价码属于一次演示抽查，检查结果在最近几个工作日内送达，评价期尚未结束，任何人都可以用来试用评价表。真实站点不会公开评价码：评价码只打印在交给企业的检查结果告知书上。",
                            "This is a demo portal. These codes belong to a demo inspection whose results were delivered in the last few working days, so their feedback windows are open: anyone may use them to try the form. A real portal never shows codes: they are printed only on the written result handed to the enterprise.",
                        )}
                    </p>
                </div>
                <DataTable caption=lang.pick("可试用的评价码", "Codes to try").to_owned() headers>{rows}</DataTable>
            }
                .into_any()
        })}
    }
}
