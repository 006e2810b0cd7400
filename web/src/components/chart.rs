//! Bar charts as inline SVG (no JavaScript library): stacked bars per day with a tooltip per
//! bar, an accessible name, and the numbers in a table beside it for screen readers.

use leptos::prelude::*;

/// One stacked series: its name in the legend and tooltips, and its CSS class.
#[derive(Clone, Copy)]
pub struct Series {
    pub name: &'static str,
    pub class: &'static str,
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG markup of a stacked bar chart: `values[day][series]`.
pub fn bar_chart_svg(
    title: &str,
    labels: &[String],
    series: &[Series],
    values: &[Vec<i64>],
) -> String {
    const HEIGHT: f64 = 200.0;
    const LEFT: f64 = 44.0;
    const BOTTOM: f64 = 22.0;
    const TOP: f64 = 10.0;
    let days = labels.len().max(1);
    let width = (days as f64 * 18.0 + LEFT + 8.0).max(720.0);
    let plot = HEIGHT - BOTTOM - TOP;
    let step = (width - LEFT - 8.0) / days as f64;
    let bar = (step * 0.7).max(2.0);
    let max = values
        .iter()
        .map(|day| day.iter().copied().map(|v| v.max(0)).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let mut svg = format!(
        r#"<svg class="chart" viewBox="0 0 {width:.0} {HEIGHT:.0}" role="img" aria-label="{}" preserveAspectRatio="xMinYMin meet">"#,
        escape(title)
    );
    svg.push_str(&format!(
        r#"<line class="axis" x1="{LEFT}" y1="{y:.1}" x2="{x2:.1}" y2="{y:.1}"/><line class="axis" x1="{LEFT}" y1="{TOP}" x2="{x2:.1}" y2="{TOP}" stroke-dasharray="3 3"/>"#,
        y = TOP + plot,
        x2 = width - 8.0
    ));
    svg.push_str(&format!(
        r#"<text x="{x}" y="{y}" text-anchor="end">{max}</text><text x="{x}" y="{y0:.1}" text-anchor="end">0</text>"#,
        x = LEFT - 6.0,
        y = TOP + 4.0,
        y0 = TOP + plot + 4.0,
    ));
    for (index, (label, day)) in labels.iter().zip(values).enumerate() {
        let x = LEFT + index as f64 * step + (step - bar) / 2.0;
        let mut base = TOP + plot;
        let tip: Vec<String> = series
            .iter()
            .zip(day)
            .map(|(s, v)| format!("{}: {v}", s.name))
            .collect();
        let tip = escape(&format!("{label} — {}", tip.join(", ")));
        for (s, value) in series.iter().zip(day) {
            if *value <= 0 {
                continue;
            }
            let h = plot * (*value as f64) / max as f64;
            base -= h;
            svg.push_str(&format!(
                r#"<rect class="{}" x="{x:.1}" y="{base:.1}" width="{bar:.1}" height="{h:.1}"><title>{tip}</title></rect>"#,
                s.class
            ));
        }
        // An invisible full-height target so empty days have a tooltip too.
        svg.push_str(&format!(
            r#"<rect x="{x:.1}" y="{TOP}" width="{bar:.1}" height="{plot:.1}" fill="transparent"><title>{tip}</title></rect>"#
        ));
    }
    if let (Some(first), Some(last)) = (labels.first(), labels.last()) {
        let y = HEIGHT - 6.0;
        svg.push_str(&format!(
            r#"<text x="{LEFT}" y="{y}">{}</text><text x="{x:.1}" y="{y}" text-anchor="end">{}</text>"#,
            escape(first),
            escape(last),
            x = width - 8.0
        ));
    }
    svg.push_str("</svg>");
    svg
}

#[component]
pub fn BarChart(
    id: &'static str,
    title: &'static str,
    labels: Vec<String>,
    series: Vec<Series>,
    values: Vec<Vec<i64>>,
) -> impl IntoView {
    let svg = bar_chart_svg(title, &labels, &series, &values);
    let legend = series
        .iter()
        .map(|s| {
            view! {
                <span>
                    <span class=format!("swatch {}", s.class) aria-hidden="true"></span>
                    {s.name}
                </span>
            }
        })
        .collect_view();
    let head = series
        .iter()
        .map(|s| view! { <th class="num" scope="col">{s.name}</th> })
        .collect_view();
    let rows = labels
        .iter()
        .zip(&values)
        .map(|(label, day)| {
            let cells = day
                .iter()
                .map(|v| view! { <td class="num">{*v}</td> })
                .collect_view();
            view! {
                <tr>
                    <th scope="row">{label.clone()}</th>
                    {cells}
                </tr>
            }
        })
        .collect_view();
    view! {
        <figure class="card" id=id>
            <figcaption>
                <h2>{title}</h2>
                <div class="legend">{legend}</div>
            </figcaption>
            <div inner_html=svg></div>
            <details>
                <summary>"Show as a table"</summary>
                <div class="table-wrap">
                    <table>
                        <thead>
                            <tr>
                                <th scope="col">"Day"</th>
                                {head}
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            </details>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_one_bar_per_series_value_and_escapes_text() {
        let series = [
            Series {
                name: "In",
                class: "bar-in",
            },
            Series {
                name: "Out",
                class: "bar-out",
            },
        ];
        let svg = bar_chart_svg(
            "Messages <per day>",
            &["2026-11-24".to_string(), "2026-11-25".to_string()],
            &series,
            &[vec![0, 0], vec![3, 1]],
        );
        assert!(svg.starts_with("<svg"));
        assert!(svg.contains("Messages &lt;per day&gt;"));
        assert_eq!(svg.matches("class=\"bar-in\"").count(), 1);
        assert_eq!(svg.matches("class=\"bar-out\"").count(), 1);
        assert!(svg.contains("2026-11-25 — In: 3, Out: 1"));
        assert!(
            svg.contains(">4</text>"),
            "the scale's top is the largest day"
        );
    }
}
