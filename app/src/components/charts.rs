//! Charts drawn on the server as inline SVG (no JavaScript), each followed by
//! its data as a table: the SVG is decoration for sighted readers
//! (`aria-hidden`), the table is what screen readers and printouts rely on.

use leptos::prelude::*;

/// One bar: its label, value and how the value is shown.
#[derive(Clone, Debug, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: u64,
    pub shown: String,
    /// Drawn in the warning colour (e.g. beyond a deadline).
    pub warn: bool,
}

impl Bar {
    pub fn new(label: impl Into<String>, value: u64, shown: impl Into<String>) -> Bar {
        Bar { label: label.into(), value, shown: shown.into(), warn: false }
    }
}

const WIDTH: u64 = 640;

/// Published text (names are Chinese) marked with its language where it has
/// Chinese characters, so that an English page says which words are data.
pub fn data_text(text: String) -> impl IntoView {
    let chinese = text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    view! { <span lang=chinese.then_some("zh-CN")>{text}</span> }
}

fn scaled(value: u64, max: u64, span: u64) -> u64 {
    (value * span).checked_div(max).unwrap_or(0)
}

/// The data table under a column chart: one row of labels, one of values.
#[component]
fn WideTable(caption: String, headers: (String, String), bars: Vec<Bar>) -> impl IntoView {
    let (labels, values): (Vec<_>, Vec<_>) = bars.into_iter().map(|b| (b.label, b.shown)).unzip();
    view! {
        <div class="table-wrap">
            <table class="chart-data chart-data-wide">
                <caption>{caption}</caption>
                <tbody>
                    <tr>
                        <th scope="row">{headers.0}</th>
                        {labels.into_iter().map(|l| view! { <th scope="col">{l}</th> }).collect_view()}
                    </tr>
                    <tr>
                        <th scope="row">{headers.1}</th>
                        {values.into_iter().map(|v| view! { <td class="num">{v}</td> }).collect_view()}
                    </tr>
                </tbody>
            </table>
        </div>
    }
}

/// The data table under a chart.
#[component]
fn ChartTable(caption: String, headers: (String, String), bars: Vec<Bar>) -> impl IntoView {
    view! {
        <div class="table-wrap">
            <table class="chart-data">
                <caption>{caption}</caption>
                <thead>
                    <tr>
                        <th scope="col">{headers.0}</th>
                        <th scope="col" class="num">{headers.1}</th>
                    </tr>
                </thead>
                <tbody>
                    {bars
                        .into_iter()
                        .map(|b| view! { <tr><th scope="row">{data_text(b.label)}</th><td class="num">{b.shown}</td></tr> })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
}

/// Horizontal bars, one labelled row each (long Chinese labels fit above their bar).
/// `scale` is the value of a full bar (e.g. 1000 for per-mille rates); `None`: the largest value.
#[component]
pub fn RowChart(
    #[prop(into)] title: String,
    headers: (String, String),
    bars: Vec<Bar>,
    #[prop(optional)] scale: Option<u64>,
) -> impl IntoView {
    let max = scale.unwrap_or_else(|| bars.iter().map(|b| b.value).max().unwrap_or(0));
    let row = 36u64;
    let height = row * bars.len() as u64 + 8;
    let span = WIDTH - 90;
    let shapes = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let y = i as u64 * row;
            let w = scaled(b.value.min(max), max, span);
            view! {
                <text x="0" y=y + 12 class="chart-label">{b.label.clone()}</text>
                <rect x="0" y=y + 16 width=w.max(1) height="14" class=if b.warn { "bar bar-warn" } else { "bar" }></rect>
                <text x=w + 6 y=y + 28 class="chart-value">{b.shown.clone()}</text>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                width=WIDTH
                height=height
                aria-hidden="true"
                focusable="false"
                xmlns="http://www.w3.org/2000/svg"
            >
                {shapes}
            </svg>
            <ChartTable caption=title headers=headers bars=bars/>
        </figure>
    }
}

/// Vertical bars over a row of short labels (days, months, years), with an
/// optional marker line after bar `marker.0` (a deadline) labelled `marker.1`.
#[component]
pub fn ColumnChart(
    #[prop(into)] title: String,
    headers: (String, String),
    bars: Vec<Bar>,
    #[prop(optional)] marker: Option<(usize, String)>,
) -> impl IntoView {
    let max = bars.iter().map(|b| b.value).max().unwrap_or(0);
    let (top, plot, base) = (22u64, 150u64, 40u64);
    let height = top + plot + base;
    let n = bars.len().max(1) as u64;
    let step = (WIDTH - 20) / n;
    let width = (step * 7 / 10).max(2);
    let shapes = bars
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let x = 10 + i as u64 * step;
            let h = scaled(b.value, max, plot);
            let y = top + plot - h;
            // Label every bar when they fit, else every fifth.
            let label = (n <= 24 || i % 5 == 0).then(|| {
                view! { <text x=x + width / 2 y=top + plot + 16 class="chart-tick">{b.label.clone()}</text> }
            });
            view! {
                <rect x=x y=y width=width height=h.max(1) class=if b.warn { "bar bar-warn" } else { "bar" }></rect>
                {(n <= 24 && b.value > 0).then(|| view! {
                    <text x=x + width / 2 y=y.saturating_sub(4).max(10) class="chart-tick">{b.shown.clone()}</text>
                })}
                {label}
            }
        })
        .collect_view();
    let mark = marker.map(|(after, text)| {
        let x = 10 + (after as u64 + 1) * step - (step - width) / 2;
        view! {
            <line x1=x y1=top - 6 x2=x y2=top + plot class="chart-marker"></line>
            <text x=x + 4 y=top + 4 class="chart-marker-label">{text}</text>
        }
    });
    view! {
        <figure class="chart">
            <svg
                viewBox=format!("0 0 {WIDTH} {height}")
                width=WIDTH
                height=height
                aria-hidden="true"
                focusable="false"
                xmlns="http://www.w3.org/2000/svg"
            >
                <line x1="0" y1=top + plot x2=WIDTH y2=top + plot class="chart-axis"></line>
                {shapes}
                {mark}
            </svg>
            <WideTable caption=title headers=headers bars=bars/>
        </figure>
    }
}
