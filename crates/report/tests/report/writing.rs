//! The report written out: what its sentences say, in both languages; one HTML file that
//! fetches nothing; Markdown and HTML that a member's text cannot break out of; JSON.

use report::{Format, Lang, Period, progress, render, sentences};

use crate::fixture::{at, day, fixture, member};

fn spring() -> Period {
    Period {
        from: Some(day("2026-04-01")),
        to: Some(day("2026-06-30")),
    }
}

fn words(lang: Lang, period: Period) -> String {
    let state = fixture().doc.read().unwrap();
    let made = progress(&state, period, at("2026-07-01", 12));
    sentences(&made, lang).replace(['\u{2068}', '\u{2069}'], "")
}

#[test]
fn the_report_says_in_words_what_the_records_hold() {
    let en = words(Lang::En, spring());
    for said in [
        "This report covers April 1, 2026 to June 30, 2026.",
        "The coalition has 6 member groups.",
        "Fare-free buses: 40 of 100 percent, up from 25 in March 2026.",
        "New bus shelters: 52 of 50 shelters, up from 12 in February 2026. The goal is met.",
        "Ramps at every stop: nothing was measured in this time. The goal is 200 stops.",
        "Join the May Day rally (April 12, 2026). Passed by majority vote: 4 of 6 members agreed.",
        "Statements need consent (April 21, 2026). Passed by consensus: all 6 members agreed.",
        "Blocked by St. Mary's Church: “We do not back candidates.”",
        "Hold a fare strike (May 12, 2026). Did not pass: 2 agreed and 3 did not.",
        "One proposal is still open.",
        "Campaign fund: no group gave in this time. 1,200 USD went to members.",
        "Familias Unidas got 1,200 USD for “Spanish flyers for Route 9” (April 3, 2026).",
        "Familias Unidas got more than 50% of what Campaign fund gave out.",
        "labor: 2 issues, 2 still open.",
        "tenants: one issue, one still open.",
        "One issue names no group of people.",
        "Fares too high for low-wage workers: 62% of riders earn under $30,000 (Rider survey). Broken down by race and income.",
        "Broken ramps on Route 9: 41 of 120 ramps broken (City audit). It is not broken down by group.",
        "Signs only in English, raised by Familias Unidas",
        "2 meetings were held.",
        "Version 2 was agreed on April 21, 2026 by 6 groups.",
        "New value: access for all.",
        "Public statements now need consent, with 50% of members taking part.",
    ] {
        assert!(en.contains(said), "{said:?} in:\n{en}");
    }
    assert!(!en.contains("Raised"), "no name of a state in code words");

    let es = words(Lang::Es, spring());
    for said in [
        "Este informe va del 1 de abril de 2026 al 30 de junio de 2026.",
        "Fare-free buses: 40 de 100 percent, más que en marzo de 2026, cuando era 25.",
        "Se aprobó por consenso: los 6 miembros dijeron que sí.",
        "tenants: un tema; uno sigue abierto.",
        "Lo frenó St. Mary's Church: «We do not back candidates.»",
        "Familias Unidas recibió 1200 USD para «Spanish flyers for Route 9» (3 de abril de 2026).",
        "Hubo 2 reuniones.",
        "La versión 2 se acordó el 21 de abril de 2026, con 6 grupos.",
        "Las declaraciones ahora piden consentimiento, con 50% de los miembros.",
    ] {
        assert!(es.contains(said), "{said:?} in:\n{es}");
    }
}

#[test]
fn a_period_counts_only_what_happened_in_it() {
    let all = words(Lang::En, Period::default());
    assert!(all.contains("This report covers all the records up to July 1, 2026."));
    assert!(all.contains("5 decisions were made."), "{all}");
    assert!(all.contains("3 groups gave 4,800 USD."), "{all}");
    assert!(
        all.contains("Version 1 was agreed on January 5, 2026 by one group."),
        "{all}"
    );
    let winter = words(
        Lang::En,
        Period {
            from: None,
            to: Some(day("2026-03-31")),
        },
    );
    assert!(
        winter.contains("No decision was made in this time."),
        "{winter}"
    );
    assert!(
        winter.contains("Fare-free buses: 25 of 100 percent, up from 10 in January 2026."),
        "a measure after the period is left out: {winter}"
    );
}

#[test]
fn the_html_file_is_self_contained_accessible_in_structure_and_in_the_readers_language() {
    let state = fixture().doc.read().unwrap();
    let made = progress(&state, spring(), at("2026-07-01", 12));
    for lang in Lang::ALL {
        let html = render(&made, lang, Format::Html);
        assert!(html.starts_with("<!DOCTYPE html>"));
        assert!(html.contains(&format!("<html lang=\"{}\">", lang.tag())));
        for outside in [
            "src=",
            "href=\"http",
            "href=\"//",
            "url(",
            "@import",
            "<script",
            "<link",
        ] {
            assert!(!html.contains(outside), "{outside} fetches something");
        }
        assert!(
            html.contains("default-src 'none'"),
            "and a policy says it may not"
        );
        assert!(html.contains("@page"), "it prints");
        // Each chart: an image with a title and a description, and its table beside it.
        let charts = html.matches("<svg ").count();
        assert_eq!(charts, 2, "two goals have measurements");
        assert_eq!(
            html.matches("role=\"img\" aria-labelledby=\"chart-")
                .count(),
            charts
        );
        assert_eq!(html.matches("<title id=\"chart-").count(), charts);
        assert_eq!(html.matches("<desc id=\"chart-").count(), charts);
        assert!(html.matches("<table>").count() >= charts + 3);
        assert_eq!(html.matches("<h1>").count(), 1);
    }
    let es = render(&made, Lang::Es, Format::Html);
    assert!(es.contains("informe de avances"));
    assert!(es.contains("Metas"));
    assert!(es.contains("30 de junio de 2026"));
}

#[test]
fn a_members_text_cannot_break_out_of_html_or_markdown() {
    let mut f = fixture();
    let evil =
        "<script>alert(1)</script> [click](http://evil) ![x](http://evil/x.png) | # \u{202e}olleh";
    f.doc
        .update_profile(
            &member(5),
            model::ProfileUpdate {
                name: Some(evil.into()),
                ..Default::default()
            },
            at("2026-06-30", 10),
        )
        .unwrap();
    let state = f.doc.read().unwrap();
    let made = progress(&state, spring(), at("2026-07-01", 12));
    let html = render(&made, Lang::En, Format::Html);
    assert!(!html.contains("<script>"));
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(
        !html.contains('\u{202e}'),
        "a direction override is left out"
    );
    let md = render(&made, Lang::En, Format::Md);
    assert!(!md.contains("<script>"));
    assert!(
        !md.contains("[click](") && !md.contains("![x]("),
        "no link or image:\n{md}"
    );
    assert!(md.contains("\\<script\\>") && md.contains("\\[click\\]") && md.contains("\\!\\[x\\]"));
    for line in md.lines().filter(|l| l.starts_with('|')) {
        let cells = line.matches(" | ").count();
        assert!(cells <= 4, "a bar in a name does not make a column: {line}");
    }
    assert!(!md.contains('\u{202e}'));
}

#[test]
fn the_json_holds_the_figures_and_the_words() {
    let state = fixture().doc.read().unwrap();
    let made = progress(&state, spring(), at("2026-07-01", 12));
    let json: serde_json::Value =
        serde_json::from_str(&render(&made, Lang::Es, Format::Json)).unwrap();
    assert_eq!(json["figures"]["name"], "Harbor Transit Justice");
    assert_eq!(json["figures"]["period"]["from"], "2026-04-01");
    assert_eq!(json["figures"]["decisions"].as_array().unwrap().len(), 5);
    assert_eq!(json["figures"]["goals"][0]["latest"]["value"], "40");
    assert_eq!(json["page"]["lang"], "es");
    assert_eq!(json["page"]["sections"][0]["heading"], "Metas");
}

#[test]
fn every_message_the_code_names_is_in_both_catalogs() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let catalogs: Vec<String> = ["en", "es"]
        .iter()
        .map(|l| std::fs::read_to_string(root.join(format!("i18n/{l}/report.ftl"))).unwrap())
        .collect();
    let mut named = 0;
    for file in ["render.rs", "chart.rs", "words.rs"] {
        let src = std::fs::read_to_string(root.join("src").join(file)).unwrap();
        for call in ["say(\n", "say(", "word("] {
            for (at, _) in src.match_indices(call) {
                let rest = src[at + call.len()..].trim_start();
                let Some(rest) = rest.strip_prefix('"') else {
                    continue;
                };
                let id = &rest[..rest.find('"').unwrap()];
                named += 1;
                for c in &catalogs {
                    assert!(
                        c.lines().any(|l| l.starts_with(&format!("{id} ="))),
                        "{id} in {file}"
                    );
                }
            }
        }
    }
    assert!(named > 40, "{named}");
}

#[test]
fn a_long_list_is_cut_and_counted_and_evidence_is_not_said_by_by() {
    let mut f = fixture();
    for n in 0..11u8 {
        f.doc
            .add_issue(
                &member(2),
                model::NewIssue {
                    id: model::IssueId::from_bytes([100 + n; 16]),
                    title: format!("Route {n} runs late"),
                    description: String::new(),
                    tags: vec!["bus riders".into()],
                    lead: None,
                },
                at("2026-05-05", 10),
            )
            .unwrap();
    }
    f.doc
        .add_evidence(
            &member(2),
            &model::IssueId::from_bytes([100; 16]),
            "Rider log",
            "20 minutes late on average",
            "by time of day",
            at("2026-05-06", 10),
        )
        .unwrap();
    let state = f.doc.read().unwrap();
    let made = progress(&state, spring(), at("2026-07-01", 12));
    let en = sentences(&made, Lang::En).replace(['\u{2068}', '\u{2069}'], "");
    assert!(
        en.contains("13 issues have no support from other groups yet:"),
        "{en}"
    );
    assert!(
        en.contains("…and 3 more (all of them are in the CSV tables)."),
        "{en}"
    );
    assert_eq!(en.matches(", raised by ").count(), 10);
    assert!(
        en.contains("(Rider log). Broken down by time of day."),
        "{en}"
    );
}

#[test]
fn the_spanish_report_shows_members_texts_as_members_translated_them() {
    use model::translations::{Target, digest};
    let mut f = fixture();
    let fares = model::GoalId::from_bytes([1; 16]);
    f.doc
        .translate(
            &member(5),
            &Target::GoalTitle(fares),
            &"es".parse().unwrap(),
            "Autobuses gratis",
            false,
            at("2026-06-11", 9),
        )
        .unwrap();
    let state = f.doc.read().unwrap();
    let all = f.doc.translations();
    assert_eq!(all[0].of, digest("Fare-free buses"));
    let made = report::progress_with(&state, spring(), at("2026-07-01", 12), &all);
    let es = sentences(&made, Lang::Es).replace(['\u{2068}', '\u{2069}'], "");
    assert!(es.contains("Autobuses gratis: 40 de 100 percent"), "{es}");
    assert!(
        es.contains("Un texto de un miembro se muestra como lo tradujo otro miembro."),
        "{es}"
    );
    let en = sentences(&made, Lang::En).replace(['\u{2068}', '\u{2069}'], "");
    assert!(en.contains("Fare-free buses: 40 of 100 percent"), "{en}");
    assert!(!en.contains("translated"), "{en}");

    // A "translation" into the text's own language would put words in its author's mouth:
    // left out (St. Mary's Church works in English; its block reason stays its own).
    let proposal = model::ProposalId::from_bytes([21; 16]);
    f.doc
        .translate(
            &member(4),
            &Target::Reason(proposal, member(3)),
            &"en".parse().unwrap(),
            "We love the mayor.",
            false,
            at("2026-06-12", 9),
        )
        .unwrap();
    let state = f.doc.read().unwrap();
    let made = report::progress_with(
        &state,
        spring(),
        at("2026-07-01", 12),
        &f.doc.translations(),
    );
    let en = sentences(&made, Lang::En).replace(['\u{2068}', '\u{2069}'], "");
    assert!(en.contains("“We do not back candidates.”"), "{en}");
    assert!(!en.contains("mayor."), "{en}");
    // The JSON carries the figures and the page, not a map of every translated text.
    let json: serde_json::Value =
        serde_json::from_str(&render(&made, Lang::Es, Format::Json)).unwrap();
    assert!(json["figures"].get("translated").is_none());
}
