//! `/spec`: the draw protocol's specification (`draw/SPEC.md`) as a page,
//! with an introduction for readers who do not program; the file itself is
//! at `/spec.md`.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::i18n::use_lang;

/// The specification rendered to HTML (on the server, once).
#[server]
pub async fn spec_html() -> Result<String, ServerFnError> {
    Ok(rendered().to_owned())
}

/// `draw/SPEC.md` as HTML: CommonMark with tables. The file is the project's
/// own (no outside input), and its raw HTML, if any, is escaped all the same.
#[cfg(feature = "ssr")]
pub fn rendered() -> &'static str {
    use std::sync::LazyLock;
    static HTML: LazyLock<String> = LazyLock::new(|| {
        use pulldown_cmark::{Event, HeadingLevel, Options, Parser, Tag, TagEnd, html};
        // The page has its own h1: the file's headings go one level down.
        let down = |level: HeadingLevel| match level {
            HeadingLevel::H1 => HeadingLevel::H2,
            HeadingLevel::H2 => HeadingLevel::H3,
            HeadingLevel::H3 => HeadingLevel::H4,
            HeadingLevel::H4 => HeadingLevel::H5,
            _ => HeadingLevel::H6,
        };
        let text = include_str!("../../../draw/SPEC.md");
        // Wide tables scroll inside a region that the keyboard can reach.
        let events = Parser::new_ext(text, Options::ENABLE_TABLES).flat_map(|e| match e {
            Event::Html(raw) | Event::InlineHtml(raw) => vec![Event::Text(raw)],
            Event::Start(Tag::Heading { level, id, classes, attrs }) => {
                vec![Event::Start(Tag::Heading { level: down(level), id, classes, attrs })]
            }
            Event::End(TagEnd::Heading(level)) => vec![Event::End(TagEnd::Heading(down(level)))],
            Event::Start(Tag::Table(align)) => {
                vec![Event::Html(r#"<div class="table-scroll" tabindex="0">"#.into()), Event::Start(Tag::Table(align))]
            }
            Event::End(TagEnd::Table) => vec![Event::End(TagEnd::Table), Event::Html("</div>".into())],
            other => vec![other],
        });
        let mut out = String::with_capacity(text.len() * 2);
        html::push_html(&mut out, events);
        out
    });
    &HTML
}

#[component]
pub fn SpecPage() -> impl IntoView {
    let lang = use_lang();
    let html = Resource::new(|| (), |_| spec_html());
    view! {
        <Title text=lang.pick("抽取协议规范 · 公开", "Draw protocol spec · Gongkai")/>
        <article class="spec">
            <h1>{lang.pick("抽取协议规范", "The draw protocol")}</h1>
            <section class="spec-intro" aria-labelledby="spec-intro-title">
                <h2 id="spec-intro-title">{lang.pick("简要说明", "In short")}</h2>
                <ol>
                    <li>
                        {lang.pick(
                            "抽取前，部门公布全部输入（检查对象名录、执法检查人员名录、本年已检查记录和抽取规则）及其“承诺值”——输入的指纹（SHA-256）。之后任何输入被改动，承诺值都会不同。",
                            "Before the draw, the department publishes all of its inputs (the objects, the inspectors, this year's inspections and the rules) and their commitment: a fingerprint (SHA-256) of the inputs. Any later change to an input changes the commitment.",
                        )}
                    </li>
                    <li>
                        {lang.pick(
                            "承诺时指定一个将来才产生的公共随机数（drand 随机信标的某一轮）。承诺时谁都不知道它，因此无法挑选有利的输入。",
                            "The commitment names a public random number that does not exist yet (a future round of the drand beacon). Nobody knows it when committing, so nobody can choose inputs that favour an outcome.",
                        )}
                    </li>
                    <li>
                        {lang.pick(
                            "随机数产生后，由承诺值和随机数算出“种子”，再按规范的步骤抽出企业和检查人员。每一步都是确定的：同样的输入和随机数，任何人算出的结果都相同。",
                            "Once the random number exists, a seed is computed from the commitment and the random number, and the enterprises and inspectors are drawn by the spec's steps. Every step is deterministic: with the same inputs and random number, anyone gets the same result.",
                        )}
                    </li>
                    <li>
                        {lang.pick(
                            "因此任何人都可以重算并核对：在浏览器中，用命令行工具，或依据下面的规范自行编写程序。",
                            "So anyone can recompute and check: in the browser, with the command-line tool, or with their own program written from the spec below.",
                        )}
                        " "
                        <a href="/tools">{lang.pick("自行验证", "Verify it yourself")}</a>
                    </li>
                </ol>
                <p>
                    {lang.pick(
                        "以下规范原文为英文，供编写验证程序的读者使用。",
                        "The specification follows, for readers who write a verifier.",
                    )}
                    " "
                    <a href="/spec.md" download="SPEC.md" rel="external">
                        {lang.pick("下载原文（Markdown）", "Download the file (Markdown)")}
                    </a>
                </p>
            </section>
            <Suspense fallback=move || view! { <p>{lang.pick("正在加载…", "Loading…")}</p> }>
                {move || Suspend::new(async move {
                    match html.await {
                        Ok(h) => view! { <div class="spec-text" lang="en" inner_html=h></div> }.into_any(),
                        Err(_) => view! { <crate::components::ErrorNotice/> }.into_any(),
                    }
                })}
            </Suspense>
        </article>
    }
}
