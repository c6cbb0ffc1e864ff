//! The mail authentication sends: invitation, password reset, magic link. Plain text, signed
//! with the tenant's name; branded HTML templates come with notifications.

use portal_core::Email;
use portal_core::model::Tenant;
use time::Duration;
use url::Url;

use crate::mail::{MailKind, OutgoingMail};

/// "10 minutes", "7 days": a lifetime as the reader thinks of it.
fn lifetime(duration: Duration) -> String {
    let (count, unit) = if duration.whole_days() >= 1 && duration.whole_hours() % 24 == 0 {
        (duration.whole_days(), "day")
    } else if duration.whole_hours() >= 1 && duration.whole_minutes() % 60 == 0 {
        (duration.whole_hours(), "hour")
    } else {
        (duration.whole_minutes().max(1), "minute")
    };
    let plural = if count == 1 { "" } else { "s" };
    format!("{count} {unit}{plural}")
}

/// The invitation to join `tenant`'s portal.
pub(crate) fn invitation(tenant: &Tenant, to: Email, link: &Url, valid: Duration) -> OutgoingMail {
    let name = tenant.branding.display_name.as_str();
    OutgoingMail::new(
        to,
        format!("You are invited to {name}'s portal"),
        format!(
            "Hello,\n\n{name} invites you to its client portal. Open this link to choose your \
             password and sign in:\n\n{link}\n\nThe link works once, for {}. If you did not \
             expect this, you can ignore this mail.\n\n— {name}\n",
            lifetime(valid)
        ),
        MailKind::Invitation,
    )
}

/// The link that sets a new password.
pub(crate) fn password_reset(
    tenant: &Tenant,
    to: Email,
    link: &Url,
    valid: Duration,
) -> OutgoingMail {
    let name = tenant.branding.display_name.as_str();
    OutgoingMail::new(
        to,
        format!("Reset your password for {name}"),
        format!(
            "Hello,\n\nSomeone asked to reset the password of this account on {name}'s portal. \
             Open this link to choose a new one:\n\n{link}\n\nThe link works once, for {}. If it \
             was not you, ignore this mail: your password stays as it is.\n\n— {name}\n",
            lifetime(valid)
        ),
        MailKind::PasswordReset,
    )
}

/// The link that signs in without a password.
pub(crate) fn magic_link(tenant: &Tenant, to: Email, link: &Url, valid: Duration) -> OutgoingMail {
    let name = tenant.branding.display_name.as_str();
    OutgoingMail::new(
        to,
        format!("Your sign-in link for {name}"),
        format!(
            "Hello,\n\nOpen this link to sign in to {name}'s portal:\n\n{link}\n\nThe link works \
             once, for {}. If you did not ask for it, ignore this mail.\n\n— {name}\n",
            lifetime(valid)
        ),
        MailKind::MagicLink,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifetimes_read_naturally() {
        assert_eq!(lifetime(Duration::minutes(10)), "10 minutes");
        assert_eq!(lifetime(Duration::minutes(1)), "1 minute");
        assert_eq!(lifetime(Duration::seconds(20)), "1 minute");
        assert_eq!(lifetime(Duration::hours(2)), "2 hours");
        assert_eq!(lifetime(Duration::days(7)), "7 days");
        assert_eq!(lifetime(Duration::minutes(90)), "90 minutes");
    }
}
