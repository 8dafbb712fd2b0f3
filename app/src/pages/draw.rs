//! `/draws/{id}`: one published draw, its timeline, result and verification.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::get_draw;
use crate::components::verify::VerifyPanel;
use crate::components::{ErrorNotice, set_status};
use crate::i18n::use_lang;
use crate::pages::not_found::NotFoundContent;
use crate::view::{AllocationView, DrawView, RandomnessKind, StratumView};

#[component]
pub fn DrawPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let id = move || params.read().get("id").unwrap_or_default();
    let draw = Resource::new(id, get_draw);
    view! {
        <Suspense fallback=move || view! { <p>{lang.pick("正在加载…", "Loading…")}</p> }>
            {move || Suspend::new(async move {
                match draw.await {
                    Ok(Some(view)) => view! { <DrawDetails draw=view/> }.into_any(),
                    Ok(None) => view! { <NotFoundContent what=id()/> }.into_any(),
                    Err(_) => {
                        set_status(500);
                        view! { <ErrorNotice/> }.into_any()
                    }
                }
            })}
        </Suspense>
    }
}

#[component]
fn DrawDetails(draw: DrawView) -> impl IntoView {
    let lang = use_lang();
    let record_url = format!("/api/draws/{}/record.json", draw.id);
    let record_file = format!("{}.record.json", draw.id);
    let title = format!("{} · {}", draw.title, lang.pick("公开", "Gongkai"));
    let is_demo = draw.randomness.is_demo();
    let ancestors = (!draw.ancestors.is_empty()).then(|| draw.ancestors.join(" › "));

    let demo_banner = is_demo.then(|| {
        view! {
            <div class="notice notice-demo" role="note">
                <p>
                    <strong>{lang.pick("演示随机数", "Demo randomness")}</strong>
                    {lang.pick(
                        "：本次抽取使用的随机数由发布方自行选定，不是真正的公共随机信标，不能证明抽取未被操纵。仅供演示。",
                        ": this draw's randomness was chosen by the publisher. It is not a real public beacon and cannot prove the draw was not steered. For demonstration only.",
                    )}
                </p>
            </div>
        }
    });

    let randomness = match &draw.randomness.kind {
        RandomnessKind::Drand { round, time } => view! {
            <p>
                {lang.pick("drand quicknet 随机信标第 ", "drand quicknet beacon round ")}
                <strong>{*round}</strong>
                {lang.pick(" 轮，产生时间 ", ", emitted at ")}
                <time>{time.clone()}</time>
            </p>
        }
        .into_any(),
        RandomnessKind::PublicNumbers { description, date } => view! {
            <p>
                {lang.pick("公开数字：", "Public numbers: ")}
                {description.clone()}
                " ("
                <time>{date.clone()}</time>
                ")"
            </p>
        }
        .into_any(),
        RandomnessKind::Demo { label } => view! {
            <p>
                <strong class="demo-tag">
                    {lang.pick("演示随机数 — 不是真正的公共随机信标", "Demo randomness — not a real public beacon")}
                </strong>
                " ("
                {label.clone()}
                ")"
            </p>
        }
        .into_any(),
    };

    let allocation = match draw.allocation {
        AllocationView::Ratio => {
            lang.pick("按各分层抽查比例抽取（向上取整）", "each stratum by its sampling ratio (rounded up)").to_owned()
        }
        AllocationView::Total { count, min_one_per_stratum } => match (lang, min_one_per_stratum) {
            (crate::i18n::Lang::Zh, true) => {
                format!("共抽取 {count} 户，按符合条件的企业数分配到各分层，每个分层至少 1 户")
            }
            (crate::i18n::Lang::Zh, false) => format!("共抽取 {count} 户，按符合条件的企业数分配到各分层"),
            (crate::i18n::Lang::En, true) => format!(
                "{count} objects in all, shared in proportion to the eligible objects, at least one per stratum"
            ),
            (crate::i18n::Lang::En, false) => {
                format!("{count} objects in all, shared in proportion to the eligible objects")
            }
        },
    };
    let total_selected = draw.selected_count();
    let summary = match lang {
        crate::i18n::Lang::Zh => format!(
            "名录库共 {} 户企业、{} 名检查人员；本次抽中 {} 户企业，每户派 {} 名检查人员。",
            draw.object_count, draw.inspector_count, total_selected, draw.team_size
        ),
        crate::i18n::Lang::En => format!(
            "The pool has {} enterprises and {} inspectors; {} enterprises were drawn, with {} inspectors each.",
            draw.object_count, draw.inspector_count, total_selected, draw.team_size
        ),
    };
    let directed = draw.directed.clone().map(|cats| {
        view! {
            <p>
                {lang.pick("定向抽取，仅限类别：", "Directed draw, categories: ")}
                {cats.join("、")}
            </p>
        }
    });

    let strata = draw.strata.iter().cloned().map(|s| view! { <StratumSection stratum=s/> }).collect_view();

    let exclusions = if draw.exclusions.is_empty() {
        view! { <p>{lang.pick("本次抽取没有排除任何企业。", "No enterprise was excluded from this draw.")}</p> }
            .into_any()
    } else {
        let rows = draw
            .exclusions
            .iter()
            .map(|e| {
                view! {
                    <tr>
                        <td>{lang.pick(&e.zh, &e.en).to_owned()}" "<code class="muted">{e.code.clone()}</code></td>
                        <td class="num">{e.count}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table>
                    <caption>{lang.pick("按原因统计的排除企业数", "Excluded enterprises by reason")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("原因", "Reason")}</th>
                            <th scope="col">{lang.pick("企业数", "Enterprises")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    let recusals = if draw.recusals.is_empty() {
        view! { <p>{lang.pick("本次抽取没有回避。", "There were no recusals in this draw.")}</p> }.into_any()
    } else {
        let rows = draw
            .recusals
            .iter()
            .map(|r| {
                view! {
                    <tr>
                        <td><code>{r.object.clone()}</code></td>
                        <td><code>{r.inspector.clone()}</code></td>
                        <td><code>{r.replacement.clone()}</code></td>
                        <td>{r.reason.clone()}</td>
                        <td><time>{r.date.clone()}</time></td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <div class="table-wrap">
                <table>
                    <caption>{lang.pick("回避", "Recusals")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("统一社会信用代码", "Unified social credit code")}</th>
                            <th scope="col">{lang.pick("回避的检查人员（执法证号）", "Recused inspector (certificate)")}</th>
                            <th scope="col">{lang.pick("替换人员（执法证号）", "Replacement (certificate)")}</th>
                            <th scope="col">{lang.pick("理由", "Reason")}</th>
                            <th scope="col">{lang.pick("日期", "Date")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
        .into_any()
    };

    view! {
        <Title text=title/>
        <article class="draw">
            <nav class="crumbs" aria-label=lang.pick("位置", "Breadcrumb")>
                <A href="/">{lang.pick("首页", "Home")}</A>
                " › "
                <span>{lang.pick("抽取记录", "Draw record")}</span>
            </nav>
            <h1>{draw.title.clone()}</h1>
            <dl class="facts">
                <div>
                    <dt>{lang.pick("部门", "Department")}</dt>
                    <dd>
                        {draw.department.clone()}
                        {ancestors.map(|a| view! { <span class="muted">" ("{a}")"</span> })}
                    </dd>
                </div>
                <div>
                    <dt>{lang.pick("执行单位", "Unit")}</dt>
                    <dd>{draw.unit.clone()}</dd>
                </div>
                <div>
                    <dt>{lang.pick("抽取日期", "Draw date")}</dt>
                    <dd><time>{draw.draw_date.clone()}</time></dd>
                </div>
                <div>
                    <dt>{lang.pick("抽取编号", "Draw id")}</dt>
                    <dd><code>{draw.id.clone()}</code></dd>
                </div>
            </dl>
            {demo_banner}

            <section aria-labelledby="timeline-title">
                <h2 id="timeline-title">{lang.pick("时间线", "Timeline")}</h2>
                <ol class="timeline">
                    <li>
                        <h3>{lang.pick("① 承诺", "① Commitment")}</h3>
                        <p>
                            {lang.pick("承诺时间：", "Committed at: ")}
                            {match draw.committed_at.clone() {
                                Some(t) => view! { <time>{t}</time> }.into_any(),
                                None => lang.pick("未记录", "not recorded").into_any(),
                            }}
                        </p>
                        <p>
                            {lang.pick("承诺值（SHA-256）：", "Commitment (SHA-256): ")}
                            <code class="hash">{draw.commitment.clone()}</code>
                        </p>
                        <p>
                            {lang.pick("企业名录默克尔根：", "Object pool Merkle root: ")}
                            <code class="hash">{draw.objects_root.clone()}</code>
                        </p>
                    </li>
                    <li>
                        <h3>{lang.pick("② 随机源", "② Public randomness")}</h3>
                        {randomness}
                        <p>
                            {lang.pick("随机数：", "Randomness value: ")}
                            <code class="hash">{draw.randomness.value.clone()}</code>
                        </p>
                    </li>
                    <li>
                        <h3>{lang.pick("③ 结果", "③ Result")}</h3>
                        <p>
                            {lang.pick("种子：", "Seed: ")}
                            <code class="hash">{draw.seed.clone()}</code>
                        </p>
                        <p>
                            {lang.pick("公布时间：", "Published at: ")}
                            <time>{draw.published_at.clone()}</time>
                        </p>
                    </li>
                </ol>
            </section>

            <section aria-labelledby="result-title">
                <h2 id="result-title">{lang.pick("抽取结果", "Result")}</h2>
                <p>{summary}</p>
                <p>{lang.pick("分配方式：", "Allocation: ")}{allocation}</p>
                {directed}
                {strata}
            </section>

            <section aria-labelledby="exclusions-title">
                <h2 id="exclusions-title">{lang.pick("排除", "Exclusions")}</h2>
                {exclusions}
            </section>

            <section aria-labelledby="recusals-title">
                <h2 id="recusals-title">{lang.pick("回避", "Recusals")}</h2>
                {recusals}
            </section>

            <section aria-labelledby="verify-title" class="verify">
                <h2 id="verify-title">{lang.pick("验证", "Verify")}</h2>
                <p>
                    {lang.pick(
                        "按下按钮后，您的浏览器会下载本次抽取的完整记录，用 WebAssembly 按公开的规范重新计算种子、抽中的企业和检查组，并与公布的结果逐项比较。",
                        "The button downloads this draw's full record; your browser recomputes the seed, the drawn enterprises and the teams in WebAssembly following the published spec, and compares them with the published result.",
                    )}
                </p>
                <VerifyPanel id=draw.id.clone()/>
                <h3>{lang.pick("离线验证", "Verify offline")}</h3>
                <ol>
                    <li>
                        <a href=record_url.clone() download=record_file.clone() rel="external">
                            {lang.pick("下载抽取记录（JSON）", "Download the draw record (JSON)")}
                        </a>
                    </li>
                    <li>
                        {lang.pick("用命令行工具验证：", "Check it with the command-line tool: ")}
                        <code>{format!("server verify {record_file}")}</code>
                    </li>
                    <li>
                        {lang.pick("或依据", "Or write your own verifier from the ")}
                        <a href="/spec" rel="external">{lang.pick("抽取协议规范", "draw protocol spec")}</a>
                        {lang.pick("自行编写程序验证。", ".")}
                    </li>
                </ol>
            </section>
        </article>
    }
}

#[component]
fn StratumSection(stratum: StratumView) -> impl IntoView {
    let lang = use_lang();
    let counts = match lang {
        crate::i18n::Lang::Zh => format!(
            "名录库 {} 户，符合条件 {} 户，抽查比例 {}，应抽 {} 户，抽中 {} 户。",
            stratum.pool,
            stratum.eligible,
            stratum.ratio,
            stratum.quota,
            stratum.selected.len()
        ),
        crate::i18n::Lang::En => format!(
            "{} in the pool, {} eligible, ratio {}, quota {}, {} drawn.",
            stratum.pool,
            stratum.eligible,
            stratum.ratio,
            stratum.quota,
            stratum.selected.len()
        ),
    };
    let name = stratum.name.clone();
    let rows = stratum
        .selected
        .into_iter()
        .map(|s| {
            let name = name.clone();
            let team = s.team.into_iter().map(|cert| view! { <li><code>{cert}</code></li> }).collect_view();
            view! {
                <tr>
                    <td class="num">{s.position}</td>
                    <td><code class="credit-code">{s.object}</code></td>
                    <td>{name}</td>
                    <td><ul class="team">{team}</ul></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="stratum">
            <h3>
                {stratum.name.clone()}
                " "
                <small class="muted">{stratum.id.clone()}</small>
            </h3>
            <p>{counts}</p>
            <div class="table-wrap">
                <table class="selection">
                    <caption class="visually-hidden">{stratum.name.clone()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("序号", "No.")}</th>
                            <th scope="col">{lang.pick("统一社会信用代码", "Unified social credit code")}</th>
                            <th scope="col">{lang.pick("分层", "Stratum")}</th>
                            <th scope="col">{lang.pick("检查组（执法证号）", "Team (certificate numbers)")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}
