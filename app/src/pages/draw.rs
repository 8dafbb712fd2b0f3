//! `/draws/{id}`: one published draw, its timeline, result and verification.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::get_draw;
use crate::components::log_check::LogCheck;
use crate::components::lookup::LookupPanel;
use crate::components::verify::{CommitmentCheck, VerifyPanel};
use crate::components::{ErrorNotice, set_status};
use crate::i18n::use_lang;
use crate::pages::not_found::NotFoundContent;
use crate::view::{
    AllocationView, CommitmentView, DirectoryNames, DrawLinks, DrawPageData, DrawView, RandomnessKind, ShownTime,
    StratumView,
};

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
                    Ok(Some(DrawPageData::Drawn(view, names, links))) => {
                        view! { <DrawDetails draw=*view names=names links=links/> }.into_any()
                    }
                    Ok(Some(DrawPageData::Awaiting(view))) => view! { <AwaitingDetails draw=*view/> }.into_any(),
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
fn DrawDetails(draw: DrawView, names: DirectoryNames, links: DrawLinks) -> impl IntoView {
    let lang = use_lang();
    let log_key = draw.id.clone();
    let randomness_unix = draw.randomness.kind.time().map(|t| t.unix);
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
                <TimeBoth value=Some(time.clone())/>
            </p>
        }
        .into_any(),
        RandomnessKind::PublicNumbers { description, date } => view! {
            <p>
                {lang.pick("公开数字：", "Public numbers: ")}
                {description.clone()}
                {lang.pick("（开奖日期 ", " (drawn on ")}
                <time datetime=date.clone()>{date.clone()}</time>
                {lang.pick("，北京时间）", ", Beijing date)")}
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
            <p>{lang.pick("演示随机数没有可核实的产生时间。", "Demo randomness has no verifiable time of emission.")}</p>
        }
        .into_any(),
    };
    let order = commitment_order(lang, draw.committed_at.as_deref(), &draw.randomness.kind);

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

    let lookup_strata: Vec<(String, String)> = draw.strata.iter().map(|s| (s.id.clone(), s.name.clone())).collect();
    // At a glance: each stratum's drawn count against its eligible, linked to its table.
    let glance = draw
        .strata
        .iter()
        .enumerate()
        .map(|(k, s)| {
            let drawn = s.selected.len() as u64;
            let text = match lang {
                crate::i18n::Lang::Zh => {
                    format!("抽中 {drawn} 户（符合条件 {} 户，{}）", s.eligible, percent(drawn, s.eligible))
                }
                crate::i18n::Lang::En => {
                    format!("{drawn} drawn ({} eligible, {})", s.eligible, percent(drawn, s.eligible))
                }
            };
            view! {
                <li>
                    <a href=format!("#stratum-{}", k + 1)>{s.name.clone()}</a>
                    {lang.pick("：", ": ")}
                    {text}
                </li>
            }
        })
        .collect_view();
    let published_results = links.results.len();
    let results_text = match lang {
        crate::i18n::Lang::Zh => format!("已公示 {published_results} 户的检查结果，见下方各表的“检查结果”一列。"),
        crate::i18n::Lang::En => {
            format!("Results published for {published_results} of them: see the Result column of the tables below.")
        }
    };
    let plan = links.plan.clone().map(|(code, plan_title)| {
        view! {
            <p>
                {lang.pick("依据的年度检查计划：", "Under the annual plan: ")}
                <A href=format!("/plans/{code}")>{plan_title}</A>
            </p>
        }
    });
    let strata = draw
        .strata
        .iter()
        .cloned()
        .enumerate()
        .map(|(k, s)| {
            view! {
                <StratumSection
                    number=k + 1
                    stratum=s
                    names=names.clone()
                    results=links.results.clone()
                    allocation=draw.allocation.clone()
                />
            }
        })
        .collect_view();

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
                        <td>{e.reason.text(lang)}</td>
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
            {draw.recusal_head.clone().map(|head| view! {
                <p>
                    {lang.pick(
                        "回避链头（每次回避都与此前的全部回避和种子串联哈希，事后修改任何一条理由或日期都会改变它；离线验证时用 --recusal-head 核对）：",
                        "Recusal chain head (each recusal is hashed together with the seed and every recusal before it, so changing any reason or date afterwards changes it; check it offline with --recusal-head): ",
                    )}
                    <code class="hash">{head}</code>
                </p>
            })}
        }
        .into_any()
    };

    // The interactive sections (islands) are type-erased: the page's view type
    // would otherwise nest too deeply for the compiler's layout queries.
    let lookup = view! {
        <section aria-labelledby="lookup-title" class="lookup">
            <h2 id="lookup-title">{lang.pick("我在这次抽取中吗？", "Was I in this draw?")}</h2>
            <p>
                {lang.pick(
                    "输入企业的统一社会信用代码，查看它是否在名录库中、是否被排除及原因、是否被抽中。名录库成员资格由默克尔包含证明在您的浏览器中对照承诺的默克尔根验证，无需下载整个名录库。",
                    "Enter an enterprise's unified social credit code to see whether it was in the pool, whether it was excluded and why, and whether it was drawn. Pool membership is proven by a Merkle inclusion proof, checked in your browser against the committed root, without downloading the pool.",
                )}
            </p>
            <LookupPanel id=draw.id.clone() objects_root=draw.objects_root.clone() strata=lookup_strata/>
        </section>
    }
    .into_any();
    let verify = view! {
        <section aria-labelledby="verify-title" class="verify">
            <h2 id="verify-title">{lang.pick("验证", "Verify")}</h2>
            <p>
                {lang.pick(
                    "按下按钮后，您的浏览器会下载本次抽取的完整记录，用 WebAssembly 按公开的规范重新计算种子、抽中的企业和检查组，并与公布的结果逐项比较。",
                    "The button downloads this draw's full record; your browser recomputes the seed, the drawn enterprises and the teams in WebAssembly following the published spec, and compares them with the published result.",
                )}
            </p>
            <VerifyPanel id=draw.id.clone() object_count=draw.object_count commitment=draw.commitment.clone()/>
            <h3>{lang.pick("离线验证", "Verify offline")}</h3>
            <ol>
                <li>
                    <a href=record_url.clone() download=record_file.clone() rel="external">
                        {lang.pick("下载抽取记录（JSON）", "Download the draw record (JSON)")}
                    </a>
                </li>
                <li>
                    {lang.pick("用命令行工具 gongkai 验证（核对事先公布的承诺值）：", "Check it with the gongkai command-line tool, against the commitment published before the draw: ")}
                    <code>{format!("gongkai verify {record_file} --commitment {}", draw.commitment)}</code>
                </li>
                <li>
                    {lang.pick("或用独立的 Python 参考实现：", "Or with the independent Python reference implementation: ")}
                    <code>{format!("python3 verify_record.py {record_file} --commitment {}", draw.commitment)}</code>
                </li>
                <li>
                    <a href="/tools">{lang.pick("安装工具、下载参考实现", "Install the tool, download the reference implementation")}</a>
                    {lang.pick("；或依据", "; or write your own verifier from the ")}
                    <a href="/spec" rel="external">{lang.pick("抽取协议规范", "draw protocol spec")}</a>
                    {lang.pick("自行编写程序验证。", ".")}
                </li>
            </ol>
        </section>
    }
    .into_any();

    view! {
        <Title text=title/>
        <article class="draw">
            <nav class="crumbs" aria-label=lang.pick("位置", "Breadcrumb")>
                <A href="/">{lang.pick("首页", "Home")}</A>
                " › "
                <span>{lang.pick("抽取记录", "Draw record")}</span>
            </nav>
            <h1>{draw.title.clone()}</h1>
            <DrawFacts
                department=draw.department.clone()
                ancestors=ancestors
                unit=draw.unit.clone()
                date=draw.draw_date.clone()
                id=draw.id.clone()
            />
            {demo_banner}

            <section aria-labelledby="glance-title" class="glance">
                <h2 id="glance-title">{lang.pick("抽取结果一览", "At a glance")}</h2>
                <p>{summary.clone()}</p>
                <ul>{glance}</ul>
                <p>{results_text}</p>
                {plan}
                <p class="glance-links">
                    <a href="#verify-title">{lang.pick("验证这次抽取", "Verify this draw")}</a>
                    " · "
                    <a href="#lookup-title">{lang.pick("我在这次抽取中吗？", "Was I in this draw?")}</a>
                    " · "
                    <a href="#result-title">{lang.pick("抽中的企业和检查组", "Drawn enterprises and teams")}</a>
                </p>
            </section>

            {verify}
            {lookup}

            <section aria-labelledby="timeline-title">
                <h2 id="timeline-title">{lang.pick("时间线", "Timeline")}</h2>
                <ol class="timeline">
                    <li>
                        <h3>{lang.pick("① 承诺", "① Commitment")}</h3>
                        <p>
                            {lang.pick("承诺时间：", "Committed at: ")}
                            <TimeBoth value=draw.committed_at.clone()/>
                        </p>
                        {order}
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
                            {lang.pick("结果公布时间：", "Result published at: ")}
                            <TimeBoth value=Some(draw.published_at.clone())/>
                        </p>
                    </li>
                </ol>
            </section>

            <section aria-labelledby="result-title">
                <h2 id="result-title">{lang.pick("抽中的企业和检查组", "Drawn enterprises and teams")}</h2>
                <p>{summary}</p>
                <p>{lang.pick("分配方式：", "Allocation: ")}{allocation}</p>
                {directed}
                <p class="muted directory-note">
                    {lang.pick(
                        "抽取记录只含统一社会信用代码和执法证号；企业和检查人员的名称取自检查对象名录库和执法检查人员名录库的现行信息。",
                        "The draw record holds only credit codes and certificate numbers; the names of enterprises and inspectors come from the current entries of the object and inspector directories.",
                    )}
                </p>
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
            <LogCheck kind="draw" key=log_key.clone() version=1/>
            <LogCheck
                kind="draw-commitment"
                key=log_key
                version=1
                randomness_at=randomness_unix
            />
        </article>
    }
}

/// Who drew, when, and the draw's id (drawn and awaiting pages alike).
#[component]
fn DrawFacts(department: String, ancestors: Option<String>, unit: String, date: String, id: String) -> impl IntoView {
    let lang = use_lang();
    view! {
        <dl class="facts">
            <div>
                <dt>{lang.pick("部门", "Department")}</dt>
                <dd>
                    {department}
                    {ancestors.map(|a| view! { <span class="muted">" ("{a}")"</span> })}
                </dd>
            </div>
            <div>
                <dt>{lang.pick("执行单位", "Unit")}</dt>
                <dd>{unit}</dd>
            </div>
            <div>
                <dt>{lang.pick("抽取日期", "Draw date")}</dt>
                <dd><time>{date}</time></dd>
            </div>
            <div>
                <dt>{lang.pick("抽取编号", "Draw id")}</dt>
                <dd><code>{id}</code></dd>
            </div>
        </dl>
    }
}

#[component]
fn StratumSection(
    /// 1-based, for the section's anchor (`#stratum-N`).
    number: usize,
    stratum: StratumView,
    names: DirectoryNames,
    results: std::collections::BTreeMap<String, (String, crate::types::ResultCategory)>,
    allocation: AllocationView,
) -> impl IntoView {
    let lang = use_lang();
    let counts = stratum_counts(lang, &stratum, &allocation);
    let drawn = stratum.selected.len();
    let rows = stratum
        .selected
        .into_iter()
        .map(|s| {
            let team = s
                .team
                .into_iter()
                .map(|cert| {
                    let who = names.inspectors.get(&cert).cloned().unwrap_or_else(|| cert.clone());
                    view! {
                        <li>
                            <A href=format!("/inspectors/{cert}")>{who}</A>
                            " "
                            <code class="muted">{cert}</code>
                        </li>
                    }
                })
                .collect_view();
            let firm = names.enterprises.get(&s.object).cloned().unwrap_or_else(|| s.object.clone());
            let result = match results.get(&s.object).cloned() {
                Some((code, category)) => {
                    view! { <A href=format!("/results/{code}")>{category.text(lang)}</A> }.into_any()
                }
                None => view! { <span class="muted">{lang.pick("尚未公示", "not published yet")}</span> }.into_any(),
            };
            view! {
                <tr>
                    <td class="num">{s.position}</td>
                    <td>
                        <A href=format!("/enterprises/{}", s.object)>{firm}</A>
                        <br/>
                        <code class="credit-code muted">{s.object}</code>
                    </td>
                    <td><ul class="team">{team}</ul></td>
                    <td>{result}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="stratum" id=format!("stratum-{number}")>
            <h3>{stratum.name.clone()}</h3>
            <p>{counts}</p>
            // Long lists start folded (printing unfolds them).
            <details class="stratum-table" open=drawn <= FOLD_ABOVE>
                <summary>
                    {match lang {
                        crate::i18n::Lang::Zh => format!("抽中的 {drawn} 户企业、检查组和检查结果"),
                        crate::i18n::Lang::En => format!("The {drawn} drawn enterprises, their teams and results"),
                    }}
                </summary>
            <div class="table-wrap">
                <table class="selection">
                    <caption class="visually-hidden">{stratum.name.clone()}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("序号", "No.")}</th>
                            <th scope="col">{lang.pick("企业（统一社会信用代码）", "Enterprise (unified social credit code)")}</th>
                            <th scope="col">{lang.pick("检查组（执法证号）", "Team (certificate numbers)")}</th>
                            <th scope="col">{lang.pick("检查结果", "Result")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            </details>
        </section>
    }
}

/// A stratum's table starts folded when it has more rows than this.
const FOLD_ABOVE: usize = 15;

/// A share as a percentage with one decimal ("8.8%"), or "—" of nothing.
fn percent(part: u64, whole: u64) -> String {
    if whole == 0 {
        return "—".to_owned();
    }
    // Tenths of a percent, rounded half up.
    let tenths = (u128::from(part) * 2000 / u128::from(whole)).div_ceil(2);
    format!("{}.{}%", tenths / 10, tenths % 10)
}

/// A stratum as it was drawn: its counts, how its quota came about, and the
/// share actually drawn against the planned ratio (said when below it).
fn stratum_counts(lang: crate::i18n::Lang, s: &StratumView, allocation: &AllocationView) -> String {
    use crate::i18n::Lang;
    let drawn = s.selected.len() as u64;
    let share = percent(drawn, s.eligible);
    let planned = s.ratio.split_once('/').and_then(|(n, d)| Some((n.parse::<u64>().ok()?, d.parse::<u64>().ok()?)));
    let below = planned
        .filter(|(n, d)| *d > 0 && u128::from(drawn) * u128::from(*d) < u128::from(s.eligible) * u128::from(*n))
        .map(|_| match lang {
            Lang::Zh => format!("，低于计划抽查比例 {}", s.ratio),
            Lang::En => format!(", below the planned ratio of {}", s.ratio),
        })
        .unwrap_or_default();
    match (lang, allocation) {
        (Lang::Zh, AllocationView::Ratio) => format!(
            "名录库 {} 户，符合条件 {} 户；按抽查比例 {} 应抽 {} 户，抽中 {drawn} 户，占符合条件的 {share}{below}。",
            s.pool, s.eligible, s.ratio, s.quota
        ),
        (Lang::En, AllocationView::Ratio) => format!(
            "{} in the pool, {} eligible; at the ratio of {}, {} to draw; {drawn} drawn, {share} of the eligible{below}.",
            s.pool, s.eligible, s.ratio, s.quota
        ),
        (Lang::Zh, AllocationView::Total { count, .. }) => format!(
            "名录库 {} 户，符合条件 {} 户；共抽 {count} 户按各层符合条件的企业数分配（最大余数法），本层应抽 {} 户，抽中 {drawn} 户，占符合条件的 {share}{below}。",
            s.pool, s.eligible, s.quota
        ),
        (Lang::En, AllocationView::Total { count, .. }) => format!(
            "{} in the pool, {} eligible; of the {count} drawn in all, shared in proportion to the eligible (largest remainder), {} for this stratum; {drawn} drawn, {share} of the eligible{below}.",
            s.pool, s.eligible, s.quota
        ),
    }
}

/// A time as `<time>` in Beijing time, with UTC after it; "not recorded" if absent.
#[component]
pub fn TimeBoth(value: Option<String>) -> impl IntoView {
    let lang = use_lang();
    match value.as_deref().map(|v| (v, ShownTime::parse(v))) {
        Some((_, Some(t))) => view! {
            <time datetime=t.utc.clone()>{lang.pick("北京时间 ", "Beijing ")}{t.beijing.clone()}</time>
            <span class="muted">" (UTC "{t.utc.clone()}")"</span>
        }
        .into_any(),
        Some((raw, None)) => view! { <time>{raw.to_owned()}</time> }.into_any(),
        None => lang.pick("未记录", "not recorded").into_any(),
    }
}

/// Whether the commitment was published before the randomness existed, where both times are known.
fn commitment_order(lang: crate::i18n::Lang, committed_at: Option<&str>, kind: &RandomnessKind) -> AnyView {
    let (Some(committed), Some(random)) = (committed_at.and_then(ShownTime::parse), kind.time()) else {
        return ().into_any();
    };
    let lead = random.unix - committed.unix;
    if lead > 0 {
        let text = match lang {
            crate::i18n::Lang::Zh => format!("承诺比随机数早 {} 公布，公布承诺时随机数尚不存在。", duration_zh(lead)),
            crate::i18n::Lang::En => {
                format!("The commitment was published {} before the randomness existed.", duration_en(lead))
            }
        };
        view! { <p class="order-ok"><span aria-hidden="true">"✓ "</span>{text}</p> }.into_any()
    } else {
        view! {
            <p class="order-bad">
                <span aria-hidden="true">"✗ "</span>
                {lang.pick(
                    "承诺时间不早于随机数的产生时间：发布方公布承诺时可能已经知道随机数。",
                    "The commitment is not earlier than the randomness: the publisher may have known the randomness when committing.",
                )}
            </p>
        }
        .into_any()
    }
}

fn duration_zh(secs: i64) -> String {
    match secs {
        s if s >= 86_400 => format!("{} 天 {} 小时", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{} 小时 {} 分钟", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{} 分钟", s / 60),
        s => format!("{s} 秒"),
    }
}

fn duration_en(secs: i64) -> String {
    match secs {
        s if s >= 86_400 => format!("{} d {} h", s / 86_400, s % 86_400 / 3600),
        s if s >= 3600 => format!("{} h {} min", s / 3600, s % 3600 / 60),
        s if s >= 60 => format!("{} min", s / 60),
        s => format!("{s} s"),
    }
}

/// A committed draw still waiting for its randomness.
#[component]
fn AwaitingDetails(draw: CommitmentView) -> impl IntoView {
    let lang = use_lang();
    let log_key = draw.id.clone();
    let input_url = format!("/api/draws/{}/input.json", draw.id);
    let input_file = format!("{}.input.json", draw.id);
    let title = format!("{} · {}", draw.title, lang.pick("公开", "Gongkai"));
    let waits_for = match &draw.randomness {
        RandomnessKind::Drand { round, time } => view! {
            <p>
                {lang.pick("drand quicknet 随机信标第 ", "drand quicknet beacon round ")}
                <strong>{*round}</strong>
                {lang.pick(" 轮，将于 ", ", to be emitted at ")}
                <TimeBoth value=Some(time.clone())/>
                {lang.pick(" 产生。", ".")}
            </p>
        }
        .into_any(),
        RandomnessKind::PublicNumbers { description, date } => view! {
            <p>
                {lang.pick("公开号码：", "Public numbers: ")}
                {description.clone()}
                {lang.pick("，开奖日期 ", ", drawn on ")}
                <time datetime=date.clone()>{date.clone()}</time>
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
    let order = commitment_order(lang, draw.committed_at.as_deref(), &draw.randomness);
    let summary = match lang {
        crate::i18n::Lang::Zh => format!(
            "承诺的名录库共 {} 户企业、{} 名检查人员，每户派 {} 名检查人员。",
            draw.object_count, draw.inspector_count, draw.team_size
        ),
        crate::i18n::Lang::En => format!(
            "The committed pool has {} enterprises and {} inspectors, {} inspectors per drawn enterprise.",
            draw.object_count, draw.inspector_count, draw.team_size
        ),
    };
    view! {
        <Title text=title/>
        <article class="draw draw-awaiting">
            <nav class="crumbs" aria-label=lang.pick("位置", "Breadcrumb")>
                <A href="/">{lang.pick("首页", "Home")}</A>
                " › "
                <span>{lang.pick("抽取承诺", "Draw commitment")}</span>
            </nav>
            <h1>{draw.title.clone()}</h1>
            <p class="notice notice-awaiting" role="note">
                <strong>{lang.pick("等待随机数", "Awaiting its randomness")}</strong>
                {lang.pick(
                    "：本次抽取已公布承诺，但指定的公共随机数尚未产生（或尚未据此抽取）。抽取结果将在这里公布。",
                    ": this draw's commitment is published, but the named public randomness does not exist yet (or the draw is not made yet). The result will appear here.",
                )}
            </p>
            <DrawFacts
                department=draw.department.clone()
                ancestors=None
                unit=draw.unit.clone()
                date=draw.draw_date.clone()
                id=draw.id.clone()
            />
            <section aria-labelledby="timeline-title">
                <h2 id="timeline-title">{lang.pick("时间线", "Timeline")}</h2>
                <ol class="timeline">
                    <li>
                        <h3>{lang.pick("① 承诺（已公布）", "① Commitment (published)")}</h3>
                        <p>
                            {lang.pick("承诺时间：", "Committed at: ")}
                            <TimeBoth value=draw.committed_at.clone()/>
                        </p>
                        <p>
                            {lang.pick("承诺值（SHA-256）：", "Commitment (SHA-256): ")}
                            <code class="hash">{draw.commitment.clone()}</code>
                        </p>
                        <p>{summary}</p>
                        <p>
                            <a href=input_url.clone() download=input_file.clone() rel="external">
                                {lang.pick("下载承诺的全部输入（JSON）", "Download the committed inputs (JSON)")}
                            </a>
                        </p>
                        <p>
                            {lang.pick(
                                "任何人都可以用命令行工具由这些输入重算承诺值：",
                                "Anyone can recompute the commitment from these inputs with the command-line tool: ",
                            )}
                            <code>{format!("gongkai commit --input {input_file}")}</code>
                        </p>
                        <CommitmentCheck id=draw.id.clone() commitment=draw.commitment.clone()/>
                    </li>
                    <li>
                        <h3>{lang.pick("② 随机源（等待中）", "② Public randomness (awaited)")}</h3>
                        {waits_for}
                        {order}
                    </li>
                    <li>
                        <h3>{lang.pick("③ 结果（尚未产生）", "③ Result (not yet)")}</h3>
                        <p>{lang.pick("抽取结果将在这里公布。", "The result will appear here.")}</p>
                    </li>
                </ol>
            </section>
            <LogCheck
                kind="draw-commitment"
                key=log_key
                version=1
                randomness_at=draw.randomness.time().map(|t| t.unix)
            />
        </article>
    }
}
