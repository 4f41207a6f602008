//! The report's charts: SVG drawn here, each with a title and a description in words (`role`
//! `img`, labelled by both), and the same figures as a table beside it.

use serde::Serialize;

use crate::progress::GoalLine;
use crate::render::{Grid, esc, unmarked};
use crate::words::{Lang, count, ours, text};

/// A chart: its markup, its description in words, and its figures as a table.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct Chart {
    /// The SVG element (every text in it escaped).
    #[serde(skip)]
    pub(crate) svg: String,
    /// What it shows, in words.
    pub(crate) text: String,
    /// Its figures.
    pub(crate) table: Grid,
}

const W: f64 = 640.0;
const H: f64 = 260.0;
const LEFT: f64 = 64.0;
const RIGHT: f64 = 24.0;
const TOP: f64 = 20.0;
const BOTTOM: f64 = 40.0;

/// The progress of goal `g` (the `n`th chart of the page: its ids are unique in it): each
/// measurement a point on a line, the goal a dashed line across.
pub(crate) fn goal(g: &GoalLine, l: Lang, n: usize) -> Chart {
    let title = l.say("chart-title", &[("goal", text(&g.title))]);
    let (Some(first), Some(last)) = (g.points.first(), g.points.last()) else {
        // Called only for a goal with measurements; an empty chart says so in words.
        return Chart {
            svg: String::new(),
            text: title,
            table: table(g, l),
        };
    };
    let description = l.say(
        "chart-text",
        &[
            ("points", count(g.points.len())),
            ("first", ours(l.day(first.day))),
            ("last", ours(l.day(last.day))),
            ("target", ours(l.number(&g.target.to_string()))),
            ("unit", text(&g.unit)),
            ("value", ours(l.number(&last.value.to_string()))),
        ],
    );
    // Coordinates only: drawing needs no exact arithmetic.
    let top = g
        .points
        .iter()
        .map(|p| p.value.hundredths())
        .chain([g.target.hundredths(), 1])
        .max()
        .unwrap_or(1) as f64;
    let days: Vec<i64> = g.points.iter().map(|p| day_number(p.day)).collect();
    let (d0, d1) = (days[0], days[days.len() - 1]);
    let span = (d1 - d0).max(1) as f64;
    let x = |d: i64| {
        if d1 == d0 {
            LEFT + (W - LEFT - RIGHT) / 2.0
        } else {
            LEFT + (d - d0) as f64 / span * (W - LEFT - RIGHT)
        }
    };
    let y = |h: i64| TOP + (1.0 - h as f64 / top) * (H - TOP - BOTTOM);
    let mut svg = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" role=\"img\" \
         aria-labelledby=\"chart-{n}-t chart-{n}-d\"><title id=\"chart-{n}-t\">{}</title>\
         <desc id=\"chart-{n}-d\">{}</desc>",
        esc(&unmarked(&title)),
        esc(&unmarked(&description))
    );
    // Axes.
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{0:.1}\" x2=\"{1}\" y2=\"{0:.1}\" stroke=\"#4a4a4a\"/>\
         <line x1=\"{LEFT}\" y1=\"{TOP}\" x2=\"{LEFT}\" y2=\"{0:.1}\" stroke=\"#4a4a4a\"/>",
        H - BOTTOM,
        W - RIGHT
    ));
    let label = |x: f64, y: f64, anchor: &str, s: &str| {
        format!(
            "<text x=\"{x:.1}\" y=\"{y:.1}\" text-anchor=\"{anchor}\" font-size=\"13\" fill=\"#1b1b1b\">{}</text>",
            esc(&unmarked(s))
        )
    };
    svg.push_str(&label(LEFT - 6.0, H - BOTTOM + 4.0, "end", "0"));
    // The goal, dashed, labelled at the left axis.
    let gy = y(g.target.hundredths());
    svg.push_str(&format!(
        "<line x1=\"{LEFT}\" y1=\"{gy:.1}\" x2=\"{}\" y2=\"{gy:.1}\" stroke=\"#8a3b00\" stroke-width=\"2\" stroke-dasharray=\"6 4\"/>",
        W - RIGHT
    ));
    svg.push_str(&label(
        LEFT - 6.0,
        gy + 4.0,
        "end",
        &l.number(&g.target.to_string()),
    ));
    svg.push_str(&label(
        W - RIGHT,
        gy - 6.0,
        "end",
        &l.word("chart-goal-line"),
    ));
    // The measurements.
    let coords: Vec<(f64, f64)> = g
        .points
        .iter()
        .zip(&days)
        .map(|(p, d)| (x(*d), y(p.value.hundredths())))
        .collect();
    if coords.len() > 1 {
        let pts: Vec<String> = coords
            .iter()
            .map(|(a, b)| format!("{a:.1},{b:.1}"))
            .collect();
        svg.push_str(&format!(
            "<polyline points=\"{}\" fill=\"none\" stroke=\"#0b5394\" stroke-width=\"3\"/>",
            pts.join(" ")
        ));
    }
    for (a, b) in &coords {
        svg.push_str(&format!(
            "<circle cx=\"{a:.1}\" cy=\"{b:.1}\" r=\"5\" fill=\"#0b5394\"/>"
        ));
    }
    if let Some((a, b)) = coords.last() {
        svg.push_str(&label(
            *a,
            b - 10.0,
            "middle",
            &l.number(&last.value.to_string()),
        ));
    }
    svg.push_str(&label(LEFT, H - 12.0, "start", &l.day(first.day)));
    if d1 != d0 {
        svg.push_str(&label(W - RIGHT, H - 12.0, "end", &l.day(last.day)));
    }
    svg.push_str("</svg>");
    Chart {
        svg,
        text: description,
        table: table(g, l),
    }
}

fn table(g: &GoalLine, l: Lang) -> Grid {
    Grid {
        caption: l.say("chart-title", &[("goal", text(&g.title))]),
        head: vec![
            l.word("col-day"),
            format!("{} ({})", l.word("col-figure"), g.unit),
            l.word("col-note"),
        ],
        rows: g
            .points
            .iter()
            .map(|p| vec![l.day(p.day), l.number(&p.value.to_string()), p.note.clone()])
            .collect(),
        figures: vec![false, true, false],
    }
}

/// Days since 1970-01-01 of `d` (for spacing the points).
fn day_number(d: model::Day) -> i64 {
    d.civil()
        .duration_since(jiff::civil::date(1970, 1, 1))
        .as_secs()
        .div_euclid(86_400)
}
