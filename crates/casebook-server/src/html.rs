//! HTML helpers: the sanitised case body, escaping, and the inline SVG charts.

use std::fmt::Write;

/// Renders a case body (markdown written by editors, or imported) to HTML that cannot run
/// script: ammonia keeps formatting, links and tables, and drops `<script>`, event-handler
/// attributes, `javascript:` URLs, `<style>`, `<iframe>` and the like.
pub fn render_body(markdown: &str) -> String {
    let html = casebook_corpus::markdown::to_html(markdown);
    ammonia::Builder::default()
        .link_rel(Some("noopener noreferrer nofollow ugc"))
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .clean(&html)
        .to_string()
}

pub use casebook_corpus::text::escape_html as escape;

/// One bar of a chart.
#[derive(Debug, Clone)]
pub struct Bar {
    /// Label under the bar (a year).
    pub label: String,
    /// Value.
    pub value: u64,
    /// Link of the bar, if any.
    pub href: Option<String>,
    /// Highlighted (selected).
    pub selected: bool,
}

/// An accessible bar chart as inline SVG (no script, no inline style: classes only). Each
/// bar carries a `<title>` with its label and value; the whole chart has a title for
/// screen readers.
pub fn bar_chart(bars: &[Bar], title: &str, height: u32, show_labels: bool) -> String {
    // Drawn at 1.5× its viewBox at most: CSS lets it shrink on narrow screens, never grow.
    if bars.is_empty() {
        return String::new();
    }
    let bar_width = 28u32;
    let gap = 6u32;
    let label_space = if show_labels { 18 } else { 0 };
    let width = bars.len() as u32 * (bar_width + gap);
    let max = bars.iter().map(|b| b.value).max().unwrap_or(1).max(1);
    let chart_height = height - label_space;
    let mut svg = String::new();
    // A chart of links is a group of links (an image may not hold controls); each link is
    // named by its own title, since its visible text (value, year) is in another order.
    let role = if bars.iter().any(|b| b.href.is_some()) { "group" } else { "img" };
    let _ = write!(
        svg,
        r#"<svg class="chart" viewBox="0 0 {width} {height}" width="{w}" height="{h}" role="{role}" aria-label="{t}" preserveAspectRatio="xMinYMax meet"><title>{t}</title>"#,
        t = escape(title),
        w = width * 3 / 2,
        h = height * 3 / 2
    );
    for (i, bar) in bars.iter().enumerate() {
        let x = i as u32 * (bar_width + gap);
        let bar_height = ((bar.value as f64 / max as f64) * f64::from(chart_height - 14)).round() as u32;
        let bar_height = if bar.value > 0 { bar_height.max(2) } else { 0 };
        let y = chart_height - bar_height;
        let class = if bar.selected { "bar selected" } else { "bar" };
        let label = escape(&bar.label);
        let mut element = format!(
            r#"<rect class="{class}" x="{x}" y="{y}" width="{bar_width}" height="{bar_height}"><title>{label}: {v}</title></rect><text class="value" x="{cx}" y="{vy}">{v}</text>"#,
            v = bar.value,
            cx = x + bar_width / 2,
            vy = y.saturating_sub(3).max(10),
        );
        if show_labels {
            let _ =
                write!(element, r#"<text class="label" x="{}" y="{}">{label}</text>"#, x + bar_width / 2, height - 4);
        }
        match &bar.href {
            Some(href) => {
                let _ = write!(svg, r#"<a href="{}"><title>{label}: {}</title>{element}</a>"#, escape(href), bar.value);
            }
            None => svg.push_str(&element),
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_html_cannot_run_script() {
        let html = render_body(
            "Text <script>alert(1)</script> <img src=x onerror=\"alert(2)\"> [link](javascript:alert(3)) <a href=\"https://ok.example\" onclick=\"x()\">ok</a>\n\n<svg><script>alert(4)</script></svg><iframe src=\"https://evil.example\"></iframe>",
        );
        for bad in ["<script", "onerror", "javascript:", "onclick", "<iframe", "<svg", "alert(1)"] {
            assert!(!html.contains(bad), "{bad} in {html}");
        }
        assert!(html.contains(r#"href="https://ok.example""#), "{html}");
    }

    #[test]
    fn chart_escapes_labels() {
        let svg = bar_chart(
            &[Bar { label: "<b>".into(), value: 3, href: Some("/s?a=1&b=2".into()), selected: false }],
            "t",
            120,
            true,
        );
        assert!(svg.contains("&lt;b&gt;") && svg.contains("/s?a=1&amp;b=2"), "{svg}");
    }
}
