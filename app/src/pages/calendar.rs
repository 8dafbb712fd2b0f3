//! `/calendar`: the official working-day calendar (法定工作日) the portal
//! counts deadlines with: each year's holidays and make-up working days, with
//! the State Council notice they come from.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::portal::calendar_page;
use crate::calendar::{Calendar, PublishedYear, day, weekday};
use crate::components::load::loaded;
use crate::i18n::{Lang, use_lang};

/// A holiday's name in the page's language (the data keeps the notice's Chinese).
fn holiday_name(lang: Lang, name: &str) -> String {
    if lang == Lang::Zh {
        return name.to_owned();
    }
    name.split('、')
        .map(|part| match part {
            "元旦" => "New Year's Day",
            "春节" => "Spring Festival",
            "清明节" => "Qingming Festival",
            "劳动节" => "Labour Day",
            "端午节" => "Dragon Boat Festival",
            "中秋节" => "Mid-Autumn Festival",
            "国庆节" => "National Day",
            _ => "holiday",
        })
        .collect::<Vec<_>>()
        .join(" and ")
}

fn weekday_name(lang: Lang, date: &str) -> &'static str {
    let names_zh = ["周一", "周二", "周三", "周四", "周五", "周六", "周日"];
    let names_en = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"];
    let i = day(date).map_or(0, |d| weekday(d) as usize);
    lang.pick(names_zh[i], names_en[i])
}

fn year_section(lang: Lang, y: &PublishedYear) -> AnyView {
    let c = &y.calendar;
    let working_days = Calendar::new([c.clone()]).and_then(|cal| cal.working_days_in(c.year)).ok();
    let id = format!("y{}", c.year);
    let labelled_by = id.clone();
    let heading = match lang {
        Lang::Zh => format!("{} 年", c.year),
        Lang::En => c.year.to_string(),
    };
    let notice_title = match lang {
        Lang::Zh => c.notice.title.clone(),
        Lang::En => format!("Notice of the General Office of the State Council on the {} holidays", c.year),
    };
    let number = c.notice.number.clone().map(|n| view! { " " <span lang="zh-CN">{n}</span> });
    let total = working_days.map(|n| match lang {
        Lang::Zh => format!("全年法定工作日 {n} 天。"),
        Lang::En => format!("{n} working days in the year."),
    });
    let correction = y.correction_reason.clone().map(|r| {
        view! {
            <p class="muted">
                {match lang {
                    Lang::Zh => format!("第 {} 版，更正理由：", y.version),
                    Lang::En => format!("Version {}, corrected: ", y.version),
                }}
                {r}
            </p>
        }
    });
    let holidays = c
        .holidays
        .iter()
        .map(|h| {
            let days = match (day(&h.from), day(&h.to)) {
                (Some(a), Some(b)) => b - a + 1,
                _ => 0,
            };
            view! {
                <tr>
                    <th scope="row">{holiday_name(lang, &h.name)}</th>
                    <td>
                        <time datetime=h.from.clone()>{h.from.clone()}</time>
                        " – "
                        <time datetime=h.to.clone()>{h.to.clone()}</time>
                    </td>
                    <td class="num">{days}</td>
                </tr>
            }
        })
        .collect_view();
    let workdays = c
        .workdays
        .iter()
        .map(|w| {
            view! {
                <tr>
                    <td>
                        <time datetime=w.date.clone()>{w.date.clone()}</time>
                        " "
                        {weekday_name(lang, &w.date)}
                    </td>
                    <td>{holiday_name(lang, &w.holiday)}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section aria-labelledby=labelled_by>
            <h2 id=id>{heading}</h2>
            <p>
                {lang.pick("依据：", "Source: ")}
                <a href=c.notice.url.clone() rel="external noopener noreferrer">{notice_title}</a>
                {number}
                {match lang {
                    Lang::Zh => format!("（{}）", c.notice.issued),
                    Lang::En => format!(" ({})", c.notice.issued),
                }}
            </p>
            <p>{total}</p>
            {correction}
            <table class="data">
                <caption>{lang.pick("放假", "Holidays")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{lang.pick("节日", "Holiday")}</th>
                        <th scope="col">{lang.pick("放假日期", "Days off")}</th>
                        <th scope="col" class="num">{lang.pick("天数", "Days")}</th>
                    </tr>
                </thead>
                <tbody>{holidays}</tbody>
            </table>
            <table class="data">
                <caption>{lang.pick("调休上班日", "Make-up working days")}</caption>
                <thead>
                    <tr>
                        <th scope="col">{lang.pick("日期", "Date")}</th>
                        <th scope="col">{lang.pick("调休所属节日", "For the holiday")}</th>
                    </tr>
                </thead>
                <tbody>{workdays}</tbody>
            </table>
        </section>
    }
    .into_any()
}

#[component]
pub fn CalendarPage() -> impl IntoView {
    let lang = use_lang();
    let data = Resource::new(|| (), |_| calendar_page());
    view! {
        <Title text=lang.pick("法定工作日 · 公开", "Working days · Gongkai")/>
        <h1>{lang.pick("法定工作日", "Official working days")}</h1>
        <p class="lead">
            {lang.pick(
                "本站按国务院办公厅每年公布的节假日安排计算期限：周一至周五且非放假日，或调休上班日，为工作日。“N 个工作日内”从事件次日起算，至第 N 个工作日北京时间 24 时止。尚未公布安排的年份不计算期限。",
                "Deadlines on this site are counted with the holidays the General Office of the State Council announces each year: a working day is Monday to Friday and not a holiday, or a make-up working day. \"Within N working days\" counts from the day after the event and ends at midnight Beijing time of the Nth working day. Deadlines in a year whose holidays are not yet announced are not counted.",
            )}
        </p>
        <p>
            {lang.pick("开放数据：", "Open data: ")}
            <a href="/api/calendar" rel="external"><code>"/api/calendar"</code></a>
            {lang.pick("；单一年份：", "; one year: ")}
            <code>"/api/calendar/{year}"</code>
        </p>
        {loaded(
            data,
            move |years: Vec<PublishedYear>| {
                if years.is_empty() {
                    return view! { <p>{lang.pick("尚未公布任何年份。", "No year is published yet.")}</p> }.into_any();
                }
                years.iter().map(|y| year_section(lang, y)).collect_view().into_any()
            },
        )}
    }
}
