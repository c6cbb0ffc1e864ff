use serde::{Deserialize, Serialize};
use time::Date;

use crate::error::{DomainError, Invalid};

/// A span of whole days, `start` to `end` inclusive, with `end` never before `start`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawDateRange")]
pub struct DateRange {
    start: Date,
    end: Date,
}

#[derive(Deserialize)]
struct RawDateRange {
    start: Date,
    end: Date,
}

impl TryFrom<RawDateRange> for DateRange {
    type Error = DomainError;

    fn try_from(raw: RawDateRange) -> Result<Self, Self::Error> {
        Self::new(raw.start, raw.end)
    }
}

impl DateRange {
    /// A range from `start` to `end`, both included; refuses an `end` before `start`.
    pub fn new(start: Date, end: Date) -> Result<Self, DomainError> {
        if end < start {
            return Err(DomainError::validation("end", Invalid::EndBeforeStart));
        }
        Ok(Self { start, end })
    }

    /// The first day.
    #[must_use]
    pub const fn start(&self) -> Date {
        self.start
    }

    /// The last day.
    #[must_use]
    pub const fn end(&self) -> Date {
        self.end
    }

    /// Whether `day` lies in the range.
    #[must_use]
    pub fn contains(&self, day: Date) -> bool {
        self.start <= day && day <= self.end
    }

    /// How many days the range spans (at least 1).
    #[must_use]
    pub fn days(&self) -> i64 {
        (self.end - self.start).whole_days() + 1
    }
}

#[cfg(test)]
mod tests {
    use time::macros::date;

    use super::*;

    #[test]
    fn ranges() {
        let range = DateRange::new(date!(2026 - 01 - 30), date!(2026 - 02 - 02)).unwrap();
        assert_eq!(range.days(), 4);
        assert!(range.contains(date!(2026 - 02 - 01)));
        assert!(!range.contains(date!(2026 - 02 - 03)));
        assert_eq!(
            DateRange::new(date!(2026 - 01 - 01), date!(2026 - 01 - 01))
                .unwrap()
                .days(),
            1
        );
        assert_eq!(
            DateRange::new(date!(2026 - 01 - 02), date!(2026 - 01 - 01)).unwrap_err(),
            DomainError::validation("end", Invalid::EndBeforeStart)
        );
    }

    #[test]
    fn serde_validates_the_order() {
        let ok: DateRange =
            serde_json::from_str(r#"{"start":"2026-01-01","end":"2026-01-31"}"#).unwrap();
        assert_eq!(ok.days(), 31);
        let err = serde_json::from_str::<DateRange>(r#"{"start":"2026-02-01","end":"2026-01-31"}"#)
            .unwrap_err();
        assert!(err.to_string().contains("invalid end"), "{err}");
    }
}
