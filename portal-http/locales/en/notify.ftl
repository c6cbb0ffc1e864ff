# Notifications, mail preferences and the one-click mail link.

nav-notifications = Notifications
nav-notifications-unread = { $count ->
    [one] { $count } unread
   *[other] { $count } unread
}

notifications-title = Notifications
notifications-show-unread = Show unread only
notifications-show-all = Show all
notifications-mark-all = Mark all as read
notifications-mark-one = Mark as read
notifications-empty = Nothing new.
notifications-older = Older notifications

mail-mode-instant = Each time
mail-mode-digest = Daily summary
mail-mode-off = No email

account-mail-heading = Email notifications
account-mail-lead = Choose how you hear of each kind of news by email. You always see it here in the portal.
account-mail-event = What happened
account-mail-locked = (security notices are always sent)
account-mail-submit = Save email choices
notice-account-mail-saved = Your email choices are saved.

mail-link-title = Email preferences
mail-link-subject = This link turns off email about: { $subject }.
mail-link-current = Right now: { $mode }.
mail-link-confirm = Turn off these emails
mail-link-done = Done. You will no longer get these emails. You can change this in your account at any time.
mail-link-all = all news except security notices

event-milestone-published = A milestone was shared
event-milestone-completed = A milestone was completed
event-update-published = A status update was shared
event-document-shared = A document was shared
event-document-version-added = A document has a new version
event-approval-requested = An approval is needed
event-approval-decided = An approval was decided
event-approval-due-soon = An approval is due soon
event-request-submitted = A request was submitted
event-request-answered = A request was answered
event-message-posted = A new message
event-invoice-issued = An invoice was issued
event-invoice-overdue = An invoice is overdue
event-invitation-sent = Someone was invited
event-security-new-device = Sign-in from a new device
event-security-password-changed = Your password changed
event-security-mfa-changed = Your two-step verification changed
