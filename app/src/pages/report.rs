//! `/reports/{department}/{year}`: one department's yearly plan execution
//! report (年度检查计划执行情况, 001 art. 26), computed from what it published.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;
use leptos_router::hooks::use_params_map;

use crate::api::reports::{ReportData, report_page};
use crate::components::charts::{Bar, ColumnChart, RowChart, data_text};
use crate::components::load::loaded;
use crate::feedback::{Conduct, Satisfaction, cell};
use crate::i18n::{Lang, use_lang};
use crate::model::ResultCategory;
use crate::pages::not_found::NotFoundContent;
use crate::pages::reports::rate;
use crate::report::{Breach, CASES_SHOWN, Check, FigureKey, Missing, Report, RuleCheck, RuleId, Share};

/// What a rule asks, in the page's language.
pub fn rule_text(lang: Lang, rule: RuleId) -> &'static str {
    match rule {
        RuleId::PlanByMarch => lang.pick("年度检查计划于 3 月 31 日前公布", "The yearly plan is published by 31 March"),
        RuleId::ReportByJanuary => lang.pick(
            "上年度计划执行情况于次年 1 月 31 日前公布",
            "The report on the year is published by 31 January of the next year",
        ),
        RuleId::RatioPerStratum => {
            lang.pick("每一层抽取的比例不低于计划规定的比例", "Every stratum is drawn at no less than the plan's ratio")
        }
        RuleId::MinimumPerStratum => lang.pick(
            "计划要求每一层（如每个专业领域）至少抽取的数量已抽足",
            "Every stratum (e.g. each professional field) has the minimum the plan requires",
        ),
        RuleId::YearlyLimit => lang.pick(
            "同一企业一年内被抽查的次数不超过计划规定的上限",
            "No enterprise is inspected more often in the year than the plan's limit",
        ),
        RuleId::HigherLevelExcluded => lang.pick(
            "本年度已被上级部门检查的企业不再被抽取",
            "Enterprises inspected this year by a higher-level department are not drawn",
        ),
        RuleId::TeamOfTwo => lang.pick("每户企业至少 2 名检查人员", "At least two inspectors per enterprise"),
        RuleId::CertificateValid => lang.pick(
            "检查人员的执法证在检查当日有效",
            "Every inspector's certificate was valid on the day of the inspection",
        ),
        RuleId::DrawnTeamInspected => lang.pick(
            "实施检查的人员就是抽取（及公开回避后）确定的人员",
            "The inspection was made by the drawn team (after published recusals)",
        ),
        RuleId::DrawVerified => lang.pick(
            "每次抽取经服务器按抽取记录重新计算，结果一致",
            "Every draw, re-run by the server from its record, gives the published result",
        ),
        RuleId::ReportWithin5 => lang.pick(
            "检查后 5 个工作日内形成检查报告",
            "The inspection report is made within 5 working days of the inspection",
        ),
        RuleId::DeliveryWithin5 => lang.pick(
            "报告形成后 5 个工作日内将结果送达企业",
            "The result reaches the enterprise within 5 working days of the report",
        ),
        RuleId::EntryWithin10 => lang.pick(
            "送达后 10 个工作日内录入系统",
            "The result is entered into the system within 10 working days of delivery",
        ),
        RuleId::PublicationWithin20 => lang.pick(
            "检查后 20 个工作日内公示检查结果",
            "The result is published within 20 working days of the inspection",
        ),
        RuleId::InspectionInWindow => {
            lang.pick("检查在计划规定的时间内进行", "Inspections take place within the plan's window")
        }
        RuleId::DrawnObjectsInspected => lang.pick(
            "计划时间结束后，每户抽中的企业都有检查结果",
            "When the plan's window has closed, every drawn enterprise has a result",
        ),
        RuleId::RectificationOnTime => lang.pick("整改期限届满的，整改已完成", "Rectification is done by its deadline"),
    }
}

/// Why a case breaks its rule.
pub fn breach_text(lang: Lang, b: &Breach) -> String {
    let zh = lang == Lang::Zh;
    match b {
        Breach::PublishedOn { date, deadline } => {
            if zh {
                format!("{date} 公布，期限为 {deadline}")
            } else {
                format!("published on {date}; due by {deadline}")
            }
        }
        Breach::NotPublished { deadline } => {
            if zh {
                format!("期限 {deadline} 已过，尚未公布")
            } else {
                format!("not published; it was due by {deadline}")
            }
        }
        Breach::BelowRatio { drawn, eligible, ratio } => {
            let achieved = Share { num: *drawn, den: *eligible }.percent();
            if zh {
                format!("可抽取 {eligible} 户，抽取 {drawn} 户（{achieved}），计划比例 {ratio}")
            } else {
                format!("drew {drawn} of {eligible} eligible ({achieved}); the plan says {ratio}")
            }
        }
        Breach::BelowMinimum { drawn, minimum } => {
            if zh {
                format!("抽取 {drawn} 个，计划要求至少 {minimum} 个")
            } else {
                format!("drew {drawn}; the plan requires at least {minimum}")
            }
        }
        Breach::OverLimit { count, limit } => {
            if zh {
                format!("本年度被检查 {count} 次，上限 {limit} 次")
            } else {
                format!("inspected {count} times this year; the limit is {limit}")
            }
        }
        Breach::InspectedByHigher { department, result_code, inspected_on } => {
            if zh {
                format!("{department} 已于 {inspected_on} 检查（结果 {result_code}），之后仍被抽取")
            } else {
                format!("drawn although {department} had inspected it on {inspected_on} (result {result_code})")
            }
        }
        Breach::TeamSize { size } => {
            if zh {
                format!("仅 {size} 名检查人员")
            } else {
                format!("only {size} inspector(s)")
            }
        }
        Breach::CertificateNotValid { certificate, on, valid_from, valid_until } => {
            if zh {
                format!("执法证 {certificate} 有效期 {valid_from} 至 {valid_until}，检查日期 {on}")
            } else {
                format!("certificate {certificate} valid {valid_from} to {valid_until}; inspected on {on}")
            }
        }
        Breach::NotTheDrawnTeam { drawn, inspected } => {
            if zh {
                format!("抽取的人员 {}，实施检查的人员 {}", drawn.join("、"), inspected.join("、"))
            } else {
                format!("drawn: {}; inspected by: {}", drawn.join(", "), inspected.join(", "))
            }
        }
        Breach::DoesNotVerify => lang
            .pick("按记录重新计算的结果与公布的不一致", "re-running the record does not give the published result")
            .to_owned(),
        Breach::Late { days, limit, from, to } => {
            if zh {
                format!("{from} 至 {to}：{days} 个工作日（期限 {limit} 个）")
            } else {
                format!("{from} to {to}: {days} working days (limit {limit})")
            }
        }
        Breach::OutsideWindow { on, start, end } => {
            if zh {
                format!("{on} 检查，计划时间 {start} 至 {end}")
            } else {
                format!("inspected on {on}; the window is {start} to {end}")
            }
        }
        Breach::NoResult { window_end } => {
            if zh {
                format!("计划时间已于 {window_end} 结束，没有检查结果")
            } else {
                format!("no result; the window closed on {window_end}")
            }
        }
        Breach::RectificationOverdue { deadline } => {
            if zh {
                format!("整改期限 {deadline} 已过，尚未完成")
            } else {
                format!("not done; the deadline was {deadline}")
            }
        }
    }
}

/// Why (part of) a rule cannot be checked.
pub fn missing_text(lang: Lang, m: &Missing) -> String {
    let zh = lang == Lang::Zh;
    match m {
        Missing::NoPlan => lang.pick("没有公布的年度计划", "no published yearly plan").to_owned(),
        Missing::NoDraws => lang.pick("本年度没有公布的抽取", "no published draw this year").to_owned(),
        Missing::NoResults => lang.pick("本年度没有公布的检查结果", "no published result this year").to_owned(),
        Missing::NotDueYet { deadline } => {
            if zh {
                format!("尚未到期（期限 {deadline}）")
            } else {
                format!("not due yet (due by {deadline})")
            }
        }
        Missing::NoPlannedRatio { strata } => {
            if zh {
                format!("{strata} 个分层在计划中没有可读的比例")
            } else {
                format!("{strata} strata have no ratio in the plan that can be read")
            }
        }
        Missing::UnknownEnterprises { count } => {
            if zh {
                format!("{count} 户企业不在企业名录中，无法判断是否属于不受次数限制的情形")
            } else {
                format!("{count} enterprises are not in the directory: whether the limit protects them is unknown")
            }
        }
        Missing::UnknownCertificates { count } => {
            if zh {
                format!("{count} 个执法证号不在检查人员名录中")
            } else {
                format!("{count} certificates are not in the inspector directory")
            }
        }
        Missing::UnknownDraws { count } => {
            if zh {
                format!("{count} 条结果对应的抽取或计划未公布")
            } else {
                format!("the draw or plan of {count} results is not published")
            }
        }
        Missing::DatesMissing { count } => {
            if zh {
                format!("{count} 条结果缺少所需日期")
            } else {
                format!("{count} results lack a date it needs")
            }
        }
        Missing::NoCalendar { years } => {
            let years: Vec<String> = years.iter().map(ToString::to_string).collect();
            if zh {
                format!("{} 年的工作日历未公布", years.join("、"))
            } else {
                format!("the working-day calendar of {} is not published", years.join(", "))
            }
        }
        Missing::DemoRandomness { count } => {
            if zh {
                format!("{count} 次抽取使用演示随机数")
            } else {
                format!("{count} draws use demo randomness")
            }
        }
        Missing::Unreadable { count } => {
            if zh {
                format!("{count} 次抽取的记录无法读取")
            } else {
                format!("the records of {count} draws cannot be read")
            }
        }
        Missing::WindowOpen { until } => {
            if zh {
                format!("计划时间尚未结束（至 {until}）")
            } else {
                format!("the plan's window is still open (until {until})")
            }
        }
    }
}

fn state_text(lang: Lang, state: &Check) -> &'static str {
    match state {
        Check::Met => lang.pick("符合", "Met"),
        Check::Violated => lang.pick("违反", "Violated"),
        Check::CannotCheck => lang.pick("无法核对", "Cannot check"),
    }
}

fn state_mark(state: &Check) -> &'static str {
    match state {
        Check::Met => "✓",
        Check::Violated => "✗",
        Check::CannotCheck => "?",
    }
}

fn state_class(state: &Check) -> &'static str {
    match state {
        Check::Met => "state state-met",
        Check::Violated => "state state-violated",
        Check::CannotCheck => "state state-unknown",
    }
}

/// A check's state: mark and word (the word is what screen readers read).
#[component]
fn State(state: Check) -> impl IntoView {
    let lang = use_lang();
    view! {
        <span class=state_class(&state)>
            <span aria-hidden="true">{state_mark(&state)}" "</span>
            {state_text(lang, &state)}
        </span>
    }
}

/// A figure's name.
pub fn figure_text(lang: Lang, key: FigureKey) -> &'static str {
    match key {
        FigureKey::Plans => lang.pick("年度计划数", "Plans"),
        FigureKey::Draws => lang.pick("抽取次数", "Draws"),
        FigureKey::Drawn => lang.pick("抽中企业户数", "Enterprises drawn"),
        FigureKey::Inspected => lang.pick("检查结果数", "Results published"),
        FigureKey::CompletionRate => lang.pick("完成率", "Completion rate"),
        FigureKey::Problems => lang.pick("发现问题户数", "Results with a problem"),
        FigureKey::ProblemRate => lang.pick("发现问题率", "Problem rate"),
        FigureKey::RectificationDone => lang.pick("已完成整改", "Rectification done"),
        FigureKey::RectificationOverdue => lang.pick("逾期未整改", "Rectification overdue"),
        FigureKey::PenaltyCases => lang.pick("立案查处", "Penalty cases"),
        FigureKey::Inspectors => lang.pick("参与检查人员", "Inspectors who took part"),
        FigureKey::OnTimeRate => lang.pick("20 个工作日内公示率", "Published within 20 working days"),
        FigureKey::CodesIssued => lang.pick("发放评价码", "Feedback codes issued"),
        FigureKey::FeedbackReceived => lang.pick("收到评价", "Feedback received"),
    }
}

fn figure_value(key: FigureKey, v: Option<f64>) -> String {
    match v {
        None => "—".to_owned(),
        Some(v) if key.is_rate() => format!("{v:.1}%"),
        Some(v) if v.fract() == 0.0 => format!("{}", v as i64),
        Some(v) => format!("{v}"),
    }
}

fn category_bars(lang: Lang, r: &Report) -> Vec<Bar> {
    ResultCategory::ALL
        .iter()
        .zip(&r.results.categories)
        .map(|(c, n)| Bar::new(c.text(lang), *n, n.to_string()))
        .collect()
}

fn month_label(lang: Lang, m: usize) -> String {
    if lang == Lang::Zh {
        format!("{m}月")
    } else {
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"][m - 1].to_owned()
    }
}

#[component]
pub fn ReportPage() -> impl IntoView {
    let lang = use_lang();
    let params = use_params_map();
    let key = move || {
        let p = params.read();
        (p.get("department").unwrap_or_default(), p.get("year").unwrap_or_default())
    };
    let data = Resource::new(key, |(d, y)| async move {
        match y.parse::<i64>() {
            Ok(year) if (1900..=9999).contains(&year) => report_page(d, year).await,
            _ => Ok(None),
        }
    });
    view! {
        {loaded(data, move |found: Option<ReportData>| {
            let Some(ReportData { report: r, trend }) = found else {
                let (d, y) = key();
                return view! { <NotFoundContent what=format!("{d}/{y}")/> }.into_any();
            };
            let title = if lang == Lang::Zh {
                format!("{}{}年度检查计划执行情况", r.department.name, r.year)
            } else {
                format!("{}: plan execution report {}", r.department.name, r.year)
            };
            let heading = if lang == Lang::Zh {
                view! { {title.clone()} }.into_any()
            } else {
                view! { {data_text(r.department.name.clone())}{format!(": plan execution report {}", r.year)} }.into_any()
            };
            let violated = r.rules.iter().filter(|c| c.state == Check::Violated).count();
            let unknown = r.rules.iter().filter(|c| c.state == Check::CannotCheck).count();
            let met = r.rules.len() - violated - unknown;
            let completion = r.completion();
            let on_time = r.on_time();
            let api = format!("/api/reports/{}/{}", r.department.code, r.year);
            view! {
                <Title text=format!("{title} · {}", lang.pick("公开", "Gongkai"))/>
                <article class="report">
                    <h1>{heading}</h1>
                    <p class="lead">
                        {if lang == Lang::Zh {
                            format!("本报告由本站根据截至 {} 已公布的计划、抽取和检查结果计算得出，不是部门自己的文字；部门自行公布的报告见“部门自报与计算结果对照”。", r.as_of)
                        } else {
                            format!("Computed by this site from the plans, draws and results published up to {}; not the department's own text (its own report, if published, is compared below).", r.as_of)
                        }}
                    </p>
                    <section aria-labelledby="summary-title" class="report-summary">
                        <h2 id="summary-title">{lang.pick("概要", "Summary")}</h2>
                        <dl class="figures">
                            <div><dt>{lang.pick("抽中企业", "Enterprises drawn")}</dt><dd>{completion.den}</dd></div>
                            <div><dt>{lang.pick("完成率", "Completion")}</dt><dd>{completion.percent()}</dd></div>
                            <div><dt>{lang.pick("检查结果", "Results")}</dt><dd>{r.results.inspected}</dd></div>
                            <div><dt>{lang.pick("发现问题率", "Problem rate")}</dt><dd>{r.results.problem_rate.percent()}</dd></div>
                            <div><dt>{lang.pick("20 个工作日内公示", "Published within 20 working days")}</dt><dd>{on_time.percent()}</dd></div>
                        </dl>
                        <p>
                            <a href="#rules-title">{lang.pick("规则核对", "Rule checks")}</a>
                            {if lang == Lang::Zh {
                                format!("：{} 条符合，{violated} 条违反，{unknown} 条无法核对。", met)
                            } else {
                                format!(": {met} met, {violated} violated, {unknown} cannot be checked.")
                            }}
                        </p>
                        <p class="downloads">
                            {lang.pick("开放数据：", "Open data: ")}
                            <a href=api.clone()>"JSON"</a>
                            " · "
                            <a href=format!("{api}.csv")>{lang.pick("数据对照 CSV", "Figures CSV")}</a>
                            " · "
                            <A href=format!("/reports?year={}", r.year)>{lang.pick("同年度各部门对比", "All departments this year")}</A>
                        </p>
                    </section>
                    <PlansSection r=r.clone()/>
                    <DrawsSection r=r.clone()/>
                    <TimelinessSection r=r.clone()/>
                    <ResultsSection r=r.clone()/>
                    <InspectorsSection r=r.clone()/>
                    <FeedbackPart r=r.clone()/>
                    <RulesSection r=r.clone()/>
                    <DeclaredSection r=r.clone()/>
                    <TrendSection trend=trend/>
                </article>
            }
            .into_any()
        })}
    }
}

#[component]
fn PlansSection(r: Report) -> impl IntoView {
    let lang = use_lang();
    let plans = r
        .plans
        .clone()
        .into_iter()
        .map(|p| {
            view! {
                <li>
                    <A href=format!("/plans/{}", p.plan_code)>{data_text(p.title.clone())}</A>
                    {if lang == Lang::Zh {
                        format!("（检查时间 {} 至 {}；每户年度抽查上限 {} 次{}）", p.window_start, p.window_end,
                            p.max_inspections_per_year.unwrap_or(crate::report::DEFAULT_YEARLY_LIMIT),
                            p.min_per_stratum.map(|m| format!("；每层至少抽取 {m} 个")).unwrap_or_default())
                    } else {
                        format!(" (window {} to {}; at most {} inspections per enterprise a year{})", p.window_start, p.window_end,
                            p.max_inspections_per_year.unwrap_or(crate::report::DEFAULT_YEARLY_LIMIT),
                            p.min_per_stratum.map(|m| format!("; at least {m} per stratum")).unwrap_or_default())
                    }}
                </li>
            }
        })
        .collect_view();
    let rows = r
        .plan_rows
        .clone()
        .into_iter()
        .map(|p| {
            view! {
                <tr>
                    <td><A href=format!("/draws/{}", p.draw_id)>{p.draw_id.clone()}</A></td>
                    <td>{data_text(p.stratum.clone())}</td>
                    <td class="num">{p.pool}</td>
                    <td class="num">{p.eligible}</td>
                    <td>{p.planned_ratio.clone().unwrap_or_else(|| "—".to_owned())}</td>
                    <td class="num">{p.quota}</td>
                    <td class="num">{p.drawn}</td>
                    <td class="num">{p.achieved.percent()}</td>
                    <td class="num">{p.inspected}</td>
                    <td class="num">{p.completion.percent()}</td>
                </tr>
            }
        })
        .collect_view();
    // One bar per plan line (plan and stratum), over all the year's draws under it.
    let mut lines: Vec<(String, Share)> = Vec::new();
    for p in &r.plan_rows {
        let label = match &p.plan_code {
            Some(code) => format!("{code} {}", p.stratum),
            None => format!("{} {}", p.draw_id, p.stratum),
        };
        match lines.iter_mut().find(|(l, _)| *l == label) {
            Some((_, share)) => {
                share.num += p.inspected;
                share.den += p.drawn;
            }
            None => lines.push((label, p.completion)),
        }
    }
    let bars: Vec<Bar> = lines
        .into_iter()
        .map(|(label, share)| {
            let mut b = Bar::new(label, share.permille().unwrap_or(0), share.percent());
            b.warn = share.permille().is_some_and(|c| c < 1000);
            b
        })
        .collect();
    let empty = r.plan_rows.is_empty();
    view! {
        <section aria-labelledby="plans-title">
            <h2 id="plans-title">{lang.pick("一、计划执行", "1. Plans")}</h2>
            {if r.plans.is_empty() {
                view! { <p>{lang.pick("本年度没有公布的年度检查计划。", "No yearly plan was published for this year.")}</p> }.into_any()
            } else {
                view! { <ul>{plans}</ul> }.into_any()
            }}
            {(!empty).then(|| view! {
                <div class="table-wrap">
                    <table>
                        <caption>{lang.pick("各抽取分层：名录户数、可抽取户数、计划比例、应抽、实抽、实际比例、已检查、完成率", "Each stratum of each draw: pool, eligible, planned ratio, quota, drawn, achieved ratio, inspected, completion")}</caption>
                        <thead>
                            <tr>
                                <th scope="col">{lang.pick("抽取", "Draw")}</th>
                                <th scope="col">{lang.pick("分层", "Stratum")}</th>
                                <th scope="col">{lang.pick("名录户数", "Pool")}</th>
                                <th scope="col">{lang.pick("可抽取", "Eligible")}</th>
                                <th scope="col">{lang.pick("计划比例", "Planned ratio")}</th>
                                <th scope="col">{lang.pick("应抽", "Quota")}</th>
                                <th scope="col">{lang.pick("实抽", "Drawn")}</th>
                                <th scope="col">{lang.pick("实际比例", "Achieved ratio")}</th>
                                <th scope="col">{lang.pick("已检查", "Inspected")}</th>
                                <th scope="col">{lang.pick("完成率", "Completion")}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
                <h3>{lang.pick("各计划行完成率", "Completion by plan line")}</h3>
                <RowChart
                    title=lang.pick("各计划行（计划与分层）完成率：已检查户数 ÷ 抽中户数", "Completion by plan line (plan and stratum): inspected ÷ drawn")
                    headers=(lang.pick("计划与分层", "Plan and stratum").to_owned(), lang.pick("完成率", "Completion").to_owned())
                    bars=bars
                    scale=1000
                />
            })}
        </section>
    }
}

#[component]
fn DrawsSection(r: Report) -> impl IntoView {
    let lang = use_lang();
    if r.draws.is_empty() {
        return view! {
            <section aria-labelledby="draws-title">
                <h2 id="draws-title">{lang.pick("二、抽取", "2. Draws")}</h2>
                <p>{lang.pick("本年度没有公布的抽取。", "No draw was published this year.")}</p>
            </section>
        }
        .into_any();
    }
    let demo = r.draws.iter().any(|d| d.demo_randomness);
    let rows = r
        .draws
        .clone()
        .into_iter()
        .map(|d| {
            view! {
                <tr>
                    <td><A href=format!("/draws/{}", d.draw_id)>{data_text(d.title.clone())}</A><br/><small>{d.draw_id.clone()}</small></td>
                    <td>{d.draw_date.clone()}</td>
                    <td class="num">{d.drawn}</td>
                    <td><State state=d.committed_first.clone()/></td>
                    <td><State state=d.verified.clone()/></td>
                    <td class="num">{d.recusals}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="draws-title">
            <h2 id="draws-title">{lang.pick("二、抽取", "2. Draws")}</h2>
            <div class="table-wrap">
                <table>
                    <caption>{lang.pick("本年度的抽取：承诺是否先于随机数公布、服务器重新计算是否一致、回避次数", "This year's draws: commitment published before the randomness, the server's re-run, recusals")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("抽取", "Draw")}</th>
                            <th scope="col">{lang.pick("抽取日期", "Date")}</th>
                            <th scope="col">{lang.pick("抽中户数", "Drawn")}</th>
                            <th scope="col">{lang.pick("承诺先于随机数", "Committed first")}</th>
                            <th scope="col">{lang.pick("重新计算一致", "Re-run matches")}</th>
                            <th scope="col">{lang.pick("回避", "Recusals")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {demo.then(|| view! {
                <p class="note">
                    {lang.pick(
                        "使用演示随机数的抽取没有公开的随机数发布时间，因此无法核对承诺是否先于随机数公布；重新计算一致只说明记录自身前后一致。",
                        "Draws with demo randomness have no public time for their randomness, so whether the commitment came first cannot be checked; a matching re-run only shows that the record is consistent.",
                    )}
                </p>
            })}
        </section>
    }
    .into_any()
}

#[component]
fn TimelinessSection(r: Report) -> impl IntoView {
    let lang = use_lang();
    let parts = r
        .deadlines
        .iter()
        .map(|d| {
            let share = Share { num: d.on_time, den: d.measured };
            let max_day = d.histogram.last().map_or(0, |(days, _)| *days).max(d.limit + 1);
            let bars: Vec<Bar> = (0..=max_day)
                .map(|day| {
                    let n = d.histogram.iter().find(|(x, _)| *x == day).map_or(0, |(_, n)| *n);
                    let mut b = Bar::new(day.to_string(), n, n.to_string());
                    b.warn = day > d.limit;
                    b
                })
                .collect();
            let marker_label = if lang == Lang::Zh { format!("期限 {} 个工作日", d.limit) } else { format!("limit: {} working days", d.limit) };
            let summary = if lang == Lang::Zh {
                format!("可计算 {} 条，按时 {} 条（{}）；无法计算 {} 条。", d.measured, d.on_time, share.percent(), d.unmeasured)
            } else {
                format!("{} measured, {} on time ({}); {} cannot be measured.", d.measured, d.on_time, share.percent(), d.unmeasured)
            };
            view! {
                <h3>{rule_text(lang, d.rule)}<small>{format!(" · {}", d.rule.source(lang))}</small></h3>
                <p>{summary}</p>
                {(d.measured > 0).then(|| view! {
                    <ColumnChart
                        title=if lang == Lang::Zh { format!("{}：用时分布（工作日）", rule_text(lang, d.rule)) } else { format!("{}: working days taken", rule_text(lang, d.rule)) }
                        headers=(lang.pick("工作日", "Working days").to_owned(), lang.pick("结果数", "Results").to_owned())
                        bars=bars
                        marker=(d.limit as usize, marker_label)
                    />
                })}
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="time-title">
            <h2 id="time-title">{lang.pick("三、时限（按法定工作日计算）", "3. Timeliness (in official working days)")}</h2>
            <p>
                {lang.pick("工作日按本站公布的", "Working days follow the ")}
                <A href="/calendar">{lang.pick("工作日历", "working-day calendar")}</A>
                {lang.pick("计算，从事件次日起算。逾期的每一条见下文“规则核对”。", " published on this site, counted from the day after the event. Each late case is listed under the rule checks below.")}
            </p>
            {parts}
        </section>
    }
}

#[component]
fn ResultsSection(r: Report) -> impl IntoView {
    let lang = use_lang();
    let x = &r.results;
    let months: Vec<Bar> =
        x.months.iter().enumerate().map(|(i, n)| Bar::new(month_label(lang, i + 1), *n, n.to_string())).collect();
    view! {
        <section aria-labelledby="results-title">
            <h2 id="results-title">{lang.pick("四、检查结果及运用", "4. Results and how they were used")}</h2>
            <dl class="figures">
                <div><dt>{lang.pick("检查结果", "Results")}</dt><dd>{x.inspected}</dd></div>
                <div><dt>{lang.pick("发现问题", "With a problem")}</dt><dd>{x.problems}</dd></div>
                <div><dt>{lang.pick("发现问题率", "Problem rate")}</dt><dd>{x.problem_rate.percent()}</dd></div>
                <div><dt>{lang.pick("整改完成", "Rectification done")}</dt><dd>{x.rectification_done}</dd></div>
                <div><dt>{lang.pick("整改中（未到期）", "Rectification pending")}</dt><dd>{x.rectification_pending}</dd></div>
                <div><dt>{lang.pick("逾期未整改", "Rectification overdue")}</dt><dd>{x.rectification_overdue}</dd></div>
                <div><dt>{lang.pick("立案查处", "Penalty cases")}</dt><dd>{x.penalty_cases}</dd></div>
                <div><dt>{lang.pick("公布后更正", "Corrected after publication")}</dt><dd>{x.corrected}</dd></div>
            </dl>
            <p class="note">{lang.pick("发现问题率 = 发现问题的结果数 ÷ 检查结果数。", "Problem rate = results with a problem ÷ all results.")}</p>
            <h3>{lang.pick("结果类别", "Results by category")}</h3>
            <RowChart
                title=lang.pick("检查结果按类别", "Results by category")
                headers=(lang.pick("类别", "Category").to_owned(), lang.pick("结果数", "Results").to_owned())
                bars=category_bars(lang, &r)
            />
            <h3>{lang.pick("各月检查数", "Inspections by month")}</h3>
            <ColumnChart
                title=lang.pick("各月检查数（按检查日期）", "Inspections by month (by inspection date)")
                headers=(lang.pick("月份", "Month").to_owned(), lang.pick("检查数", "Inspections").to_owned())
                bars=months
            />
        </section>
    }
}

#[component]
fn InspectorsSection(r: Report) -> impl IntoView {
    let lang = use_lang();
    let i = &r.inspectors;
    let median = if i.median_halves.is_multiple_of(2) {
        (i.median_halves / 2).to_string()
    } else {
        format!("{}.5", i.median_halves / 2)
    };
    view! {
        <section aria-labelledby="inspectors-title">
            <h2 id="inspectors-title">{lang.pick("五、检查人员", "5. Inspectors")}</h2>
            <dl class="figures">
                <div><dt>{lang.pick("参与检查人员", "Took part")}</dt><dd>{i.took_part}</dd></div>
                <div><dt>{lang.pick("人均检查次数（中位数）", "Inspections each (median)")}</dt><dd>{median}</dd></div>
                <div><dt>{lang.pick("单人最多检查次数", "Most by one inspector")}</dt><dd>{i.max_inspections}</dd></div>
                <div><dt>{lang.pick("公开回避", "Published recusals")}</dt><dd>{i.recusals}</dd></div>
            </dl>
            <p>{lang.pick("执法证是否有效、是否由抽取确定的人员实施检查，见下文“规则核对”。", "Whether certificates were valid and whether the drawn teams inspected: see the rule checks below.")}</p>
        </section>
    }
}

#[component]
fn FeedbackPart(r: Report) -> impl IntoView {
    let lang = use_lang();
    let body = match &r.feedback {
        None => view! { <p>{lang.pick("本年度没有发放评价码，无评价数据。", "No feedback codes were issued for this year: no feedback data.")}</p> }.into_any(),
        Some(f) => {
            let levels = Satisfaction::ALL
                .iter()
                .zip(&f.levels)
                .map(|(s, n)| view! { <div><dt>{s.name(lang)}</dt><dd>{cell(*n)}</dd></div> })
                .collect_view();
            view! {
                <dl class="figures">
                    <div><dt>{lang.pick("发放评价码", "Codes issued")}</dt><dd>{f.codes_issued}</dd></div>
                    <div><dt>{lang.pick("收到评价", "Feedback received")}</dt><dd>{cell(f.received)}</dd></div>
                    {levels}
                </dl>
                {(!f.inspectors.is_empty()).then(|| {
                    let rows = f
                        .inspectors
                        .clone()
                        .into_iter()
                        .map(|i| {
                            view! {
                                <tr>
                                    <th scope="row">
                                        <A href=format!("/inspectors/{}", i.certificate)>
                                            {i.name.clone().map(data_text)}
                                            " "
                                            <span class="credit-code">{i.certificate.clone()}</span>
                                        </A>
                                    </th>
                                    <td class="num">{cell(i.received)}</td>
                                    {i.conduct_problems.iter().map(|n| view! { <td class="num">{cell(*n)}</td> }).collect_view()}
                                </tr>
                            }
                        })
                        .collect_view();
                    view! {
                        <div class="table-wrap">
                            <table class="conduct">
                                <caption>{lang.pick("各检查人员收到的评价和企业反映的行为问题（次数）", "Feedback on each inspector and the conduct problems enterprises reported (times)")}</caption>
                                <thead>
                                    <tr>
                                        <th scope="col">{lang.pick("检查人员", "Inspector")}</th>
                                        <th scope="col">{lang.pick("收到评价", "Feedback")}</th>
                                        {Conduct::ALL.iter().map(|c| view! { <th scope="col">{c.problem(lang)}</th> }).collect_view()}
                                    </tr>
                                </thead>
                                <tbody>{rows}</tbody>
                            </table>
                        </div>
                    }
                })}
                <p class="note">{lang.pick("评价在评价期结束后计入；少于 5 的数字显示为“< 5”，不公布单份评价。", "Feedback counts once its window has closed; counts below 5 show as \u{201c}< 5\u{201d}; single submissions are never published.")}</p>
            }
            .into_any()
        }
    };
    view! {
        <section aria-labelledby="feedback-title">
            <h2 id="feedback-title">{lang.pick("六、企业评价", "6. Enterprises' feedback")}</h2>
            {body}
        </section>
    }
}

#[component]
fn RuleRow(check: RuleCheck) -> impl IntoView {
    let lang = use_lang();
    let total = check.cases.len();
    let cases = (!check.cases.is_empty()).then(|| {
        let shown = check
            .cases
            .clone()
            .into_iter()
            .take(CASES_SHOWN)
            .map(|c| {
                view! {
                    <li>
                        <A href=c.href.clone()>{c.record.clone()}</A>
                        {c.name.clone().map(|n| view! { " " {data_text(n)} })}
                        {lang.pick("：", ": ")}
                        {breach_text(lang, &c.breach)}
                    </li>
                }
            })
            .collect_view();
        let more = (total > CASES_SHOWN).then(|| {
            if lang == Lang::Zh {
                format!("另有 {} 条，完整列表见 JSON。", total - CASES_SHOWN)
            } else {
                format!("{} more; the JSON lists them all.", total - CASES_SHOWN)
            }
        });
        view! { <ul class="cases">{shown}</ul>{more.map(|m| view! { <p>{m}</p> })} }
    });
    let missing = (!check.missing.is_empty()).then(|| {
        let items = check.missing.iter().map(|m| missing_text(lang, m)).collect::<Vec<_>>().join(lang.pick("；", "; "));
        view! { <p class="missing">{lang.pick("无法核对的原因：", "Cannot check because: ")}{items}</p> }
    });
    view! {
        <tr>
            <th scope="row">{rule_text(lang, check.rule)}</th>
            <td>{check.rule.source(lang)}</td>
            <td>
                <State state=check.state.clone()/>
                {(total > 0).then(|| if lang == Lang::Zh { format!("（{total} 条）") } else { format!(" ({total})") })}
                {cases}
                {missing}
            </td>
        </tr>
    }
}

#[component]
fn RulesSection(r: Report) -> impl IntoView {
    let lang = use_lang();
    let rows = r.rules.into_iter().map(|check| view! { <RuleRow check=check/> }).collect_view();
    view! {
        <section aria-labelledby="rules-title">
            <h2 id="rules-title">{lang.pick("七、规则核对", "7. Rule checks")}</h2>
            <p>{lang.pick(
                "每条规则有三种结果：符合；违反（列出违反的记录）；无法核对（所需数据缺失，绝不当作符合）。比例和次数上限取自年度计划的设定。",
                "Each rule is met, violated (with the records that violate it) or cannot be checked (the data it needs is missing; never counted as met). Ratios and limits are the plans' settings.",
            )}</p>
            <div class="table-wrap">
                <table class="rules">
                    <caption class="visually-hidden">{lang.pick("规则核对", "Rule checks")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("规则", "Rule")}</th>
                            <th scope="col">{lang.pick("依据", "Source")}</th>
                            <th scope="col">{lang.pick("结果", "Outcome")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
}

#[component]
fn DeclaredSection(r: Report) -> impl IntoView {
    let lang = use_lang();
    let Some(d) = r.declared.clone() else {
        return view! {
            <section aria-labelledby="declared-title">
                <h2 id="declared-title">{lang.pick("部门自报与计算结果对照", "The department's own report and the computed figures")}</h2>
                <p>{lang.pick("该部门尚未在本站公布本年度的执行情况报告。", "The department has not published its own report for this year on this site.")}</p>
            </section>
        }
        .into_any();
    };
    let differing = r.figures.iter().filter(|f| f.differs).count();
    let rows = r
        .figures
        .iter()
        .filter(|f| f.declared.is_some() || f.computed.is_some())
        .map(|f| {
            view! {
                <tr class=f.differs.then_some("differs")>
                    <th scope="row">{figure_text(lang, f.key)}</th>
                    <td class="num">{figure_value(f.key, f.declared)}</td>
                    <td class="num">{figure_value(f.key, f.computed)}</td>
                    <td>{if f.differs {
                        view! { <strong class="flag-bad"><span aria-hidden="true">"≠ "</span>{lang.pick("不一致", "Differs")}</strong> }.into_any()
                    } else if f.declared.is_none() {
                        view! { <span>{lang.pick("未申报", "Not declared")}</span> }.into_any()
                    } else {
                        view! { <span>{lang.pick("一致", "Same")}</span> }.into_any()
                    }}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="declared-title">
            <h2 id="declared-title">{lang.pick("部门自报与计算结果对照", "The department's own report and the computed figures")}</h2>
            <p>
                {if lang == Lang::Zh {
                    format!("部门于 {} 公布《{}》（第 {} 版）。{} 项数字与计算结果不一致。", d.published_at.get(..10).unwrap_or_default(), d.title, d.version, differing).into_any()
                } else {
                    view! {
                        "The department published \u{201c}" {data_text(d.title.clone())}
                        {format!("\u{201d} (version {}) on {}. {} figures differ from the computed ones.", d.version, d.published_at.get(..10).unwrap_or_default(), differing)}
                    }.into_any()
                }}
            </p>
            <div class="table-wrap">
                <table class="declared">
                    <caption class="visually-hidden">{lang.pick("部门自报与计算结果对照", "Declared and computed figures")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("数字", "Figure")}</th>
                            <th scope="col">{lang.pick("部门自报", "Declared")}</th>
                            <th scope="col">{lang.pick("按公布数据计算", "Computed")}</th>
                            <th scope="col">{lang.pick("对照", "Comparison")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <h3>{lang.pick("部门报告原文", "The department's text")}</h3>
            <div class="declared-text" lang="zh-CN">
                {d.text.split('\n').filter(|p| !p.trim().is_empty()).map(|p| view! { <p>{p.to_owned()}</p> }).collect_view()}
            </div>
        </section>
    }
    .into_any()
}

#[component]
fn TrendSection(trend: Vec<crate::report::Headline>) -> impl IntoView {
    let lang = use_lang();
    if trend.len() < 2 {
        return ().into_any();
    }
    let bars: Vec<Bar> =
        trend.iter().map(|h| Bar::new(h.year.to_string(), h.inspected, h.inspected.to_string())).collect();
    let rows = trend
        .clone()
        .into_iter()
        .map(|h| {
            view! {
                <tr>
                    <th scope="row"><A href=crate::report::report_href(&h.department_code, h.year)>{h.year.to_string()}</A></th>
                    <td class="num">{h.drawn}</td>
                    <td class="num">{h.inspected}</td>
                    <td class="num">{rate(h.completion_rate)}</td>
                    <td class="num">{rate(h.on_time_rate)}</td>
                    <td class="num">{rate(h.problem_rate)}</td>
                    <td class="num">{h.rules_violated}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby="trend-title">
            <h2 id="trend-title">{lang.pick("历年对比", "Year over year")}</h2>
            <ColumnChart
                title=lang.pick("历年检查结果数", "Results by year")
                headers=(lang.pick("年度", "Year").to_owned(), lang.pick("检查结果", "Results").to_owned())
                bars=bars
            />
            <div class="table-wrap">
                <table>
                    <caption>{lang.pick("历年主要数字", "Key figures by year")}</caption>
                    <thead>
                        <tr>
                            <th scope="col">{lang.pick("年度", "Year")}</th>
                            <th scope="col">{lang.pick("抽中户数", "Drawn")}</th>
                            <th scope="col">{lang.pick("检查结果", "Results")}</th>
                            <th scope="col">{lang.pick("完成率", "Completion")}</th>
                            <th scope="col">{lang.pick("按时公示率", "On time")}</th>
                            <th scope="col">{lang.pick("发现问题率", "Problem rate")}</th>
                            <th scope="col">{lang.pick("违反的规则", "Rules violated")}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </section>
    }
    .into_any()
}
