//! The report's languages: the Fluent catalogs (`i18n/{en,es}/report.ftl`, compiled in), and
//! how each language writes numbers, days and months.

use std::sync::LazyLock;

use fluent::concurrent::FluentBundle;
use fluent::{FluentArgs, FluentResource, FluentValue};
use model::Day;

/// A language the report is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// English.
    #[default]
    En,
    /// Spanish.
    Es,
}

impl Lang {
    /// Every language.
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Es];

    /// Its BCP 47 tag, as in `lang` attributes.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Es => "es",
        }
    }

    /// The language of a tag (`es-MX` is Spanish).
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let primary = tag.split(['-', '_']).next()?.trim();
        Lang::ALL
            .into_iter()
            .find(|l| l.tag().eq_ignore_ascii_case(primary))
    }

    fn bundle(self) -> &'static FluentBundle<FluentResource> {
        match self {
            Lang::En => &EN,
            Lang::Es => &ES,
        }
    }

    /// Message `id` with `args`. A member's text is isolated (U+2068 … U+2069) where it is
    /// placed, so a name written right to left does not reorder the sentence around it; what
    /// this crate wrote (figures, days, words of the catalog) is placed as it is. A message
    /// missing from the catalog (the tests check none is) shows its id.
    pub(crate) fn say(self, id: &str, args: &[(&str, Arg)]) -> String {
        let bundle = self.bundle();
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            return id.to_owned();
        };
        let mut fa = FluentArgs::new();
        for (k, v) in args {
            match v {
                Arg::Text(s) => fa.set(*k, FluentValue::from(isolated(s))),
                Arg::Ours(s) => fa.set(*k, FluentValue::from(s.as_str())),
                Arg::Count(n) => fa.set(*k, FluentValue::from(*n)),
            }
        }
        let mut errors = Vec::new();
        bundle
            .format_pattern(pattern, Some(&fa), &mut errors)
            .into_owned()
    }

    /// Message `id` without arguments.
    pub(crate) fn word(self, id: &str) -> String {
        self.say(id, &[])
    }

    /// A figure as this language writes it: `1,234.5` in English; `1234,5` and `12 345,5`
    /// in Spanish (a space groups thousands only from five digits on, as the RAE advises).
    pub(crate) fn number(self, figure: &str) -> String {
        let (sign, digits) = match figure.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", figure),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
        let (group, point) = match self {
            Lang::En => (",", "."),
            Lang::Es => ("\u{a0}", ","),
        };
        let grouped = if self == Lang::Es && whole.len() <= 4 {
            whole.to_owned()
        } else {
            let mut out = String::new();
            for (i, c) in whole.chars().enumerate() {
                if i > 0 && (whole.len() - i) % 3 == 0 {
                    out.push_str(group);
                }
                out.push(c);
            }
            out
        };
        if frac.is_empty() {
            format!("{sign}{grouped}")
        } else {
            format!("{sign}{grouped}{point}{frac}")
        }
    }

    /// A day: `March 14, 2026`; `14 de marzo de 2026`.
    pub(crate) fn day(self, d: Day) -> String {
        let (y, m, day) = ymd(d);
        self.say(
            "date-day",
            &[
                ("month", ours(self.month_name(m))),
                ("day", ours(day.to_string())),
                ("year", ours(y.to_string())),
            ],
        )
    }

    /// A month: `March 2026`; `marzo de 2026`.
    pub(crate) fn month(self, d: Day) -> String {
        let (y, m, _) = ymd(d);
        self.say(
            "date-month",
            &[
                ("month", ours(self.month_name(m))),
                ("year", ours(y.to_string())),
            ],
        )
    }

    fn month_name(self, m: u8) -> String {
        self.word(&format!("month-{m}"))
    }
}

/// Year, month and day of `d`.
fn ymd(d: Day) -> (i16, u8, u8) {
    let c = d.civil();
    (
        c.year(),
        u8::try_from(c.month()).unwrap_or(1),
        u8::try_from(c.day()).unwrap_or(1),
    )
}

/// An argument of a message.
#[derive(Debug, Clone)]
pub(crate) enum Arg {
    /// A member's text (isolated where it is placed).
    Text(String),
    /// What this crate wrote: a figure, a day, words of the catalog.
    Ours(String),
    /// A count, which chooses the plural form.
    Count(u64),
}

/// A member's text isolated (U+2068 … U+2069) from the text around it.
pub(crate) fn isolated(s: &str) -> String {
    format!("\u{2068}{s}\u{2069}")
}

/// A member's text as an argument.
pub(crate) fn text(s: impl Into<String>) -> Arg {
    Arg::Text(s.into())
}

/// What this crate wrote as an argument.
pub(crate) fn ours(s: impl Into<String>) -> Arg {
    Arg::Ours(s.into())
}

/// Count argument.
pub(crate) fn count(n: impl TryInto<u64>) -> Arg {
    Arg::Count(n.try_into().unwrap_or(u64::MAX))
}

fn bundle(tag: &str, source: &str) -> FluentBundle<FluentResource> {
    // The catalogs are this crate's own, compiled in, and parsed by the tests: a syntax error
    // there is a build that does not pass, so a resource that does not parse is a proven
    // impossibility at run time; were it to happen, the messages show their ids.
    let resource = FluentResource::try_new(source.to_owned()).unwrap_or_else(|(r, _)| r);
    let lang: unic_langid::LanguageIdentifier = tag.parse().unwrap_or_default();
    let mut b = FluentBundle::new_concurrent(vec![lang]);
    // Isolation is `say`'s, for members' texts only.
    b.set_use_isolating(false);
    let _ = b.add_resource(resource);
    b
}

/// The English catalog's source.
pub(crate) const EN_SOURCE: &str = include_str!("../i18n/en/report.ftl");
/// The Spanish catalog's source.
pub(crate) const ES_SOURCE: &str = include_str!("../i18n/es/report.ftl");

static EN: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("en", EN_SOURCE));
static ES: LazyLock<FluentBundle<FluentResource>> = LazyLock::new(|| bundle("es", ES_SOURCE));

#[cfg(test)]
mod tests {
    use super::*;

    /// The ids of a catalog's messages, and the variables each uses.
    fn messages(source: &str) -> std::collections::BTreeMap<String, Vec<String>> {
        if let Err((_, errors)) = FluentResource::try_new(source.to_owned()) {
            panic!("the catalog does not parse: {errors:?}");
        }
        let mut out = std::collections::BTreeMap::new();
        let mut current: Option<String> = None;
        for line in source.lines() {
            if let Some((id, _)) = line.split_once(" =")
                && !line.starts_with([' ', '#', '*', '['])
                && !id.is_empty()
            {
                current = Some(id.trim().to_owned());
                out.insert(id.trim().to_owned(), Vec::new());
            }
            if let Some(id) = &current {
                let mut rest = line;
                while let Some(at) = rest.find('$') {
                    let var: String = rest[at + 1..]
                        .chars()
                        .take_while(|c| c.is_alphanumeric() || *c == '-' || *c == '_')
                        .collect();
                    rest = &rest[at + 1..];
                    if let Some(vars) = out.get_mut(id)
                        && !vars.contains(&var)
                    {
                        vars.push(var);
                    }
                }
            }
        }
        for vars in out.values_mut() {
            vars.sort();
        }
        out
    }

    #[test]
    fn both_catalogs_have_every_message_with_the_same_variables() {
        let en = messages(EN_SOURCE);
        let es = messages(ES_SOURCE);
        assert!(en.len() > 50, "{}", en.len());
        assert_eq!(
            en.keys().collect::<Vec<_>>(),
            es.keys().collect::<Vec<_>>(),
            "the same messages"
        );
        for (id, vars) in &en {
            assert_eq!(Some(vars), es.get(id), "the variables of {id}");
        }
    }

    #[test]
    fn numbers_and_days_are_written_as_each_language_writes_them() {
        assert_eq!(Lang::En.number("1234567.5"), "1,234,567.5");
        assert_eq!(Lang::En.number("40"), "40");
        assert_eq!(Lang::Es.number("1234.50"), "1234,50");
        assert_eq!(Lang::Es.number("12345"), "12\u{a0}345");
        assert_eq!(Lang::Es.number("-1234567"), "-1\u{a0}234\u{a0}567");
        let d: Day = "2026-03-14".parse().unwrap();
        assert_eq!(Lang::En.day(d), "March 14, 2026");
        assert_eq!(Lang::Es.day(d), "14 de marzo de 2026");
        assert_eq!(Lang::Es.month(d), "marzo de 2026");
    }
}
