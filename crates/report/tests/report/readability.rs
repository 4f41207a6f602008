//! Plain language, measured on the report's sentences (its paragraphs and list items, the
//! members' own words in them included): English at Flesch-Kincaid grade 8 or below, Spanish
//! at Fernández-Huerta 70 or above.

use report::{Lang, Period, progress, sentences};

use crate::fixture::{at, day, fixture};

/// The sentences of the fixture's report in `lang`, without the isolation marks around
/// placed texts (they are not read).
fn prose(lang: Lang, period: Period) -> String {
    let state = fixture().doc.read().unwrap();
    let made = progress(&state, period, at("2026-07-01", 12));
    sentences(&made, lang).replace(['\u{2068}', '\u{2069}'], "")
}

fn periods() -> [Period; 2] {
    [
        Period::default(),
        Period {
            from: Some(day("2026-04-01")),
            to: Some(day("2026-06-30")),
        },
    ]
}

#[test]
fn the_english_report_reads_at_grade_8_or_below() {
    for period in periods() {
        let text = prose(Lang::En, period);
        let grade = textstat::flesch_kincaid_grade(&text);
        assert!(
            textstat::lexicon_count(&text) > 200,
            "a report long enough to measure:\n{text}"
        );
        println!("Flesch-Kincaid grade {grade:.1}");
        assert!(grade <= 8.0, "Flesch-Kincaid grade {grade:.1}:\n{text}");
    }
}

/// Syllables of a Spanish word: one per vowel group, plus one for each pair of open vowels
/// side by side (a hiatus: `fe-o`), where an accented `í` or `ú` counts as open (`dí-a`); a
/// `y` is a vowel at a word's end (`hoy`) or alone.
fn syllables_es(word: &str) -> usize {
    let w: Vec<char> = word.to_lowercase().chars().collect();
    let vowel = |i: usize| {
        let c = w[i];
        "aeiouáéíóúü".contains(c) || (c == 'y' && (i + 1 == w.len()))
    };
    let open = |c: char| "aeoáéíóú".contains(c);
    let mut n = 0;
    let mut i = 0;
    while i < w.len() {
        if vowel(i) {
            n += 1;
            while i + 1 < w.len() && vowel(i + 1) {
                if open(w[i]) && open(w[i + 1]) {
                    n += 1;
                }
                i += 1;
            }
        }
        i += 1;
    }
    n.max(1)
}

#[test]
fn spanish_syllables_are_counted_as_spanish_is_spoken() {
    for (w, n) in [
        ("casa", 2),
        ("día", 2),
        ("tienen", 2),
        ("reunión", 2),
        ("hoy", 1),
        ("y", 1),
        ("coalición", 4),
        ("metas", 2),
        ("aéreo", 4),
        ("guio", 1),
    ] {
        assert_eq!(syllables_es(w), n, "{w}");
    }
}

/// Fernández-Huerta's score of `text`: in its corrected form (206.84 − 60·syllables per word
/// − 1.02·words per sentence), as readability tools compute it, and as the formula is usually
/// printed (206.84 − 0.60·syllables per 100 words − 1.02·sentences per 100 words, which
/// rewards long sentences). The two agree at ten words a sentence; the report must pass both.
fn fernandez_huerta(text: &str) -> (f64, f64) {
    let sentences = text
        .split(['.', '!', '?', ':', '\n'])
        .filter(|s| s.chars().any(char::is_alphanumeric))
        .count() as f64;
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    // A figure is read aloud as words: counted as one word of two syllables.
    let syllables: usize = words
        .iter()
        .map(|w| {
            if w.chars().all(|c| c.is_ascii_digit()) {
                2
            } else {
                syllables_es(w)
            }
        })
        .sum();
    let (w, s, y) = (words.len() as f64, sentences, syllables as f64);
    (
        206.84 - 60.0 * y / w - 1.02 * w / s,
        206.84 - 0.60 * (100.0 * y / w) - 1.02 * (100.0 * s / w),
    )
}

#[test]
fn the_spanish_report_reads_at_fernandez_huerta_70_or_above() {
    for period in periods() {
        let text = prose(Lang::Es, period);
        let (corrected, printed) = fernandez_huerta(&text);
        println!("Fernández-Huerta {corrected:.1} (corrected), {printed:.1} (as printed)");
        assert!(
            corrected >= 70.0 && printed >= 70.0,
            "Fernández-Huerta {corrected:.1} (corrected), {printed:.1} (as printed):\n{text}"
        );
    }
}

/// The measures tell dense policy prose from plain prose: the thresholds have teeth.
#[test]
fn dense_policy_prose_fails_both_measures() {
    let en = "The metropolitan transportation authority's reauthorization necessitates \
              comprehensive intergovernmental coordination regarding implementation of \
              fare-equity mechanisms, notwithstanding jurisdictional constraints affecting \
              disproportionately impacted communities.";
    assert!(textstat::flesch_kincaid_grade(en) > 8.0);
    let es = "La reautorización de la autoridad metropolitana de transporte requiere una \
              coordinación intergubernamental exhaustiva respecto a la implementación de \
              mecanismos de equidad tarifaria, independientemente de las restricciones \
              jurisdiccionales que afectan desproporcionadamente a las comunidades.";
    let (corrected, printed) = fernandez_huerta(es);
    assert!(
        corrected < 70.0 && printed < 70.0,
        "{corrected:.1} {printed:.1}"
    );
}
