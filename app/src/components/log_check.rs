//! "公示日志第 N 条": a record version's entry in the publication log, and the
//! browser's check of it (`public/log-check.js`, plain JavaScript; not the draw
//! verifier): the checkpoint's signature and its witnesses' cosignatures, the
//! entry's inclusion proof, the content's hash, and consistency with the
//! checkpoint this browser saw last. The witnesses' earliest cosignatures of
//! the entry are listed: for a draw commitment, compared with the time of the
//! randomness it waits for.

use leptos::prelude::*;

use crate::api::portal::log_entry;
use crate::i18n::{Lang, use_lang};
use crate::types::LogIdentity;
use crate::view::ShownTime;

/// The module that checks every `.log-check` section of a page.
pub const LOG_CHECK_URL: &str = "/log-check.js";

/// The log entry of version `version` of `kind` `key` (docs/LOG.md), with its
/// check; nothing when that version is not logged. For a draw commitment,
/// `randomness_at` (Unix seconds) is when its randomness came into existence.
#[component]
pub fn LogCheck(
    kind: &'static str,
    key: String,
    version: i64,
    #[prop(default = None)] randomness_at: Option<i64>,
) -> impl IntoView {
    let lang = use_lang();
    let identity = use_context::<LogIdentity>().unwrap_or_default();
    let entry = Resource::new(|| (), move |_| log_entry(kind.to_owned(), key.clone(), version));
    let title = match kind {
        "draw-commitment" => lang.pick("公示日志：抽取承诺", "Publication log: the draw commitment"),
        _ => lang.pick("公示日志", "Publication log"),
    };
    view! {
        <Suspense fallback=|| ()>
            {move || {
                let identity = identity.clone();
                Suspend::new(async move {
                    let Ok(Some(e)) = entry.await else { return ().into_any() };
                    let n = e.index + 1;
                    let text = e.entry.clone();
                    let cosigned = cosigned_list(lang, &e.cosigned, randomness_at);
                    view! {
                        <section
                            class="log-check"
                            data-log-index=e.index.to_string()
                            data-log-entry=e.entry.clone()
                            data-log-key=identity.verifier_key.clone()
                            data-log-witnesses=identity.witnesses.join(" ")
                            data-log-quorum=identity.quorum.to_string()
                        >
                            <h2>{title}</h2>
                            <p>
                                {match lang {
                                    Lang::Zh => format!("本版本是公示日志第 {n} 条记录。"),
                                    Lang::En => format!("This version is entry {n} of the publication log."),
                                }}
                                " "
                                <a href="/log">{lang.pick("公示日志是什么", "What the publication log is")}</a>
                            </p>
                            {cosigned}
                            <p class="log-status" role="status" data-state="idle">
                                {lang.pick(
                                    "在浏览器中核对本条记录需要启用 JavaScript；也可以按 docs/LOG.md 用自己的程序核对。",
                                    "Checking this entry in your browser needs JavaScript; you can also check it with your own code (docs/LOG.md).",
                                )}
                            </p>
                            <div class="log-evidence" hidden></div>
                            <details>
                                <summary>{lang.pick("日志记录原文", "The entry's text")}</summary>
                                <pre class="log-entry">{text}</pre>
                            </details>
                        </section>
                        <script type="module" src=LOG_CHECK_URL></script>
                    }
                        .into_any()
                })
            }}
        </Suspense>
    }
}

/// The witnesses that cosigned a checkpoint holding the entry, each with its
/// earliest such time; with `randomness_at`, whether that came first.
fn cosigned_list(lang: Lang, cosigned: &[(String, i64)], randomness_at: Option<i64>) -> AnyView {
    if cosigned.is_empty() {
        return ().into_any();
    }
    let items = cosigned
        .iter()
        .map(|(witness, time)| {
            let t = ShownTime::from_unix(*time);
            let order = randomness_at.map(|r| {
                let before = *time < r;
                let text = match (lang, before) {
                    (Lang::Zh, true) => "，早于随机数的产生时间：第三方证明承诺在随机数出现之前已经公布。",
                    (Lang::Zh, false) => "，不早于随机数的产生时间，不能据此证明承诺在先。",
                    (Lang::En, true) => {
                        ", before the randomness existed: third-party evidence that the commitment was published first."
                    }
                    (Lang::En, false) => ", not before the randomness existed: no evidence from this witness that the commitment came first.",
                };
                view! { <span class:order-ok=before class:order-bad=!before>{text}</span> }
            });
            view! {
                <li>
                    <code>{witness.clone()}</code>
                    {lang.pick(" 最早于 ", " first cosigned a checkpoint holding it at ")}
                    <time datetime=t.utc.clone()>{lang.pick("北京时间 ", "Beijing ")}{t.beijing.clone()}</time>
                    {lang.pick(" 联署了包含本记录的检查点", "")}
                    {order}
                </li>
            }
        })
        .collect_view();
    view! {
        <p>{lang.pick("见证者的联署：", "Cosigned by the log's witnesses:")}</p>
        <ul class="log-cosigned">{items}</ul>
    }
    .into_any()
}
