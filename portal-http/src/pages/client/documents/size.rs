//! File sizes as people read them: "940 bytes", "2.4 MB" — "2,4 MB" in German. Binary units
//! (1 KB = 1024 bytes), as the upload limit is configured, so a limit of 100 MiB reads
//! "100 MB"; one decimal below 100 of a unit.

use super::super::super::catalogue::{Arg, CatalogueError};
use super::super::super::format::Formatter;
use super::super::super::locale::Locale;

/// The units above bytes, each 1024 times the one before.
const UNITS: [&str; 4] = ["KB", "MB", "GB", "TB"];

/// `bytes` in the page's language.
pub(crate) fn file_size(formatter: &Formatter<'_>, bytes: i64) -> Result<String, CatalogueError> {
    let bytes = bytes.max(0);
    if bytes < 1024 {
        return formatter.text_with("documents-size-bytes", &[("count", Arg::Number(bytes))]);
    }
    Ok(scaled(formatter.locale, bytes.unsigned_abs()))
}

/// A size of at least 1 KB in the largest unit that keeps it under 1000 of the unit (after
/// rounding: 1,048,000 bytes are "1 MB", not "1023 KB").
fn scaled(locale: Locale, bytes: u64) -> String {
    let decimal = match locale {
        Locale::En => '.',
        Locale::De => ',',
    };
    let mut divisor: u128 = 1;
    for (index, unit) in UNITS.iter().enumerate() {
        divisor *= 1024;
        // Tenths of the unit, rounded half up.
        let tenths = (u128::from(bytes) * 10 + divisor / 2) / divisor;
        if tenths >= 9_995 && index + 1 < UNITS.len() {
            continue;
        }
        let (whole, tenth) = (tenths / 10, tenths % 10);
        let number = if whole >= 100 {
            // Past 99.9 a decimal adds nothing a reader needs.
            ((u128::from(bytes) + divisor / 2) / divisor).to_string()
        } else if tenth == 0 {
            whole.to_string()
        } else {
            format!("{whole}{decimal}{tenth}")
        };
        return format!("{number}\u{a0}{unit}");
    }
    String::new()
}

#[cfg(test)]
mod tests {
    use super::super::super::super::catalogue::Catalogue;
    use super::*;

    #[test]
    fn sizes_read_naturally_in_each_locale() {
        let catalogue = Catalogue::new().unwrap();
        let en = Formatter {
            catalogue: &catalogue,
            locale: Locale::En,
        };
        let de = Formatter {
            catalogue: &catalogue,
            locale: Locale::De,
        };
        assert_eq!(file_size(&en, 1).unwrap(), "1 byte");
        assert_eq!(file_size(&en, 1000).unwrap(), "1000 bytes");
        assert_eq!(file_size(&de, 940).unwrap(), "940 Byte");
        assert_eq!(file_size(&en, 1024).unwrap(), "1\u{a0}KB");
        assert_eq!(file_size(&en, 2_516_582).unwrap(), "2.4\u{a0}MB");
        assert_eq!(file_size(&de, 2_600_000).unwrap(), "2,5\u{a0}MB");
        assert_eq!(file_size(&en, 1_048_000).unwrap(), "1\u{a0}MB");
        assert_eq!(file_size(&en, 150 * 1024 + 400).unwrap(), "150\u{a0}KB");
        assert_eq!(file_size(&en, 100 * 1024 * 1024).unwrap(), "100\u{a0}MB");
        assert_eq!(file_size(&en, 5 * (1 << 50)).unwrap(), "5120\u{a0}TB");
        assert_eq!(file_size(&en, -3).unwrap(), "0 bytes");
    }
}
