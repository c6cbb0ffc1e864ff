# The portal's pages in English. Every message id here exists in every other locale too
# (tests/pages_catalogue.rs checks it).

## Layout

skip-to-content = Skip to main content
nav-label = Main
nav-dashboard = Overview
nav-staff-label = Team
nav-projects = Projects
nav-approvals = Approvals
nav-documents = Documents
nav-requests = Requests
nav-messages = Messages
nav-invoices = Invoices
nav-staff-clients = Clients
nav-staff-projects = Delivery
nav-staff-approvals = Approval queue
nav-staff-requests = Inbox
nav-staff-analytics = Analytics
nav-admin = Settings
preview-banner = You are viewing the portal as { $client } sees it ({ $role }). Nothing can be changed here.
preview-end = End preview
sign-out = Sign out
signed-in-as = Signed in as { $name }

## Dates: `date` puts a day, a month name and a year together.

date = { $month } { $day }, { $year }
month-1 = January
month-2 = February
month-3 = March
month-4 = April
month-5 = May
month-6 = June
month-7 = July
month-8 = August
month-9 = September
month-10 = October
month-11 = November
month-12 = December

## Sign-in

login-title = Sign in
login-heading = Sign in to { $tenant }
login-intro = Use the email address your invitation was sent to.
login-email = Email address
login-password = Password
login-submit = Sign in
login-failed = The email address or password is not right. Check both and try again.
login-throttled = Too many attempts. Please wait { $minutes ->
    [one] a minute
   *[other] { $minutes } minutes
} and try again.
login-forgot = Forgot your password?
login-magic-link = Email me a sign-in link
login-or = or
login-passkey = Sign in with a passkey
login-passkey-failed = This passkey did not sign you in. Try again, or sign in with your email address and password.
login-passkey-cancelled = No passkey was used. Try again, or sign in with your email address and password.
login-passkey-required = Your organisation requires two-step verification, and yours is a passkey: please sign in with your passkey.
mfa-title = Two-step verification
mfa-intro = Enter the 6-digit code from your authenticator app, or one of your recovery codes.
mfa-code = Verification code
mfa-submit = Verify
mfa-failed = That code did not work. Codes change every 30 seconds, so use the one shown now.
mfa-restart = Start again

## The overview

dashboard-title = Overview
dashboard-greeting = Hello, { $name }
dashboard-intro = Here is where your work stands today.
dashboard-all-projects = All projects
dashboard-all-approvals = All approvals
dashboard-all-documents = All documents
summary-label = At a glance
summary-in-progress = { $count ->
    [one] project in progress
   *[other] projects in progress
}
summary-decisions = { $count ->
    [one] decision waiting for you
   *[other] decisions waiting for you
}
summary-next = { $count ->
    [one] open next step
   *[other] open next steps
}
summary-milestones = { $done } of { $total }
summary-milestones-label = milestones completed

projects-heading = Projects
projects-empty = There are no projects to show yet.
project-progress = { $done } of { $total } milestones completed
project-no-milestones = No milestones planned yet
project-status-active = In progress
project-status-on_hold = On hold
project-status-completed = Completed
project-status-archived = Archived
project-ends = Due { $date }

approvals-heading = Waiting for a decision
approvals-empty = Nothing is waiting for a decision.
approval-yours = Your decision
approval-others = With another approver
approval-client = Waiting for the client
approval-due = Decide by { $date }
approval-requested = Requested { $date }
approval-in-project = For { $project }

next-heading = What happens next
next-empty = There are no open steps.
task-owner-client = Your move
task-owner-team = With the team
task-due = Due { $date }

updates-heading = Latest updates
updates-empty = No updates yet.
update-posted = Posted { $date }

documents-heading = Recent documents
documents-empty = No documents yet.
document-added = Added { $date }
document-download = Download
document-download-label = Download { $title }

invoices-heading = Open invoices
invoices-empty = No open invoices.
invoice-number = Invoice { $number }
invoice-due = Due { $date }
invoice-state-open = Open
invoice-state-overdue = Overdue
invoice-state-paid = Paid
invoice-state-void = Cancelled
invoice-state-draft = Draft
invoice-pay = Pay now
invoice-pay-label = Pay invoice { $number }

## Errors

error-400-title = That request could not be read
error-400-text = Please go back and try again.
error-403-title = This form could not be accepted
error-403-text = For your security the form was refused. Go back, reload the page and try again.
error-404-title = Page not found
error-404-text = The page you asked for does not exist, or it is not available to you.
error-500-title = Something went wrong
error-500-text = We could not complete your request. Please try again in a moment.
error-home = Go to the overview
