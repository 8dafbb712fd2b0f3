//! `/`: what Gongkai is, how verification works, and the latest draws, results and plans.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::api::portal::home_page;
use crate::components::charts::data_text;
use crate::components::load::loaded;
use crate::glossary::TERMS;
use crate::i18n::{Lang, use_lang};
use crate::pages::draw::TimeBoth;
use crate::pages::draws::DrawTable;
use crate::pages::plans::PlanTable;
use crate::pages::results::ResultTable;
use crate::report::Share;
use crate::types::{DrawSummary, Home, YearFigures};
use crate::view::{CommitmentView, RandomnessKind};

#[component]
pub fn HomePage() -> impl IntoView {
    let lang = use_lang();
    let home = Resource::new(|| (), |_| home_page());
    view! {
        <Title text=home_title(lang)/>
        <section class="intro" aria-labelledby="intro-title">
            <h1 id="intro-title">
                {lang.pick("公开：每一次随机抽查，人人都能验证", "Gongkai: every random inspection draw, verifiable by anyone")}
            </h1>
            <p class="lead">
                {lang.pick(
                    "公开（Gongkai）是“双随机、一公开”抽查的公示与验证平台。监管部门在这里公布每一次抽取的全部输入、公共随机数和结果；您可以在自己的浏览器里重新计算，确认抽中的企业和检查人员没有被人为挑选。",
                    "Gongkai is a disclosure and verification portal for China's \"double random, one public\" inspections. Regulators publish every input, the public randomness and the result of each draw here; you can recompute the draw in your own browser and confirm that nobody hand-picked the enterprises or the inspectors.",
                )}
            </p>
            <form class="site-search" action="/enterprises" method="get" role="search">
                <label for="site-q">{lang.pick("查询企业", "Find an enterprise")}</label>
                <div class="site-search-row">
                    <input
                        id="site-q"
                        name="q"
                        type="search"
                        autocomplete="off"
                        aria-describedby="site-q-hint"
                        maxlength="100"
                    />
                    <button type="submit">{lang.pick("查询", "Search")}</button>
                </div>
                <p id="site-q-hint" class="hint">
                    {lang.pick(
                        "输入企业名称（任意连续的几个字）或 18 位统一社会信用代码，查看它是否被抽中、检查结果和整改情况。",
                        "Any part of an enterprise's name, or its 18-character unified social credit code: see whether it was drawn, its inspection results and its rectification.",
                    )}
                </p>
            </form>
        </section>
        {loaded(
            home,
            move |home: Home| {
                view! {
                    <YearFiguresSection figures=home.figures/>
                    <NextDraw draw=home.next_draw/>
                }
                    .into_any()
            },
        )}

        <section aria-labelledby="what-title">
            <h2 id="what-title">{lang.pick("什么是“双随机、一公开”", "What \"double random, one public\" means")}</h2>
            <p>
                {lang.pick(
                    "市场监管等部门开展日常检查时，从检查对象名录库中随机抽取被检查的企业，从执法检查人员名录库中随机选派检查人员，并及时向社会公开抽查情况和查处结果。",
                    "When market regulation and other departments run routine inspections, they draw the inspected enterprises at random from the object directory, draw the inspectors at random from the inspector directory, and publish the draw and the results promptly.",
                )}
            </p>
            <p>
                {lang.pick(
                    "规则还要求：每家企业至少由两名检查人员检查；与企业有利害关系的检查人员应当回避；同一企业一年内被抽查不超过两次，已被上级部门或本部门其他单位检查的企业不再重复抽取。",
                    "The rules also require at least two inspectors per enterprise, recusal of inspectors with an interest in the enterprise, at most two inspections of one enterprise a year, and no repeat draw of an enterprise already inspected this year by a higher-level department or another unit.",
                )}
            </p>
        </section>

        <section aria-labelledby="how-title">
            <h2 id="how-title">{lang.pick("如何验证一次抽取", "How a draw is verified")}</h2>
            <ol class="how-steps">
                <li>
                    <strong>{lang.pick("承诺：", "Commitment: ")}</strong>
                    {lang.pick(
                        "抽取之前，部门公布一个承诺值——对企业名录、排除及其原因、检查人员、回避声明、抽查比例和算法版本的 SHA-256 哈希。此后任何改动都会改变承诺值。",
                        "Before the draw, the department publishes a commitment: the SHA-256 hash of the object pool, the exclusions and their reasons, the inspectors, the declared conflicts, the ratios and the algorithm version. Any later change alters it.",
                    )}
                </li>
                <li>
                    <strong>{lang.pick("公共随机源：", "Public randomness: ")}</strong>
                    {lang.pick(
                        "承诺中事先指定一个当时还不存在的公共随机数，例如某一轮 drand 随机信标。任何人（包括部门工作人员）都无法预知或挑选它。",
                        "The commitment names public randomness that did not exist yet, such as a future drand beacon round. Nobody, the department's staff included, can know or choose it in advance.",
                    )}
                </li>
                <li>
                    <strong>{lang.pick("种子：", "Seed: ")}</strong>
                    {lang.pick(
                        "种子 = SHA-256(承诺值、随机数、抽取编号)。抽中哪些企业、派哪些检查人员，全部由种子按公开的规范确定。",
                        "seed = SHA-256(commitment, randomness, draw id). Which enterprises are drawn and which inspectors go follows from the seed by the published spec.",
                    )}
                </li>
                <li>
                    <strong>{lang.pick("重新计算：", "Recompute: ")}</strong>
                    {lang.pick(
                        "打开任意一次抽取，点击“在浏览器中验证”，您的浏览器会下载记录并用 WebAssembly 重新计算；也可以用命令行工具离线验证，或依据规范自行编写程序。",
                        "Open any draw and press \"Verify in your browser\": your browser downloads the record and recomputes it in WebAssembly. You can also verify offline with the command-line tool, or write your own program from the spec.",
                    )}
                </li>
            </ol>
        </section>

        <section aria-labelledby="latest-title">
            <h2 id="latest-title">{lang.pick("最新公布", "Latest publications")}</h2>
            {loaded(
                home,
                move |home: Home| {
                    let latest = home.latest;
                    view! {
                        <section aria-labelledby="draws-title">
                            <h3 id="draws-title">{lang.pick("已公布的抽取", "Published draws")}</h3>
                            <DrawList draws=latest.draws/>
                            <p>
                                <A href="/draws">{lang.pick("全部抽取 ›", "All draws ›")}</A>
                            </p>
                        </section>
                        <section aria-labelledby="results-title">
                            <h3 id="results-title">{lang.pick("最新检查结果", "Latest inspection results")}</h3>
                            {if latest.results.is_empty() {
                                view! { <p>{lang.pick("尚未公布检查结果。", "No result has been published yet.")}</p> }
                                    .into_any()
                            } else {
                                view! {
                                    <ResultTable
                                        results=latest.results
                                        caption=lang.pick("最新检查结果", "Latest inspection results")
                                    />
                                }
                                    .into_any()
                            }}
                            <p>
                                <A href="/results">{lang.pick("全部检查结果 ›", "All results ›")}</A>
                            </p>
                        </section>
                        <section aria-labelledby="plans-title">
                            <h3 id="plans-title">{lang.pick("最新年度检查计划", "Latest annual plans")}</h3>
                            {if latest.plans.is_empty() {
                                view! { <p>{lang.pick("尚未公布年度检查计划。", "No plan has been published yet.")}</p> }
                                    .into_any()
                            } else {
                                view! {
                                    <PlanTable
                                        plans=latest.plans
                                        caption=lang.pick("最新年度检查计划", "Latest annual plans")
                                    />
                                }
                                    .into_any()
                            }}
                            <p>
                                <A href="/plans">{lang.pick("全部年度检查计划 ›", "All annual plans ›")}</A>
                            </p>
                        </section>
                    }
                        .into_any()
                },
            )}
        </section>

        <section aria-labelledby="glossary-title">
            <h2 id="glossary-title">{lang.pick("术语表（中英对照）", "Glossary (Chinese–English)")}</h2>
            <dl class="glossary">
                {TERMS
                    .iter()
                    .map(|term| {
                        view! {
                            <div class="term">
                                <dt>
                                    <span lang="zh-CN">{term.zh}</span>
                                    " — "
                                    <span lang="en">{term.en}</span>
                                </dt>
                                <dd>{term.note(lang)}</dd>
                            </div>
                        }
                    })
                    .collect_view()}
            </dl>
        </section>
    }
}

/// This year's and last year's figures across the portal.
#[component]
fn YearFiguresSection(figures: Vec<YearFigures>) -> impl IntoView {
    let lang = use_lang();
    let empty_now = figures.first().filter(|f| f.results == 0).map(|f| {
        let text = match lang {
            Lang::Zh => format!(
                "{} 年尚未公布检查结果：结果在每次检查完成后公示，当年的抽取完成后陆续公布。",
                f.year
            ),
            Lang::En => format!(
                "No result of {} has been published yet: results are published after each inspection, as the year's draws are carried out.",
                f.year
            ),
        };
        view! { <p>{text}</p> }
    });
    let rows = figures
        .into_iter()
        .map(|f| {
            let problem_rate = Share { num: f.problems, den: f.results }.percent();
            let rectified = Share { num: f.rectified, den: f.rectifications }.percent();
            let year = match lang {
                Lang::Zh => format!("{} 年", f.year),
                Lang::En => f.year.to_string(),
            };
            view! {
                <tr>
                    <th scope="row">
                        <A href=format!("/results?year={}", f.year)>{year}</A>
                    </th>
                    <td class="num">{f.draws}</td>
                    <td class="num">{f.results}</td>
                    <td class="num">{problem_rate}</td>
                    <td class="num">{rectified}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="figures-title" class="year-figures">
            <h2 id="figures-title">{lang.pick("今年的抽查", "This year's inspections")}</h2>
            {empty_now}
            <div class="table-wrap">
                <table>
                    <caption class="visually-hidden">{lang.pick("本年度和上年度的抽查数字", "This year's and last year's figures")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("年度", "Year")}</th>
                            <th scope="col">{lang.pick("抽取次数", "Draws")}</th>
                            <th scope="col">{lang.pick("已公示检查结果", "Published results")}</th>
                            <th scope="col">{lang.pick("发现问题率", "Problem rate")}</th>
                            <th scope="col">{lang.pick("整改完成率", "Rectified")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="muted">
                {lang.pick(
                    "发现问题率：结果类别属于发现问题的检查结果所占比例；整改完成率：需要整改的结果中已整改完毕的比例。按检查日期计年度，更正后按现行版本计算。",
                    "Problem rate: the share of results in a category with a problem. Rectified: the share of the results with something to put right that has been put right. Years by inspection date; corrected results count as their current version.",
                )}
                " "
                <A href="/reports">{lang.pick("各部门年度计划执行报告 ›", "Each department's execution reports ›")}</A>
            </p>
        </section>
    }
}

/// The next draw awaiting its randomness, with the time the randomness comes.
#[component]
fn NextDraw(draw: Option<CommitmentView>) -> impl IntoView {
    let lang = use_lang();
    let Some(draw) = draw else {
        return view! {
            <section aria-labelledby="next-title" class="next-draw">
                <h2 id="next-title">{lang.pick("下一次抽取", "The next draw")}</h2>
                <p>{lang.pick("目前没有等待随机数的抽取。", "No draw is waiting for its randomness now.")}</p>
            </section>
        }
        .into_any();
    };
    let when = match draw.randomness.clone() {
        RandomnessKind::Drand { round, time } => view! {
            {lang.pick("drand 随机信标第 ", "drand beacon round ")}
            {round}
            {lang.pick(" 轮，", ", emitted at ")}
            <TimeBoth value=Some(time)/>
        }
        .into_any(),
        RandomnessKind::PublicNumbers { description, date } => view! {
            {data_text(description)}
            {lang.pick("，开奖日期 ", ", drawn on ")}
            <time datetime=date.clone()>{date.clone()}</time>
        }
        .into_any(),
        RandomnessKind::Demo { .. } => view! {
            {lang.pick(
                "演示随机数（由发布者选定，不是公共随机信标，没有可核实的产生时间）",
                "demo randomness (chosen by the publisher, not a public beacon; it has no verifiable time)",
            )}
        }
        .into_any(),
    };
    view! {
        <section aria-labelledby="next-title" class="next-draw">
            <h2 id="next-title">{lang.pick("下一次抽取", "The next draw")}</h2>
            <p>
                <A href=format!("/draws/{}", draw.id)>{data_text(draw.title.clone())}</A>
                " · "
                {data_text(draw.department.clone())}
            </p>
            <p>
                {lang.pick("承诺值已公布；抽取将使用：", "Its commitment is published; it will use ")}
                {when}
                {lang.pick("。", ".")}
            </p>
        </section>
    }
    .into_any()
}

#[component]
fn DrawList(draws: Vec<DrawSummary>) -> impl IntoView {
    let lang = use_lang();
    if draws.is_empty() {
        return view! { <p>{lang.pick("尚未公布任何抽取。", "No draw has been published yet.")}</p> }.into_any();
    }
    view! { <DrawTable draws=draws caption=lang.pick("已公布的抽取", "Published draws")/> }.into_any()
}

/// The home page's title.
pub fn home_title(lang: Lang) -> &'static str {
    lang.pick("公开 · 双随机、一公开抽查公示与验证", "Gongkai · publishing and verifying random inspections")
}
