# Text of sign-in extras (reset, magic link, invitation, second factor) and the account pages, in English.

## Shared

account-email = Email address
account-name = Your name
account-password = Password
account-current-password = Current password
account-new-password = New password
account-new-password-again = New password again
account-password-hint = At least { $min } characters. A few unrelated words make a strong password that is easy to remember.
account-back-to-sign-in = Back to sign-in
account-cancel = Cancel
account-breadcrumbs = Where you are

## Asking for a mailed link

account-email-empty = Please enter your email address.
account-email-malformed = This is not an email address. Please check it for typos.
account-reset-ask-title = Reset your password
account-reset-ask-intro = Enter the email address you sign in with. We will send you a link to choose a new password.
account-reset-ask-submit = Send the link
account-magic-ask-title = Sign in with an email link
account-magic-ask-intro = Enter the email address you sign in with. We will send you a link that signs you in without your password.
account-magic-ask-submit = Email me a sign-in link
account-link-sent-title = Check your email
account-reset-sent-text = If an account uses this email address, a link to reset the password is on its way.
account-magic-sent-text = If an account uses this email address, a sign-in link is on its way.
account-link-sent-hint = The link works once and only for a short time. Nothing after a few minutes? Check your spam folder, or ask again.
account-link-sent-again = Send another link

## Links that no longer work

account-link-dead-title = This link does not work any more
account-reset-dead-text = Reset links work once and only for a short time. This one has been used, has expired or is incomplete. Ask for a new one.
account-reset-again = Ask for a new reset link
account-magic-dead-text = Sign-in links work once and only for a short time. This one has been used, has expired or is incomplete. Ask for a new one, or sign in with your password.
account-magic-again = Ask for a new sign-in link
account-invitation-dead-title = This invitation does not work any more
account-invitation-dead-text = It may have expired, been accepted already, or been replaced by a newer invitation. Please ask the person who invited you to send a new one.

## Password reset

account-reset-title = Choose a new password
account-reset-intro = Your new password replaces the old one. You will be signed out everywhere and can then sign in with it.
account-reset-submit = Save the new password
account-password-mismatch = The two passwords are not the same. Please type the new password twice.
account-password-too-short = Please use at least { $min } characters.
account-password-too-long = Please use at most { $max } characters.
account-password-too-many-bytes = This password is too long. Please choose a shorter one.
account-password-too-common = This password is too common and easy to guess. Please choose another one.

## Magic link

account-magic-title = Sign in
account-magic-intro = Continue to sign in to { $tenant } with the link from your email.
account-magic-submit = Sign me in
account-magic-use-password = Sign in with your password instead

## Invitation

account-invitation-title = Accept your invitation
account-invitation-heading = Join { $tenant }
account-invitation-email = Invited address
account-invitation-client = Client
account-invitation-team = Team
account-invitation-role = Role
account-invitation-intro = Choose your name and a password to accept. The invitation works until { $date }.
account-invitation-name-hint = As the team and others in the portal will see it.
account-invitation-submit = Accept and sign in
account-role-owner = Owner
account-role-admin = Administrator
account-role-manager = Manager
account-role-member = Team member
account-role-client_admin = Client administrator
account-role-approver = Approver
account-role-finance = Finance
account-role-viewer = Viewer

## Password prompt

account-confirm-title = Confirm it is you
account-confirm-intro = For your security, please enter your password again before you continue.
account-confirm-who = Signed in as { $email }
account-confirm-submit = Continue
account-confirm-wrong = This password is not right. Please try again.

## The account page

account-title = Your account
account-lead = Your name, language, password, two-step verification and where you are signed in.
account-profile-heading = Profile
account-email-hint = To use another email address, please ask the team.
account-name-submit = Save name
account-password-heading = Password
account-password-lead = Changing your password signs you out on every other device.
account-password-submit = Change password
account-password-current-wrong = This is not your current password.
account-language-heading = Language
account-language-label = Language of the portal
account-language-browser = As my browser says
account-language-en = English
account-language-de = Deutsch
account-language-submit = Save language
account-language-unknown = Please choose one of the languages listed.
account-sessions-heading = Sessions and devices
account-sessions-lead = Where you are signed in now. Sign out anything you do not recognise, then change your password.
account-session-this-device = This device
account-session-ip = IP address { $ip }
account-session-started = Signed in { $moment }
account-session-last-seen = Last active { $moment }
account-session-end = Sign out
account-session-end-label = Sign out { $device }, last active { $moment }
account-sessions-end-others = { $count ->
    [one] Sign out the other device
   *[other] Sign out all { $count } other devices
}
account-device = { $browser } on { $system }
account-device-unknown = Unknown browser
account-moment = { $date }, { $time } UTC

## Two-step verification

account-mfa-heading = Two-step verification
account-mfa-lead = Besides your password, a code from an authenticator app on your phone. Someone who learns your password still cannot sign in.
account-mfa-on = On
account-mfa-off = Off
account-mfa-why = Protect your account with a code from your phone as well as your password.
account-mfa-manage = Manage two-step verification
account-mfa-set-up = Set up two-step verification
account-mfa-codes-left = { $count ->
    [0] No recovery codes left. Make new ones.
    [one] One recovery code left.
   *[other] { $count } recovery codes left.
}
account-mfa-required = { $tenant } asks everyone to use two-step verification. Please set it up before you continue.
account-mfa-state-on = Two-step verification is on
account-mfa-state-off = Two-step verification is off
account-mfa-step-app = Install an authenticator app on your phone, if you have none yet.
account-mfa-step-scan = Scan the code we show you with the app, or type in the key.
account-mfa-step-code = Enter the 6-digit code the app then shows.
account-mfa-new-codes = Make new recovery codes
account-mfa-new-codes-hint = Your current recovery codes stop working and you get ten new ones.
account-mfa-disable-heading = Turn off two-step verification
account-mfa-disable-lead = Enter your password and a code from your app. Your account is then protected by your password alone.
account-mfa-disable-required = Your organisation requires two-step verification: after turning it off you set it up again straight away, for example on a new phone.
account-mfa-disable-submit = Turn off
account-mfa-code = Code from the app
account-mfa-code-hint = The 6-digit code, or one of your recovery codes.
account-mfa-code-wrong = This code did not work. Codes change every 30 seconds, so use the one shown now.
account-mfa-setup-title = Set up two-step verification
account-mfa-setup-lead = Link your authenticator app to your account, then confirm with a code from it.
account-mfa-scan-heading = Scan this code with your app
account-mfa-code-heading = Enter a code from your app
account-mfa-qr-caption = Scan with your authenticator app.
account-mfa-open-app = On this phone? Open the authenticator app
account-mfa-secret-hint = Cannot scan? Type in this key:
account-mfa-first-code-hint = The 6-digit code your app shows for this account.
account-mfa-confirm-submit = Turn on
account-mfa-start-over-hint = Typed the key wrong or scanned an old code? Start over with a new one.
account-mfa-start-over = Start over

## Recovery codes

account-codes-title = Your recovery codes
account-codes-lead = If you lose your phone, each of these codes signs you in once in place of a code from the app.
account-codes-heading = Ten recovery codes
account-codes-once = This is the only time they are shown. Keep them somewhere safe before you continue.
account-codes-hint = Write them down, print them or store them in your password manager — not on the phone you use for the app.
account-codes-continue = I have kept them, continue

## First-login tour

account-tour-heading = Getting started
account-tour-intro = Welcome! Here is where to find what matters most.
account-tour-decisions-title = Decisions waiting for you
account-tour-decisions-text = Deliverables and documents to approve are listed under Approvals and at the top of this overview.
account-tour-documents-title = Documents
account-tour-documents-text = Every shared file, with its versions, to download or add to.
account-tour-requests-title = Requests and messages
account-tour-requests-text = Ask the team for something new, and follow the conversation about it.
account-tour-messages-title = Messages
account-tour-messages-text = Talk to the team about each project.
account-tour-account-title = Your account
account-tour-account-text = Your name, language, password and two-step verification — always under your name at the top.
account-tour-done = Got it


## Passkeys

account-passkeys-heading = Passkeys
account-passkeys-lead = Sign in with your fingerprint, your face or your device's PIN instead of a password. A passkey also counts as two-step verification.
account-passkeys-required = { $tenant } asks everyone to use two-step verification. Add a passkey, or set up an authenticator app, before you continue.
account-passkeys-list-heading = Your passkeys
account-passkeys-none = You have no passkeys yet.
account-passkeys-why = Sign in without a password, with your fingerprint, face or device PIN.
account-passkeys-count = { $count ->
    [0] No passkeys yet.
    [one] One passkey.
   *[other] { $count } passkeys.
}
account-passkeys-manage = Manage passkeys
account-passkey-added = Added { $moment }
account-passkey-last-used = Last used { $moment }
account-passkey-never-used = Not used yet
account-passkey-rename = Rename
account-passkey-rename-label = New name for { $name }
account-passkey-revoke = Remove
account-passkey-revoke-label = Remove the passkey { $name }
account-passkey-add-heading = Add a passkey
account-passkey-unsupported = To add a passkey, open this page in a browser that supports passkeys, with JavaScript turned on.
account-passkey-name = Name
account-passkey-name-hint = So you can tell your passkeys apart, for example "Laptop" or "Phone".
account-passkey-add = Add passkey
account-passkey-failed = The passkey could not be added. Please try again.
account-passkey-known = This passkey is already registered.
account-passkey-name-invalid = Enter a name of up to 200 characters.
account-mfa-passkey-alternative = Would you rather use a passkey? It counts as two-step verification too.

## Confirmations

notice-account-renamed = Your name is saved.
notice-account-language = Your language is saved.
notice-account-password-changed = Your password is changed. Other devices are signed out.
notice-account-password-reset = Your new password is set. Please sign in with it.
notice-account-session-ended = That device is signed out.
notice-account-sessions-ended = All other devices are signed out.
notice-account-mfa-off = Two-step verification is off.
notice-account-passkey-added = Your passkey was added.
notice-account-passkey-renamed = Your passkey was renamed.
notice-account-passkey-revoked = Your passkey was removed. It no longer signs you in.
notice-account-tour-done = You can find your account settings under your name at any time.
