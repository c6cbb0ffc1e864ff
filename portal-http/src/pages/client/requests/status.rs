//! How a request's status reads on the pages.

use portal_core::state::RequestStatus;

/// The catalogue id of a status.
pub(crate) const fn message(status: RequestStatus) -> &'static str {
    match status {
        RequestStatus::Open => "requests-status-open",
        RequestStatus::InProgress => "requests-status-in_progress",
        RequestStatus::Resolved => "requests-status-resolved",
        RequestStatus::Closed => "requests-status-closed",
    }
}

/// Whether the request still waits for something: listed first, its badge stands out.
pub(crate) const fn is_active(status: RequestStatus) -> bool {
    match status {
        RequestStatus::Open | RequestStatus::InProgress => true,
        RequestStatus::Resolved | RequestStatus::Closed => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pages::catalogue::Catalogue;
    use crate::pages::locale::Locale;

    #[test]
    fn every_status_has_its_message_in_every_locale() {
        let catalogue = Catalogue::new().unwrap();
        for status in [
            RequestStatus::Open,
            RequestStatus::InProgress,
            RequestStatus::Resolved,
            RequestStatus::Closed,
        ] {
            for locale in Locale::ALL {
                catalogue.text(locale, message(status), None).unwrap();
            }
        }
    }
}
