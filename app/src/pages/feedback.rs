//! `/feedback` (评价反馈): an inspected enterprise rates its inspection (001
//! art. 24). Plain forms posted to the server, which decides what this page
//! shows (`FeedbackRequest`, a request extension); no JavaScript.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::components::BeijingTime;
use crate::feedback::{
    Conduct, FeedbackRequest, FeedbackScreen, FeedbackValues, FormProblem, Inspection, MAX_CONTACT_CHARS,
    MAX_TEXT_CHARS, Receipt, Satisfaction, WindowState,
};
use crate::i18n::{Lang, use_lang};

/// What the server decided to show (the first step when there is nothing).
fn request() -> FeedbackRequest {
    #[cfg(feature = "ssr")]
    if let Some(r) = use_context::<http::request::Parts>().and_then(|p| p.extensions.get::<FeedbackRequest>().cloned())
    {
        return r;
    }
    FeedbackRequest {
        screen: FeedbackScreen::Identify { credit_code: String::new(), code: String::new(), problems: Vec::new() },
        csrf: String::new(),
        demo: false,
    }
}

/// The form's address, in the page's language.
fn action(lang: Lang, path: &str) -> String {
    match lang {
        Lang::Zh => path.to_owned(),
        Lang::En => format!("{path}?lang=en"),
    }
}

#[component]
pub fn FeedbackPage() -> impl IntoView {
    let lang = use_lang();
    let FeedbackRequest { screen, csrf, demo } = request();
    let title = lang.pick("评价反馈", "Feedback on an inspection");
    let body = match screen {
        FeedbackScreen::Identify { credit_code, code, problems } => {
            view! { <Identify credit_code code problems csrf/> }.into_any()
        }
        FeedbackScreen::Window { state, inspection, latest } => {
            view! { <WindowNotice state inspection latest csrf/> }.into_any()
        }
        FeedbackScreen::Form { inspection, values, problems, latest } => {
            view! { <FeedbackForm inspection values problems latest csrf/> }.into_any()
        }
        FeedbackScreen::Accepted { inspection, receipt, credit_code, code } => {
            view! { <Accepted inspection receipt credit_code code csrf/> }.into_any()
        }
        FeedbackScreen::Wait { seconds } => {
            let minutes = seconds.div_ceil(60);
            view! {
                <div class="notice notice-error" role="alert">
                    <h2>{lang.pick("尝试次数过多", "Too many attempts")}</h2>
                    <p>
                        {match lang {
                            Lang::Zh => format!(
                                "为防止猜测评价码，同一网络地址或同一统一社会信用代码在短时间内只能提交有限次数。请在 {seconds} 秒（约 {minutes} 分钟）后再试。"
                            ),
                            Lang::En => format!(
                                "To stop codes being guessed, only a limited number of attempts are accepted from one address or for one credit code in a short time. Please try again in {seconds} seconds (about {minutes} minute(s))."
                            ),
                        }}
                    </p>
                    <p><a href=action(lang, "/feedback")>{lang.pick("返回评价页面", "Back to the feedback page")}</a></p>
                </div>
            }
            .into_any()
        }
    };
    let demo = demo.then(|| {
        view! {
            <p class="notice notice-demo">
                {lang.pick("这是演示站点：可以在", "This is a demo portal: codes to try the form with are on the page ")}
                <a href="/demo/feedback">{lang.pick("试用评价反馈", "Try the feedback form")}</a>
                {lang.pick("页面取得可以试用的评价码。", ".")}
            </p>
        }
    });
    view! {
        <Title text=format!("{title} · {}", lang.pick("公开", "Gongkai"))/>
        <h1>{title}</h1>
        {demo}
        {body}
        <About/>
    }
}

/// Who may give feedback, when, and what becomes of it.
#[component]
fn About() -> impl IntoView {
    let lang = use_lang();
    view! {
        <section class="about-feedback" aria-labelledby="about-feedback-title">
            <h2 id="about-feedback-title">{lang.pick("关于评价反馈", "About feedback")}</h2>
            <ul>
                <li>
                    {lang.pick(
                        "被检查的企业可在收到检查结果告知书之日起 10 个工作日内，对检查部门和每一位检查人员进行评价（《随机抽查工作细则》第二十四条）。工作日按国务院公布的节假日安排计算，见",
                        "An inspected enterprise may rate the department and each inspector within 10 working days of receiving the written result (art. 24 of the rules). Working days follow the State Council's holiday arrangements; see",
                    )}
                    " "
                    <a href="/calendar">{lang.pick("法定工作日", "working days")}</a>
                    {lang.pick("。", ".")}
                </li>
                <li>
                    {lang.pick(
                        "凭告知书上的统一社会信用代码和评价码评价。评价码只能用于本次检查；在评价期内可以修改，每次修改保存为新版本，原版本保留。",
                        "Use the credit code and the feedback code on the written result. A code is for that inspection only; within the window you can change your feedback, and each change is kept as a new version beside the old one.",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "评价内容只由监督部门（法制、纪检）查阅，不向检查单位公开，也不在网站上公开。网站只公开按部门和检查人员汇总的数量，评价期结束后才计入，少于 5 份的数字显示为“< 5”。",
                        "What you write is read only by the supervisory office (legal affairs, discipline inspection): not by the inspecting unit, and never published. The portal publishes only counts per department and per inspector, once the window has closed, and shows any count below 5 as \"< 5\".",
                    )}
                </li>
                <li>
                    {lang.pick(
                        "被检查单位认为检查人员不按规定履行职责或存在违规违纪行为的，可以随时向有关部门举报，不受评价期限制。",
                        "An inspected enterprise that finds an inspector failing their duties or breaking the rules can report it to the authorities at any time, whatever the window.",
                    )}
                </li>
            </ul>
        </section>
    }
}

/// The problems of a refused form, each linked to its field.
#[component]
fn Problems(problems: Vec<FormProblem>) -> impl IntoView {
    let lang = use_lang();
    (!problems.is_empty()).then(|| {
        let items = problems
            .iter()
            .map(|p| {
                let text = p.text(lang).to_owned();
                if p.field == "form" {
                    view! { <li>{text}</li> }.into_any()
                } else {
                    view! { <li><a href=format!("#{}", p.field)>{text}</a></li> }.into_any()
                }
            })
            .collect_view();
        view! {
            <div class="notice notice-error" role="alert" id="problems">
                <h2>{lang.pick("未能提交，请修改后重试", "Not sent: please correct and try again")}</h2>
                <ul>{items}</ul>
            </div>
        }
    })
}

/// The text of the problem about `field`, if any.
fn problem_of(problems: &[FormProblem], field: &str, lang: Lang) -> Option<String> {
    problems.iter().find(|p| p.field == field).map(|p| p.text(lang).to_owned())
}

#[component]
fn Identify(credit_code: String, code: String, problems: Vec<FormProblem>, csrf: String) -> impl IntoView {
    let lang = use_lang();
    let credit_problem = problem_of(&problems, "credit_code", lang);
    let code_problem = problem_of(&problems, "code", lang);
    view! {
        <p class="lead">
            {lang.pick(
                "第一步：输入企业的统一社会信用代码和检查结果告知书上的评价码。",
                "Step 1: enter your enterprise's unified social credit code and the feedback code on the written result.",
            )}
        </p>
        <Problems problems=problems.clone()/>
        <form method="post" action=action(lang, "/feedback") class="feedback-form">
            <input type="hidden" name="csrf" value=csrf/>
            <input type="hidden" name="step" value="identify"/>
            <div class="field">
                <label for="credit_code">{lang.pick("统一社会信用代码", "Unified social credit code")}</label>
                <input
                    id="credit_code"
                    name="credit_code"
                    type="text"
                    value=credit_code
                    maxlength="40"
                    autocomplete="off"
                    spellcheck="false"
                    required
                    aria-invalid=credit_problem.is_some().then_some("true")
                    aria-describedby=if credit_problem.is_some() { "credit_code-hint credit_code-problem" } else { "credit_code-hint" }
                />
                <p class="hint" id="credit_code-hint">{lang.pick("18 位，如 91150102MA0XXXXXXX。", "18 characters, as on the business licence.")}</p>
                {credit_problem.map(|t| view! { <p class="field-problem" id="credit_code-problem">{t}</p> })}
            </div>
            <div class="field">
                <label for="code">{lang.pick("评价码", "Feedback code")}</label>
                <input
                    id="code"
                    name="code"
                    type="text"
                    value=code
                    maxlength="40"
                    autocomplete="off"
                    autocapitalize="characters"
                    spellcheck="false"
                    required
                    aria-invalid=code_problem.is_some().then_some("true")
                    aria-describedby=if code_problem.is_some() { "code-hint code-problem" } else { "code-hint" }
                />
                <p class="hint" id="code-hint">
                    {lang.pick(
                        "16 个字符，如 K7QM-3XPA-9RZD-H2WC；大小写、空格和连字符均可。评价码不含 0、1、I、O。",
                        "16 characters, e.g. K7QM-3XPA-9RZD-H2WC; any case, spaces and hyphens are fine. Codes have no 0, 1, I or O.",
                    )}
                </p>
                {code_problem.map(|t| view! { <p class="field-problem" id="code-problem">{t}</p> })}
            </div>
            <button type="submit">{lang.pick("下一步", "Next")}</button>
        </form>
    }
}

/// The inspection's facts.
#[component]
fn InspectionFacts(inspection: Inspection) -> impl IntoView {
    let lang = use_lang();
    let items = inspection.items.iter().map(|(_, name)| name.clone()).collect::<Vec<_>>().join(lang.pick("；", "; "));
    let team = inspection
        .team
        .iter()
        .map(|(cert, name)| match lang {
            Lang::Zh => format!("{name}（{cert}）"),
            Lang::En => format!("{name} ({cert})"),
        })
        .collect::<Vec<_>>()
        .join(lang.pick("、", ", "));
    let window = window_text(lang, &inspection);
    view! {
        <dl class="facts">
            <div><dt>{lang.pick("企业", "Enterprise")}</dt><dd>{inspection.enterprise_name.clone()}" "<code>{inspection.credit_code.clone()}</code></dd></div>
            <div><dt>{lang.pick("检查部门", "Department")}</dt><dd>{inspection.department.clone()}</dd></div>
            <div><dt>{lang.pick("检查事项", "Items inspected")}</dt><dd>{items}</dd></div>
            <div><dt>{lang.pick("检查日期", "Inspected on")}</dt><dd>{inspection.inspected_on.clone()}</dd></div>
            <div><dt>{lang.pick("检查人员", "Inspectors")}</dt><dd>{team}</dd></div>
            <div><dt>{lang.pick("评价期", "Feedback window")}</dt><dd>{window}</dd></div>
            <div>
                <dt>{lang.pick("检查结果", "Result")}</dt>
                <dd><a href=format!("/results/{}", inspection.result_code)>{inspection.result_code.clone()}</a></dd>
            </div>
        </dl>
    }
}

/// "From 2025-09-26 to 24:00 Beijing time on 2025-10-16".
fn window_text(lang: Lang, inspection: &Inspection) -> String {
    match (&inspection.delivered_on, &inspection.closes_on) {
        (None, _) => lang.pick("检查结果送达后开始", "Starts when the result is delivered").to_owned(),
        (Some(from), Some(to)) => match lang {
            Lang::Zh => format!("{from}（送达之日）至 {to} 24:00（北京时间）"),
            Lang::En => format!("{from} (the day of delivery) to 24:00 Beijing time on {to}"),
        },
        (Some(from), None) => match lang {
            Lang::Zh => format!("自 {from}（送达之日）起 10 个工作日；结束日期待次年节假日安排公布后确定"),
            Lang::En => format!(
                "10 working days from {from} (the day of delivery); the last day is known once next year's holidays are published"
            ),
        },
    }
}

#[component]
fn WindowNotice(state: WindowState, inspection: Inspection, latest: Option<Receipt>, csrf: String) -> impl IntoView {
    let lang = use_lang();
    let (heading, text) = match state {
        WindowState::NotDelivered => (
            lang.pick("评价期尚未开始", "The feedback window has not opened"),
            lang.pick(
                "这次检查的结果尚未送达（公示信息中没有送达日期），评价期从送达之日开始。",
                "The result of this inspection has not been delivered yet (no delivery date is published); the window opens on the day of delivery.",
            ),
        ),
        WindowState::NotYetOpen => (
            lang.pick("评价期尚未开始", "The feedback window has not opened"),
            lang.pick("评价期从检查结果送达之日开始。", "The window opens on the day the result is delivered."),
        ),
        WindowState::Closed => (
            lang.pick("评价期已结束", "The feedback window has closed"),
            lang.pick(
                "评价期已过，不能再提交或修改评价。如需反映检查人员的违法违纪问题，可随时向有关部门举报。",
                "The window has passed: feedback can no longer be sent or changed. Misconduct by inspectors can still be reported to the authorities at any time.",
            ),
        ),
        WindowState::Open => (lang.pick("评价期内", "Within the window"), ""),
    };
    let window = window_text(lang, &inspection);
    view! {
        <div class="notice notice-error" role="alert">
            <h2>{heading}</h2>
            <p>{text}</p>
            <p><strong>{lang.pick("评价期：", "Feedback window: ")}</strong>{window}</p>
        </div>
        <InspectionFacts inspection=inspection.clone()/>
        {latest.map(|r| {
            view! {
                <h2>{lang.pick("您提交过的评价", "The feedback you sent")}</h2>
                <ReceiptFacts receipt=r/>
                <ReceiptDownload credit_code=inspection.credit_code.clone() code=String::new() csrf=csrf.clone()/>
            }
        })}
    }
}

/// Five radio buttons for one subject.
#[component]
fn Levels(name: String, legend: String, chosen: Option<Satisfaction>, problem: Option<String>) -> impl IntoView {
    let options = Satisfaction::ALL
        .iter()
        .map(|s| {
            let id = format!("{name}-{}", s.value());
            let label_for = id.clone();
            let lang = use_lang();
            view! {
                <label for=label_for class="choice">
                    <input type="radio" id=id name=name.clone() value=s.value().to_string() checked=chosen == Some(*s) required/>
                    {s.name(lang)}
                </label>
            }
        })
        .collect_view();
    let problem_id = format!("{name}-problem");
    let described = problem.as_ref().map(|_| problem_id.clone());
    view! {
        <fieldset class="levels" id=name.clone() aria-describedby=described>
            <legend>{legend}</legend>
            {problem.map(|t| view! { <p class="field-problem" id=problem_id.clone()>{t}</p> })}
            <div class="choices">{options}</div>
        </fieldset>
    }
}

#[component]
fn FeedbackForm(
    inspection: Inspection,
    values: FeedbackValues,
    problems: Vec<FormProblem>,
    latest: Option<Receipt>,
    csrf: String,
) -> impl IntoView {
    let lang = use_lang();
    let inspectors = inspection
        .team
        .iter()
        .enumerate()
        .map(|(i, (certificate, name))| {
            let answers = values.inspectors.get(i).cloned().unwrap_or_default();
            let checks = Conduct::ALL
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let field = format!("conduct_{i}_{}", c.key());
                    let answer = answers.conduct.get(k).copied().flatten();
                    let (yes, no) = (format!("{field}-yes"), format!("{field}-no"));
                    let (yes_for, no_for) = (yes.clone(), no.clone());
                    view! {
                        <fieldset class="check" id=field.clone()>
                            <legend>{c.question(lang)}</legend>
                            <label for=yes_for class="choice">
                                <input type="radio" id=yes name=field.clone() value="yes" checked=answer == Some(true)/>
                                {lang.pick("是", "Yes")}
                            </label>
                            <label for=no_for class="choice">
                                <input type="radio" id=no name=field.clone() value="no" checked=answer == Some(false)/>
                                {lang.pick("否", "No")}
                            </label>
                        </fieldset>
                    }
                })
                .collect_view();
            let legend = match lang {
                Lang::Zh => format!("检查人员 {name}（执法证号 {certificate}）"),
                Lang::En => format!("Inspector {name} (certificate {certificate})"),
            };
            let level_legend = match lang {
                Lang::Zh => format!("对 {name} 的总体评价 *"),
                Lang::En => format!("Your overall rating of {name} *"),
            };
            let level_name = format!("level_{i}");
            let problem = problem_of(&problems, &level_name, lang);
            view! {
                <fieldset class="inspector">
                    <legend>{legend}</legend>
                    <input type="hidden" name=format!("inspector_{i}") value=certificate.clone()/>
                    <Levels name=level_name legend=level_legend chosen=answers.level problem/>
                    <p class="hint">{lang.pick("以下各项可选填：", "Optional:")}</p>
                    <div class="checks">{checks}</div>
                </fieldset>
            }
        })
        .collect_view();
    let text_problem = problem_of(&problems, "text", lang);
    let contact_problem = problem_of(&problems, "contact", lang);
    let department_problem = problem_of(&problems, "department", lang);
    let department_legend = match lang {
        Lang::Zh => format!("对检查部门（{}）的总体评价", inspection.department),
        Lang::En => format!("Your overall rating of the department ({})", inspection.department),
    };
    view! {
        <p class="lead">
            {lang.pick(
                "第二步：评价这次检查。带 * 的为必填项。",
                "Step 2: rate this inspection. Items marked * are required.",
            )}
        </p>
        <Problems problems=problems.clone()/>
        {latest.as_ref().map(|r| {
            let text = match lang {
                Lang::Zh => format!(
                    "您已提交过评价（第 {} 版，回执 {}）。下面是您上次提交的内容；再次提交将保存为第 {} 版，原版本保留。",
                    r.version, r.number, r.version + 1
                ),
                Lang::En => format!(
                    "You already sent feedback (version {}, receipt {}). It is filled in below; sending again stores version {}, and the earlier version is kept.",
                    r.version, r.number, r.version + 1
                ),
            };
            view! { <p class="notice">{text}</p> }
        })}
        <InspectionFacts inspection=inspection.clone()/>
        <form method="post" action=action(lang, "/feedback") class="feedback-form">
            <input type="hidden" name="csrf" value=csrf/>
            <input type="hidden" name="step" value="submit"/>
            <input type="hidden" name="credit_code" value=values.credit_code.clone()/>
            <input type="hidden" name="code" value=values.code.clone()/>
            <input type="hidden" name="based_on" value=values.based_on.to_string()/>
            <Levels
                name="department".to_owned()
                legend=format!("{department_legend} *")
                chosen=values.department
                problem=department_problem
            />
            {inspectors}
            <div class="field">
                <label for="text">{lang.pick("意见建议（选填）", "Comments (optional)")}</label>
                <textarea
                    id="text"
                    name="text"
                    rows="6"
                    maxlength=MAX_TEXT_CHARS.to_string()
                    aria-invalid=text_problem.is_some().then_some("true")
                    aria-describedby="text-hint"
                    // Leptos writes a text area's children unescaped on the server:
                    // the text goes in escaped, as the HTML it is read from.
                    inner_html=crate::components::verify::esc(&values.text)
                ></textarea>
                <p class="hint" id="text-hint">
                    {match lang {
                        Lang::Zh => format!("最多 {MAX_TEXT_CHARS} 个字。只有监督部门能看到。"),
                        Lang::En => format!("At most {MAX_TEXT_CHARS} characters. Only the supervisory office can read it."),
                    }}
                </p>
                {text_problem.map(|t| view! { <p class="field-problem">{t}</p> })}
            </div>
            <div class="field">
                <label for="contact">{lang.pick("联系方式（选填）", "Contact (optional)")}</label>
                <input
                    id="contact"
                    name="contact"
                    type="text"
                    value=values.contact.clone()
                    maxlength=MAX_CONTACT_CHARS.to_string()
                    autocomplete="tel"
                    aria-invalid=contact_problem.is_some().then_some("true")
                    aria-describedby="contact-hint"
                />
                <p class="hint" id="contact-hint">
                    {lang.pick(
                        "如希望监督部门回访，请留下电话或邮箱。",
                        "If you would like the supervisory office to contact you, leave a phone number or e-mail address.",
                    )}
                </p>
                {contact_problem.map(|t| view! { <p class="field-problem">{t}</p> })}
            </div>
            <button type="submit">{lang.pick("提交评价", "Send feedback")}</button>
        </form>
    }
}

#[component]
fn ReceiptFacts(receipt: Receipt) -> impl IntoView {
    let lang = use_lang();
    view! {
        <dl class="facts receipt">
            <div><dt>{lang.pick("回执编号", "Receipt number")}</dt><dd><code>{receipt.number.clone()}</code></dd></div>
            <div><dt>{lang.pick("版本", "Version")}</dt><dd>{receipt.version}</dd></div>
            <div><dt>{lang.pick("提交时间", "Sent at")}</dt><dd><BeijingTime value=receipt.submitted_at.clone()/></dd></div>
            <div><dt>"SHA-256"</dt><dd><code class="hash">{receipt.sha256.clone()}</code></dd></div>
        </dl>
    }
}

/// A button that downloads the latest receipt (the code is sent again, so only its holder gets it).
#[component]
fn ReceiptDownload(credit_code: String, code: String, csrf: String) -> impl IntoView {
    let lang = use_lang();
    let needs_code = code.is_empty();
    view! {
        <form method="post" action=action(lang, "/feedback/receipt") class="feedback-form receipt-download">
            <input type="hidden" name="csrf" value=csrf/>
            <input type="hidden" name="credit_code" value=credit_code/>
            {if needs_code {
                view! {
                    <div class="field">
                        <label for="receipt-code">{lang.pick("评价码", "Feedback code")}</label>
                        <input id="receipt-code" name="code" type="text" maxlength="40" autocomplete="off" required/>
                    </div>
                }
                    .into_any()
            } else {
                view! { <input type="hidden" name="code" value=code/> }.into_any()
            }}
            <button type="submit">{lang.pick("下载回执（JSON 文件）", "Download the receipt (JSON file)")}</button>
        </form>
    }
}

#[component]
fn Accepted(
    inspection: Inspection,
    receipt: Receipt,
    credit_code: String,
    code: String,
    csrf: String,
) -> impl IntoView {
    let lang = use_lang();
    view! {
        <div class="notice notice-ok" role="status">
            <h2>{lang.pick("评价已提交并保存", "Your feedback is sent and stored")}</h2>
            <p>
                {lang.pick(
                    "请保存回执：凭回执中的 SHA-256 和提交内容，您日后可以证明提交了什么、何时提交。",
                    "Keep the receipt: with its SHA-256 and the submission it records, you can later prove what you sent and when.",
                )}
            </p>
        </div>
        <ReceiptFacts receipt=receipt.clone()/>
        <ReceiptDownload credit_code=credit_code.clone() code=code.clone() csrf=csrf.clone()/>
        <details class="canonical">
            <summary>{lang.pick("提交内容（规范形式）", "What was sent (canonical form)")}</summary>
            <p>
                {lang.pick(
                    "SHA-256 按下面这段文字的 UTF-8 字节计算，可用 sha256sum 等工具核对。",
                    "The SHA-256 is of the UTF-8 bytes of this text; check it with sha256sum or any SHA-256 tool.",
                )}
            </p>
            <pre>{receipt.canonical.clone()}</pre>
        </details>
        <form method="post" action=action(lang, "/feedback") class="feedback-form">
            <input type="hidden" name="csrf" value=csrf/>
            <input type="hidden" name="step" value="identify"/>
            <input type="hidden" name="credit_code" value=credit_code/>
            <input type="hidden" name="code" value=code/>
            <button type="submit" class="secondary">{lang.pick("修改评价", "Change my feedback")}</button>
        </form>
        <InspectionFacts inspection/>
    }
}
