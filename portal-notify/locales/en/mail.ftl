# Notification and digest mail. Arguments are plain text; the templates escape them.

## Subjects of a mail about one event ($title: what it is about)
subject-milestone-published = New milestone shared: { $title }
subject-milestone-completed = Milestone completed: { $title }
subject-update-published = New status update: { $title }
subject-document-shared = New document shared: { $title }
subject-document-version-added = New version of a document: { $title }
subject-approval-requested = New approval requested: { $title }
subject-approval-decided = Approval decided: { $title }
subject-approval-due-soon = Approval due soon: { $title }
subject-request-submitted = New request: { $title }
subject-request-answered = Your request was answered: { $title }
subject-message-posted = New message: { $title }
subject-invoice-issued = New invoice: { $title }
subject-invoice-overdue = Invoice overdue: { $title }
subject-invitation-sent = Invitation sent: { $title }
subject-security-new-device = Sign-in from a new device: { $title }
subject-security-password-changed = Your password was changed: { $title }
subject-security-mfa-changed = Your two-step sign-in changed: { $title }

## Headings of the groups in a daily summary
group-milestone-published = Milestones shared
group-milestone-completed = Milestones completed
group-update-published = Status updates
group-document-shared = Documents shared
group-document-version-added = New document versions
group-approval-requested = Approvals requested
group-approval-decided = Approvals decided
group-approval-due-soon = Approvals due soon
group-request-submitted = New requests
group-request-answered = Requests answered
group-message-posted = New messages
group-invoice-issued = Invoices
group-invoice-overdue = Overdue invoices
group-invitation-sent = Invitations
group-security-new-device = Sign-ins from new devices
group-security-password-changed = Password changes
group-security-mfa-changed = Two-step sign-in changes

## The summary
subject-digest = { $count ->
    [one] Your daily summary from { $brand }: 1 update
   *[other] Your daily summary from { $brand }: { $count } updates
}

## Body
greeting = Hello { $name },
greeting-anonymous = Hello,
intro-instant = There is news for you in { $brand }'s client portal.
intro-digest = { $count ->
    [one] Here is the 1 update from { $brand }'s client portal since your last summary.
   *[other] Here are the { $count } updates from { $brand }'s client portal since your last summary.
}
open = Open in the portal
why-instant = You receive this mail because you asked { $brand }'s client portal to tell you at once about this kind of news.
why-digest = You receive this daily summary because you asked { $brand }'s client portal to collect these kinds of news once a day.
why-security = You receive this mail because it concerns the security of your account with { $brand }'s client portal. Security notices cannot be turned off.
preferences = Choose which mails you receive
unsubscribe = Unsubscribe from these mails
