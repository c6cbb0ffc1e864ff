//! Dates and money the way each locale writes them. Month names and the order of day, month and
//! year come from the catalogue; digit grouping, decimal marks and currency placement are the
//! locale's number rules, kept here.

use portal_core::Currency;
use time::Date;

use super::catalogue::{Arg, Catalogue, CatalogueError};
use super::locale::Locale;

/// Dates and money in one page's language.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Formatter<'a> {
    /// The catalogue with the month names.
    pub(crate) catalogue: &'a Catalogue,
    /// The page's language.
    pub(crate) locale: Locale,
}

impl Formatter<'_> {
    /// A day, as [`date`] writes it.
    pub(crate) fn date(&self, day: Date) -> Result<String, CatalogueError> {
        date(self.catalogue, self.locale, day)
    }

    /// An optional day.
    pub(crate) fn day(&self, day: Option<Date>) -> Result<Option<String>, CatalogueError> {
        day.map(|day| self.date(day)).transpose()
    }

    /// An amount, as [`money`] writes it.
    pub(crate) fn money(&self, amount_minor: i64, currency: &str) -> String {
        money(self.locale, amount_minor, currency)
    }

    /// A number given in tenths, with one decimal as the locale writes it ("1,234.5", "1.234,5").
    pub(crate) fn tenths(&self, tenths: u64) -> String {
        let (group, decimal) = match self.locale {
            Locale::En => (',', '.'),
            Locale::De => ('.', ','),
        };
        decimal_number(tenths, 1, group, decimal)
    }

    /// A catalogue message without arguments.
    pub(crate) fn text(&self, id: &str) -> Result<String, CatalogueError> {
        self.catalogue.text(self.locale, id, None)
    }

    /// A catalogue message with arguments.
    pub(crate) fn text_with(
        &self,
        id: &str,
        args: &[(&str, Arg<'_>)],
    ) -> Result<String, CatalogueError> {
        self.catalogue.text_with(self.locale, id, args)
    }
}

/// A day: "March 12, 2026" in English, "12. März 2026" in German.
pub(crate) fn date(
    catalogue: &Catalogue,
    locale: Locale,
    day: Date,
) -> Result<String, CatalogueError> {
    let month = catalogue.text(locale, &format!("month-{}", u8::from(day.month())), None)?;
    catalogue.text_with(
        locale,
        "date",
        &[
            ("day", Arg::Text(day.day().to_string().into())),
            ("month", Arg::Text(month.into())),
            ("year", Arg::Text(day.year().to_string().into())),
        ],
    )
}

/// An amount from minor units and an ISO 4217 code: "€1,200.00" in English, "1.200,00 €" in
/// German; a currency without a symbol here shows its code ("CHF 1,200.00", "1.200,00 CHF").
pub(crate) fn money(locale: Locale, amount_minor: i64, currency: &str) -> String {
    let digits = Currency::parse(currency).map_or(2, Currency::minor_digits);
    let (group, decimal) = match locale {
        Locale::En => (',', '.'),
        Locale::De => ('.', ','),
    };
    let number = decimal_number(amount_minor.unsigned_abs(), digits, group, decimal);
    let sign = if amount_minor < 0 { "-" } else { "" };
    let symbol = symbol(currency);
    match (locale, symbol) {
        (Locale::En, Some(symbol)) => format!("{sign}{symbol}{number}"),
        (Locale::En, None) => format!("{sign}{currency}\u{a0}{number}"),
        (Locale::De, symbol) => format!("{sign}{number}\u{a0}{}", symbol.unwrap_or(currency)),
    }
}

/// The symbol of the currencies whose symbol is unambiguous enough to print alone.
fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "EUR" => Some("€"),
        "USD" => Some("$"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// `minor` minor units with `digits` decimals, the whole part grouped by thousands.
fn decimal_number(minor: u64, digits: u16, group: char, decimal: char) -> String {
    let scale = 10_u64.checked_pow(u32::from(digits)).unwrap_or(1);
    let whole = (minor / scale).to_string();
    let mut grouped = String::with_capacity(whole.len() + whole.len() / 3 + 8);
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push(group);
        }
        grouped.push(digit);
    }
    if digits > 0 {
        grouped.push(decimal);
        let fraction = minor % scale;
        grouped.push_str(&format!("{fraction:0width$}", width = usize::from(digits)));
    }
    grouped
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn dates_follow_the_locale() {
        let catalogue = Catalogue::new().unwrap();
        let day = date!(2026 - 03 - 07);
        assert_eq!(date(&catalogue, Locale::En, day).unwrap(), "March 7, 2026");
        assert_eq!(date(&catalogue, Locale::De, day).unwrap(), "7. März 2026");
    }

    #[test]
    fn money_follows_the_locale_and_the_currency() {
        assert_eq!(money(Locale::En, 120_000, "EUR"), "€1,200.00");
        assert_eq!(money(Locale::De, 120_000, "EUR"), "1.200,00\u{a0}€");
        assert_eq!(money(Locale::En, 123_456_789, "USD"), "$1,234,567.89");
        assert_eq!(money(Locale::De, 5, "EUR"), "0,05\u{a0}€");
        assert_eq!(money(Locale::En, -2_550, "GBP"), "-£25.50");
        assert_eq!(money(Locale::En, 1_500, "JPY"), "¥1,500");
        assert_eq!(money(Locale::En, 100_050, "CHF"), "CHF\u{a0}1,000.50");
        assert_eq!(money(Locale::De, 100_050, "CHF"), "1.000,50\u{a0}CHF");
        assert_eq!(money(Locale::En, 1_234, "KWD"), "KWD\u{a0}1.234");
        assert_eq!(
            money(Locale::En, i64::MIN, "EUR"),
            "-€92,233,720,368,547,758.08"
        );
    }
}
