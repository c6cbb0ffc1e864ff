use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::error::{DomainError, Invalid};

/// An ISO 4217 currency that has minor units (EUR, USD, JPY, …; not gold or test codes).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Currency(iso_currency::Currency);

impl Currency {
    /// Looks a currency up by its three-letter code (either case).
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        const FIELD: &str = "currency";
        let code = code.trim();
        if code.is_empty() {
            return Err(DomainError::validation(FIELD, Invalid::Empty));
        }
        let currency = iso_currency::Currency::from_code(&code.to_ascii_uppercase())
            .filter(|currency| currency.exponent().is_some())
            .ok_or(DomainError::validation(FIELD, Invalid::UnknownCurrency))?;
        Ok(Self(currency))
    }

    /// The three-letter code.
    #[must_use]
    pub fn code(self) -> &'static str {
        self.0.code()
    }

    /// How many decimal places the minor unit has (2 for EUR, 0 for JPY, 3 for BHD).
    #[must_use]
    pub fn minor_digits(self) -> u16 {
        self.0.exponent().unwrap_or(0)
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Currency({})", self.code())
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl Serialize for Currency {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.code())
    }
}

impl<'de> Deserialize<'de> for Currency {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let code = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        Self::parse(&code).map_err(serde::de::Error::custom)
    }
}

/// An amount of money in minor units (cents), with its currency. Never a float.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Money {
    /// The amount in the currency's minor unit: 1234 is EUR 12.34 or JPY 1,234.
    pub amount_minor: i64,
    /// The currency.
    pub currency: Currency,
}

impl Money {
    /// An amount in minor units.
    #[must_use]
    pub const fn new(amount_minor: i64, currency: Currency) -> Self {
        Self {
            amount_minor,
            currency,
        }
    }

    /// The sum of two amounts in the same currency.
    pub fn checked_add(self, other: Self) -> Result<Self, DomainError> {
        if self.currency != other.currency {
            return Err(DomainError::validation("amount", Invalid::CurrencyMismatch));
        }
        self.amount_minor
            .checked_add(other.amount_minor)
            .map(|amount_minor| Self::new(amount_minor, self.currency))
            .ok_or(DomainError::validation("amount", Invalid::OutOfRange))
    }

    /// The amount as a plain decimal string with the currency's minor digits, e.g. `-12.05`.
    #[must_use]
    pub fn to_decimal_string(&self) -> String {
        let digits = u32::from(self.currency.minor_digits());
        let sign = if self.amount_minor < 0 { "-" } else { "" };
        let magnitude = self.amount_minor.unsigned_abs();
        match 10u64.checked_pow(digits) {
            Some(scale) if digits > 0 => format!(
                "{sign}{}.{:0width$}",
                magnitude / scale,
                magnitude % scale,
                width = digits as usize
            ),
            _ => format!("{sign}{magnitude}"),
        }
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.currency, self.to_decimal_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn currencies() {
        assert_eq!(Currency::parse("eur").unwrap().code(), "EUR");
        assert_eq!(Currency::parse("JPY").unwrap().minor_digits(), 0);
        assert_eq!(Currency::parse("BHD").unwrap().minor_digits(), 3);
        for bad in ["", "EURO", "ZZZ", "XAU", "€"] {
            assert_eq!(
                Currency::parse(bad).unwrap_err().field(),
                Some("currency"),
                "{bad:?}"
            );
        }
        assert!(serde_json::from_str::<Currency>("\"QQQ\"").is_err());
    }

    #[test]
    fn money_in_minor_units() {
        let eur = Currency::parse("EUR").unwrap();
        let usd = Currency::parse("USD").unwrap();
        let sum = Money::new(1999, eur)
            .checked_add(Money::new(1, eur))
            .unwrap();
        assert_eq!(sum.to_string(), "EUR 20.00");
        assert_eq!(Money::new(-1205, eur).to_decimal_string(), "-12.05");
        assert_eq!(
            Money::new(1500, Currency::parse("JPY").unwrap()).to_decimal_string(),
            "1500"
        );
        assert_eq!(
            Money::new(i64::MIN, eur).to_decimal_string(),
            "-92233720368547758.08"
        );
        assert_eq!(
            Money::new(1, eur)
                .checked_add(Money::new(1, usd))
                .unwrap_err(),
            DomainError::validation("amount", Invalid::CurrencyMismatch)
        );
        assert_eq!(
            Money::new(i64::MAX, eur)
                .checked_add(Money::new(1, eur))
                .unwrap_err(),
            DomainError::validation("amount", Invalid::OutOfRange)
        );
        let json = serde_json::to_string(&sum).unwrap();
        assert_eq!(json, r#"{"amount_minor":2000,"currency":"EUR"}"#);
        assert_eq!(serde_json::from_str::<Money>(&json).unwrap(), sum);
    }
}
