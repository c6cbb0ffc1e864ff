# Text of the staff's settings pages (roles, branding, preview, audit log, share links, API keys), in English.

## The hub

admin-title = Settings
admin-breadcrumbs = You are here
admin-hub-lead = Who may do what, how the portal looks, and what happened in it.
admin-hub-sections = Sections
admin-hub-roles = Decide what each role may do, and define your own roles.
admin-hub-branding = Set the portal's name, logo, colours, font, default language and email sender.
admin-hub-clients = Give a client a look of its own.
admin-hub-preview = See the portal exactly as a client sees it, without changing anything.
admin-hub-audit = Read and export the record of every security-relevant act.
admin-hub-share-links = Make and revoke no-login links to a project.
admin-hub-api-keys = Make and revoke keys for your integrations.
admin-list-older = Older
notice-admin-roles-saved = The permissions are saved. They apply from the next page each person opens.
notice-admin-roles-created = The role is created. Give it its permissions in the table.
notice-admin-roles-deleted = The role is deleted.
notice-admin-branding-saved = The look is saved.
notice-admin-branding-saved-css = The look is saved, but parts of its custom CSS were removed. See below what and why.
notice-admin-branding-client-saved-css = The client's look is saved, but parts of its custom CSS were removed. See below what and why.
notice-admin-branding-client-saved = The client's look is saved.
notice-admin-branding-client-cleared = The client uses your portal's look again.
notice-admin-preview-started = You are now seeing the portal as the client does.
notice-admin-preview-ended = The preview has ended.
notice-admin-share-links-revoked = The link is revoked and no longer works.
notice-admin-api-keys-revoked = The key is revoked and no longer works.

## Roles and the permission matrix

admin-roles-title = Roles and permissions
admin-roles-lead = Tick what each role may do. A role of your team never holds a client's permission, and a client role never holds the team's.
admin-roles-matrix = Permission matrix
admin-roles-matrix-hint = Save one role with the button under its column, or every change at once. On a small screen the table scrolls sideways.
admin-roles-matrix-caption = Permissions by role
admin-roles-permission = Permission
admin-roles-custom = Custom
admin-roles-cell = { $role } – { $permission }
admin-roles-always = { $label }: always held
admin-roles-never = { $label }: not available for this kind of role
admin-roles-save-column = Save
admin-roles-save = Save
admin-roles-save-role = Save the permissions of { $role }
admin-roles-save-all = Save all changes
admin-roles-column-error = { $role }: { $message }
admin-roles-new = New role
admin-roles-new-hint = A new role starts without permissions; tick them in the table once it is created.
admin-roles-name = Name
admin-roles-side = For
admin-roles-side-missing = Please choose whether the role is for your team or for clients.
admin-roles-name-taken = A role with this name already exists.
admin-roles-create = Create role
admin-roles-custom-heading = Your own roles
admin-roles-custom-empty = You have not defined roles of your own yet.
admin-roles-delete = Delete
admin-roles-delete-role = Delete the role { $role }
admin-roles-delete-blocked = This role cannot be deleted while someone holds it. Give them another role first.
admin-side-staff = Team roles
admin-side-client = Client roles
admin-role-owner = Owner
admin-role-admin = Admin
admin-role-manager = Manager
admin-role-member = Member
admin-role-client_admin = Client admin
admin-role-approver = Approver
admin-role-finance = Finance
admin-role-viewer = Viewer

admin-group-work = Work
admin-group-documents = Documents
admin-group-conversation = Conversation
admin-group-approvals = Approvals
admin-group-requests = Requests
admin-group-finance = Finance
admin-group-staff-access = Team access
admin-group-delivery = Delivery
admin-group-administration = Administration

admin-permission-view_projects = See projects and their status.
admin-permission-view_milestones = See milestones and their progress.
admin-permission-view_deliverables = See deliverables and their status.
admin-permission-view_updates = Read status updates.
admin-permission-view_decisions = Read meeting decision records.
admin-permission-view_tasks = See next steps and who owns them.
admin-permission-complete_tasks = Mark one's side's tasks done or reopen them.
admin-permission-view_documents = List documents and their versions.
admin-permission-download_documents = Download document files.
admin-permission-upload_documents = Upload documents and new versions.
admin-permission-manage_documents = Rename, move and delete documents.
admin-permission-comment = Post messages in threads.
admin-permission-view_approvals = See approval requests and their outcome.
admin-permission-decide_approvals = Approve or request changes.
admin-permission-request_approvals = Ask a client for an approval, or cancel the ask.
admin-permission-submit_requests = Submit requests and reply to them.
admin-permission-view_requests = See requests and their answers.
admin-permission-manage_requests = Answer, triage and resolve requests.
admin-permission-view_invoices = See invoices.
admin-permission-pay_invoices = Open an invoice's payment link.
admin-permission-view_financials = See finance fields: budgets, amounts and rates.
admin-permission-manage_invoices = Create, issue and void invoices.
admin-permission-manage_client_contacts = Invite and manage the contacts of one's own client.
admin-permission-view_internal = See internal objects, drafts and internal messages.
admin-permission-access_all_clients = Work on every client, not only the assigned ones.
admin-permission-view_as_client = Preview the portal as a client sees it (read-only, audited).
admin-permission-manage_clients = Create and edit clients and invite their contacts.
admin-permission-manage_projects = Create, edit and archive projects.
admin-permission-manage_milestones = Create, edit and move milestones.
admin-permission-manage_deliverables = Create, edit and move deliverables.
admin-permission-manage_updates = Write status updates.
admin-permission-manage_decisions = Record meeting decisions.
admin-permission-manage_tasks = Create, assign and edit tasks.
admin-permission-publish = Publish objects to the client, or take them back.
admin-permission-create_share_links = Create and revoke no-login share links.
admin-permission-manage_staff = Invite staff and assign staff roles and clients.
admin-permission-manage_roles = Define custom roles and edit the permission matrix.
admin-permission-manage_branding = Edit the theme, logo, domains and email sender.
admin-permission-manage_integrations = Configure webhooks, sync sources and email.
admin-permission-manage_api_keys = Create and revoke API keys.
admin-permission-view_audit_log = Read the audit log.
admin-permission-export_audit_log = Export the audit log as CSV or JSON Lines.
admin-permission-manage_tenant = Change tenant-wide security settings and ownership.

## Branding

admin-branding-title = Branding
admin-branding-lead = How your portal looks to your team and your clients. The sample shows your changes as you make them.
admin-branding-clients-link = Give a client a look of its own
admin-branding-form-heading = Look
admin-branding-display-name = Name shown in the portal and in emails
admin-branding-logo = Logo address
admin-branding-favicon = Browser tab icon address
admin-branding-https-hint = An address starting with https://, or leave it empty.
admin-branding-primary = Main colour
admin-branding-primary-picker = Main colour: pick
admin-branding-primary-code = Main colour: code
admin-branding-accent = Highlight colour
admin-branding-accent-picker = Highlight colour: pick
admin-branding-accent-code = Highlight colour: code
admin-branding-colour-hint = Pick a colour, or type its code, e.g. #1f3a5f.
admin-branding-font = Font
admin-branding-font-hint = A font family name, e.g. Inter. Letters, digits, spaces, commas and hyphens only. Leave it empty for the system font.
admin-branding-css = Custom CSS
admin-branding-css-hint = Applied after saving, on every page. Whatever could load other files or run script is removed when you save: imports, script, markup, and addresses other than https ones on your logo's or tab icon's host or paths on the portal itself. You will see what was removed.
admin-branding-sender-name = Email sender name
admin-branding-sender-address = Email sender address
admin-branding-save = Save
admin-branding-preview = Preview
admin-branding-previewing = This is a preview: nothing is saved yet. Custom CSS shows only once saved.
admin-branding-sample-heading = Sample
admin-branding-sample-hint = How headers, buttons, links, progress bars and badges look.
admin-branding-sample-text = Your project is on track.
admin-branding-sample-link = See the details
admin-branding-sample-progress = Sample progress: 3 of 4
admin-branding-sample-badge = Your decision
admin-branding-sample-button = Approve
admin-branding-locale = Default language
admin-branding-locale-hint = The language of the pages for people who have not chosen their own. Without one, each person's browser decides.
admin-branding-locale-client-hint = The language of this client's pages for its contacts who have not chosen their own.
admin-branding-locale-browser = None: the browser decides
admin-branding-locale-inherit = Your portal's default language
admin-branding-locale-en = English
admin-branding-locale-de = Deutsch
admin-branding-locale-other = { $tag } (as saved)

admin-css-removed-heading = Removed from the custom CSS
admin-css-removed-lead = These parts were not saved and have no effect. The rest of your CSS was saved as you typed it.
admin-css-removed-import = @import is not allowed: the portal loads no other stylesheets.
admin-css-removed-charset-or-namespace = @charset and @namespace are not allowed.
admin-css-removed-script = Script in CSS is not allowed (expression(), javascript:, behavior, -moz-binding).
admin-css-removed-url = This address may not be loaded: only https addresses on the host of your logo or tab icon, and paths on the portal itself, may be.
admin-css-removed-markup = “<” and NUL characters are not allowed: they could end the stylesheet.
admin-css-removed-malformed = Unfinished or malformed CSS: an unclosed string, comment, url( ) or bracket.
admin-css-removed-other = This is not allowed in custom CSS.
admin-css-removed-more = { $count ->
    [one] One more part was removed too.
   *[other] { $count } more parts were removed too.
}

admin-clients-title = Client looks
admin-clients-lead = A client with a look of its own sees its own colours and logo; the others see your portal's look.
admin-clients-heading = Clients
admin-clients-own = Own look
admin-clients-inherited = Your look
admin-clients-empty = There are no clients to show.
admin-client-look-title = Look for { $client }
admin-client-look-own = This client has a look of its own.
admin-client-look-inherited = This client uses your portal's look. Saving here gives it its own.
admin-client-look-clear = Use the portal's look again
admin-client-look-clear-hint = Removes this client's own look; the client then sees your portal's look.

## View as client

admin-preview-title = View as client
admin-preview-lead = See the portal exactly as a contact of a client sees it. Nothing can be changed during the preview, and starting it is recorded in the audit log.
admin-preview-heading = Start a preview
admin-preview-client = Client
admin-preview-role = As a contact with the role
admin-preview-choose = Please choose
admin-preview-choose-client = Please choose a client.
admin-preview-choose-role = Please choose a client role.
admin-preview-audited = The preview is recorded in the audit log under your name.
admin-preview-start = Start preview
admin-preview-empty = There is no client you may preview.

## Audit log

admin-audit-title = Audit log
admin-audit-lead = Every security-relevant act, newest first. Entries cannot be changed or removed.
admin-audit-filters = Filter
admin-audit-actor = Person
admin-audit-anyone = Anyone
admin-audit-action = Action
admin-audit-action-hint = The exact action, e.g. role.changed.
admin-audit-client = Client
admin-audit-any-client = Any client
admin-audit-from = From
admin-audit-to = To
admin-audit-apply = Show
admin-audit-reset = Clear filters
admin-audit-export = Export
admin-audit-export-hint = Downloads every entry that matches the action and dates above.
admin-audit-export-narrowed = Downloads every entry that matches the action and dates above; the person and client filters apply to the list on this page only.
admin-audit-format = Format
admin-audit-format-csv = CSV (spreadsheets)
admin-audit-format-jsonl = JSON Lines (tools)
admin-audit-download = Download
admin-audit-events = Entries
admin-audit-col-when = When
admin-audit-col-actor = Who
admin-audit-col-action = Action
admin-audit-col-object = Object
admin-audit-col-outcome = Outcome
admin-audit-col-ip = Address
admin-audit-at = { $date }, { $time } UTC
admin-audit-actor-preview = Preview
admin-audit-actor-api-key = API key
admin-audit-actor-share-link = Share link
admin-audit-actor-anonymous = Not signed in
admin-audit-actor-system = System
admin-audit-outcome-success = Done
admin-audit-outcome-failure = Failed
admin-audit-outcome-denied = Refused
admin-audit-empty = No entries match.
admin-audit-older = Older entries

## Share links

admin-share-links-title = Share links
admin-share-links-lead = A share link shows one project's shared content to anyone who has it, without signing in, until it expires or is revoked.
admin-share-links-heading = Links
admin-share-links-empty = There are no share links yet.
admin-share-links-by = Made by { $name } on { $date }
admin-share-links-expires = Expires { $date }
admin-share-links-uses = Used { $uses ->
    [one] once
   *[other] { $uses } times
}
admin-share-links-uses-of = Used { $uses } of { $max } times
admin-share-links-downloads = Downloads allowed
admin-share-links-state-active = Working
admin-share-links-state-expired = Expired
admin-share-links-state-revoked = Revoked
admin-share-links-state-used-up = Used up
admin-share-links-revoke = Revoke
admin-share-links-revoke-label = Revoke the link to { $target }
admin-share-links-new = New link
admin-share-links-project = Project
admin-share-links-choose = Please choose
admin-share-links-project-option = { $project } ({ $client })
admin-share-links-no-projects = There is no project you may share.
admin-share-links-days-label = Days until it expires
admin-share-links-days-hint = 7 unless you say otherwise.
admin-share-links-uses-label = Most uses
admin-share-links-uses-hint = Leave it empty for no limit.
admin-share-links-allow-download = Allow downloading files
admin-share-links-create = Make link
admin-share-links-choose-project = Please choose a project.
admin-share-links-days = Please give a whole number of days.
admin-share-links-days-range = Please give 1 to { $max } days.
admin-share-links-uses-invalid = Please give a whole number of at least 1, or leave it empty.
admin-share-links-created = Link to { $target } made
admin-share-links-token = The link's token
admin-share-links-token-hint = Copy it now: it is shown only this once and cannot be recovered.

## API keys

admin-api-keys-title = API keys
admin-api-keys-lead = Keys let your other systems use the portal's API. A key acts for the person who made it, never with more than the permissions given to it.
admin-api-keys-heading = Keys
admin-api-keys-empty = There are no API keys yet.
admin-api-keys-by = Made by { $name } on { $date }
admin-api-keys-last-used = Last used { $date }
admin-api-keys-never-used = Never used
admin-api-keys-active = Working
admin-api-keys-revoked = Revoked
admin-api-keys-revoke = Revoke
admin-api-keys-revoke-label = Revoke the key { $name }
admin-api-keys-new = New key
admin-api-keys-new-hint = You will be asked for your password again if you signed in a while ago.
admin-api-keys-name = Name
admin-api-keys-permissions = What the key may do
admin-api-keys-create = Make key
admin-api-keys-created = Key { $name } made
admin-api-keys-secret = The key
admin-api-keys-secret-hint = Copy it now: it is shown only this once and cannot be recovered.
