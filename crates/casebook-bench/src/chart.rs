//! The chart of `docs/performance.md`: p50 latency per query class against corpus size,
//! Casebook beside SQLite FTS5, log scales, as a self-contained SVG.

use std::fmt::Write;

const CLASSES: &[&str] = &["browse", "text", "text+facets", "text+facets+years"];
const WIDTH: f64 = 860.0;
const HEIGHT: f64 = 420.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 230.0;
const TOP: f64 = 40.0;
const BOTTOM: f64 = 60.0;

fn p50(run: &serde_json::Value, engine: &str, class: &str) -> Option<f64> {
    run.get(engine)?.get(class)?.get("p50")?.as_f64()
}

/// The SVG of several result files (one per corpus size).
pub fn svg(runs: &[serde_json::Value]) -> String {
    let mut points: Vec<(f64, &serde_json::Value)> =
        runs.iter().filter_map(|r| Some((r.get("cases")?.as_f64()?, r))).collect();
    points.sort_by(|a, b| a.0.total_cmp(&b.0));
    let values: Vec<f64> = points
        .iter()
        .flat_map(|(_, r)| CLASSES.iter().flat_map(move |c| [p50(r, "casebook", c), p50(r, "fts5", c)]))
        .flatten()
        .filter(|v| *v > 0.0)
        .collect();
    let (min_y, max_y) = values.iter().fold((f64::MAX, f64::MIN), |(lo, hi), v| (lo.min(*v), hi.max(*v)));
    let (low, high) =
        ((min_y.max(1e-3)).log10().floor(), max_y.max(1e-2).log10().ceil().max(min_y.log10().floor() + 1.0));
    let (min_x, max_x) = (
        points.first().map_or(1.0, |p| p.0).log10(),
        points.last().map_or(10.0, |p| p.0).log10().max(points.first().map_or(1.0, |p| p.0).log10() + 1.0),
    );
    let plot_w = WIDTH - LEFT - RIGHT;
    let plot_h = HEIGHT - TOP - BOTTOM;
    let x = |cases: f64| LEFT + (cases.log10() - min_x) / (max_x - min_x) * plot_w;
    let y = |ms: f64| TOP + plot_h - (ms.max(1e-3).log10() - low) / (high - low) * plot_h;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" width="{WIDTH}" height="{HEIGHT}" font-family="sans-serif" font-size="12">
<title>Search latency (p50) per query class against corpus size: Casebook and SQLite FTS5</title>
<rect width="100%" height="100%" fill="#fff"/>
<text x="{LEFT}" y="22" font-size="15" font-weight="bold">p50 latency per query class (ms, log scale) vs cases</text>
"##
    );
    let mut decade = low;
    while decade <= high {
        let yy = y(10f64.powf(decade));
        let _ = writeln!(
            out,
            r##"<line x1="{LEFT}" x2="{}" y1="{yy:.1}" y2="{yy:.1}" stroke="#ddd"/><text x="{}" y="{:.1}" text-anchor="end">{}</text>"##,
            LEFT + plot_w,
            LEFT - 6.0,
            yy + 4.0,
            10f64.powf(decade)
        );
        decade += 1.0;
    }
    for (cases, _) in &points {
        let xx = x(*cases);
        let _ = writeln!(
            out,
            r##"<line x1="{xx:.1}" x2="{xx:.1}" y1="{TOP}" y2="{}" stroke="#eee"/><text x="{xx:.1}" y="{}" text-anchor="middle">{}</text>"##,
            TOP + plot_h,
            TOP + plot_h + 18.0,
            if *cases >= 1e6 { format!("{}M", cases / 1e6) } else { format!("{}k", cases / 1e3) }
        );
    }
    let colours = ["#0b4f8a", "#2a9d8f", "#c2410c", "#7c3aed"];
    for (i, class) in CLASSES.iter().enumerate() {
        for (engine, dash) in [("casebook", ""), ("fts5", "6 4")] {
            let line: Vec<String> = points
                .iter()
                .filter_map(|(cases, run)| p50(run, engine, class).map(|ms| format!("{:.1},{:.1}", x(*cases), y(ms))))
                .collect();
            if line.is_empty() {
                continue;
            }
            let _ = writeln!(
                out,
                r##"<polyline fill="none" stroke="{}" stroke-width="2" stroke-dasharray="{dash}" points="{}"/>"##,
                colours[i],
                line.join(" ")
            );
            for point in &line {
                let (px, py) = point.split_once(',').unwrap_or(("0", "0"));
                let _ = writeln!(out, r##"<circle cx="{px}" cy="{py}" r="3" fill="{}"/>"##, colours[i]);
            }
        }
        let ly = TOP + 20.0 + i as f64 * 22.0;
        let lx = LEFT + plot_w + 20.0;
        let _ = writeln!(
            out,
            r##"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="{}" stroke-width="2"/><text x="{}" y="{}">{class}</text>"##,
            lx + 24.0,
            colours[i],
            lx + 30.0,
            ly + 4.0
        );
    }
    let ly = TOP + 20.0 + CLASSES.len() as f64 * 22.0 + 10.0;
    let lx = LEFT + plot_w + 20.0;
    let _ = writeln!(
        out,
        r##"<line x1="{lx}" x2="{}" y1="{ly}" y2="{ly}" stroke="#333" stroke-width="2"/><text x="{}" y="{}">Casebook</text>"##,
        lx + 24.0,
        lx + 30.0,
        ly + 4.0
    );
    let _ = writeln!(
        out,
        r##"<line x1="{lx}" x2="{}" y1="{}" y2="{}" stroke="#333" stroke-width="2" stroke-dasharray="6 4"/><text x="{}" y="{}">SQLite FTS5</text>"##,
        lx + 24.0,
        ly + 20.0,
        ly + 20.0,
        lx + 30.0,
        ly + 24.0
    );
    out.push_str("</svg>\n");
    out
}
