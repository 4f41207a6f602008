//! The UI's languages and their Fluent catalogs (`i18n/{en,es}/web.ftl`, embedded in the
//! binary). The language of a request is the one its `coalesce_lang` cookie names, else the
//! first of the browser's `Accept-Language` this UI speaks, else English.

use std::collections::HashMap;
use std::sync::LazyLock;

use i18n_embed::LanguageLoader;
use i18n_embed::fluent::{FluentLanguageLoader, fluent_language_loader};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "i18n"]
struct Catalogs;

/// A language the UI speaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English (the fallback).
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every language, in the order the switcher shows them.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// Its BCP 47 tag, as in `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language a tag names, if the UI speaks it (`es-MX` is Spanish).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    /// The first language of an `Accept-Language` header (by weight) the UI speaks.
    pub fn negotiate(accept: &str) -> Option<Lang> {
        let mut asked: Vec<(u16, usize, Lang)> = accept
            .split(',')
            .take(32)
            .enumerate()
            .filter_map(|(i, part)| {
                let mut bits = part.split(';');
                let lang = Lang::from_tag(bits.next()?.trim())?;
                let q = bits
                    .find_map(|b| b.trim().strip_prefix("q="))
                    .and_then(|q| q.trim().parse::<f32>().ok())
                    .unwrap_or(1.0);
                // Weights have at most three decimals: kept as thousandths.
                let q = (q.clamp(0.0, 1.0) * 1000.0) as u16;
                (q > 0).then_some((q, i, lang))
            })
            .collect();
        asked.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
        asked.first().map(|a| a.2)
    }

    fn loader(self) -> &'static FluentLanguageLoader {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }

    /// The message `id` in this language.
    pub fn t(self, id: &str) -> String {
        self.loader().get(id)
    }

    /// The message `id` if the catalog has it (for names that come from records, such as
    /// the name of an edit, which may be one this version does not know).
    pub fn t_known(self, id: &str) -> Option<String> {
        self.loader().has(id).then(|| self.t(id))
    }

    /// The message `id` in this language, with its variables.
    pub fn t_with(self, id: &str, args: &[(&'static str, Arg)]) -> String {
        let args: HashMap<&'static str, fluent::FluentValue<'static>> = args
            .iter()
            .map(|(k, v)| {
                (
                    *k,
                    match v {
                        Arg::Text(s) => isolated(s).into(),
                        Arg::Own(s) => s.clone().into(),
                        Arg::Count(n) => (*n as f64).into(),
                    },
                )
            })
            .collect();
        self.loader().get_args(id, args)
    }
}

/// `ts` as this language writes a date and time (in UTC).
pub(crate) fn date_time(lang: Lang, ts: model::Timestamp) -> String {
    let Ok(t) = jiff::Timestamp::from_millisecond(ts.as_millis()) else {
        return ts.to_string();
    };
    let d = jiff::tz::Offset::UTC.to_datetime(t);
    let month = format!("month-{}", d.month());
    lang.t_with(
        "date-time",
        &[
            ("month", Arg::Own(lang.t(&month))),
            ("day", Arg::Own(d.day().to_string())),
            ("year", Arg::Own(d.year().to_string())),
            (
                "time",
                Arg::Own(format!("{:02}:{:02}", d.hour(), d.minute())),
            ),
        ],
    )
}

/// A day (`2026-12-31`) as this language writes a date.
pub(crate) fn day(lang: Lang, d: &model::Day) -> String {
    let text = d.to_string();
    let mut parts = text.split('-');
    let (Some(y), Some(m), Some(dd)) = (parts.next(), parts.next(), parts.next()) else {
        return text;
    };
    let (Ok(m), Ok(dd)) = (m.parse::<u8>(), dd.parse::<u8>()) else {
        return text;
    };
    lang.t_with(
        "date-day",
        &[
            ("month", Arg::Own(lang.t(&format!("month-{m}")))),
            ("day", Arg::Own(dd.to_string())),
            ("year", Arg::Own(y.to_owned())),
        ],
    )
}

/// A decimal amount as the node writes it (`1234.50`) as this language writes numbers
/// (`1,234.50`; `1.234,50`). Anything else is shown as it is.
pub(crate) fn number(lang: Lang, amount: &str) -> String {
    let (int, frac) = amount.split_once('.').unwrap_or((amount, ""));
    let (sign, digits) = int.strip_prefix('-').map_or(("", int), |d| ("-", d));
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return amount.to_owned();
    }
    let (group, decimal) = match lang {
        Lang::En => (',', '.'),
        Lang::Es => ('.', ','),
    };
    let mut out = String::from(sign);
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(d);
    }
    if !frac.is_empty() {
        out.push(decimal);
        out.push_str(frac);
    }
    out
}

/// Text written on some member's node, isolated from the sentence around it (U+2068 … U+2069,
/// invisible): right-to-left overrides in a name or a title cannot reorder what follows it.
/// The text's own embeddings, overrides and isolates are left out: a closing U+2069 inside
/// it would end the isolation early and let an override after it reverse the rest of the
/// sentence (the figures of a goal or a pool after its title). Right-to-left text needs none
/// of them to show in its own direction.
pub(crate) fn isolated(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 6);
    out.push('\u{2068}');
    out.extend(text.chars().filter(|c| !model::is_bidi_control(*c)));
    out.push('\u{2069}');
    out
}

/// A message variable.
#[derive(Debug, Clone)]
pub enum Arg {
    /// Text from records (written on some member's node): isolated in the sentence, escaped
    /// by the page.
    Text(String),
    /// Text this UI made (a date, a number, a word of the catalog): as it is.
    Own(String),
    /// A number, which chooses plural forms.
    Count(usize),
}

/// A loader for one language; a catalog that does not load leaves message ids shown (the
/// catalogs are embedded and checked by tests, so that would be a bug found before release).
fn load(lang: &str) -> FluentLanguageLoader {
    let loader: FluentLanguageLoader = fluent_language_loader!();
    let id: Result<i18n_embed::unic_langid::LanguageIdentifier, _> = lang.parse();
    match id {
        Ok(id) => {
            if let Err(e) = loader.load_languages(&Catalogs, &[id]) {
                tracing::error!(error = %e, lang, "could not load the UI's catalog");
            }
        }
        Err(e) => tracing::error!(error = %e, lang, "not a language tag"),
    }
    // The text goes into HTML, where Unicode isolation marks would only be noise.
    loader.set_use_isolating(false);
    loader
}

static EN: LazyLock<FluentLanguageLoader> = LazyLock::new(|| load("en"));
static ES: LazyLock<FluentLanguageLoader> = LazyLock::new(|| load("es"));

/// The catalogs' sources, by language tag (for the completeness test).
#[cfg(test)]
pub(crate) fn sources() -> Vec<(&'static str, String)> {
    Lang::ALL
        .into_iter()
        .map(|l| {
            let file = Catalogs::get(&format!("{}/web.ftl", l.tag()))
                .map(|f| String::from_utf8_lossy(&f.data).into_owned())
                .unwrap_or_default();
            (l.tag(), file)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A closing isolate inside a title cannot end the isolation early, so an override
    /// after it cannot reverse the figures that follow: the text's own embeddings, overrides
    /// and isolates are left out, and right-to-left letters stay.
    #[test]
    fn text_written_elsewhere_stays_isolated_whatever_controls_it_holds() {
        let hostile = "Fares\u{2069}\u{202e} \u{2067}\u{202a}";
        let shown = isolated(hostile);
        assert_eq!(shown, "\u{2068}Fares \u{2069}");
        let directional = |c: &char| matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}');
        assert_eq!(shown.chars().filter(directional).count(), 2);
        assert_eq!(isolated("عدالة النقل"), "\u{2068}عدالة النقل\u{2069}");
    }

    #[test]
    fn accept_language_picks_the_heaviest_spoken_language() {
        assert_eq!(Lang::negotiate("es-MX,es;q=0.9,en;q=0.8"), Some(Lang::Es));
        assert_eq!(Lang::negotiate("fr-FR, en;q=0.5, es;q=0.7"), Some(Lang::Es));
        assert_eq!(Lang::negotiate("fr, de"), None);
        assert_eq!(Lang::negotiate("es;q=0, en"), Some(Lang::En));
        assert_eq!(Lang::negotiate(""), None);
    }

    #[test]
    fn messages_come_in_both_languages_with_plurals() {
        assert_eq!(Lang::En.t("nav-home"), "What needs me");
        assert_eq!(Lang::Es.t("nav-home"), "Lo que me espera");
        assert_eq!(
            Lang::Es.t_with("sync-behind", &[("count", Arg::Count(1))]),
            "1 cambio pendiente"
        );
        assert_eq!(
            Lang::En.t_with("sync-behind", &[("count", Arg::Count(3))]),
            "3 changes behind"
        );
        let d: model::Day = "2026-12-31".parse().unwrap();
        assert_eq!(day(Lang::En, &d), "December 31, 2026");
        assert_eq!(day(Lang::Es, &d), "31 de diciembre de 2026");
        assert_eq!(number(Lang::En, "1234567.50"), "1,234,567.50");
        assert_eq!(number(Lang::Es, "1234.5"), "1.234,5");
        assert_eq!(number(Lang::Es, "500"), "500");
        assert_eq!(number(Lang::En, "-1000"), "-1,000");
        assert_eq!(number(Lang::En, "n/a"), "n/a");
        let t = model::Timestamp::from_secs(1_796_000_000);
        assert_eq!(date_time(Lang::En, t), "November 30, 2026, 00:53 UTC");
        assert_eq!(date_time(Lang::Es, t), "30 de noviembre de 2026, 00:53 UTC");
    }
}
