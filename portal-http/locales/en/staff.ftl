# Text of the staff's work pages (clients, contacts, projects, approval queue, requests inbox), in English.

## Shared

staff-breadcrumbs = You are here
staff-optional = (optional)
staff-save = Save changes
staff-actions = Actions
staff-title = Title
staff-due = Due { $date }
staff-due-on = Due day
staff-day-hint = A day as YYYY-MM-DD, e.g. 2026-03-31.
staff-posted = Posted { $date }
staff-edit-named = Edit “{ $title }”
staff-next-page = Next page
staff-new-is-internal = New items are internal: the client sees them once you share them.
staff-filters = Filters
staff-filter-client = Client
staff-filter-status = Status
staff-filter-all-clients = All clients
staff-filter-all-statuses = All statuses
staff-filter-apply = Show
staff-filter-clear = Clear filters
staff-choose-client = Choose a client
staff-choose-role = Choose a role
staff-choose-project = Choose a project
staff-choose-version = Choose a document version
staff-invalid-day = Please give a day as YYYY-MM-DD, e.g. 2026-03-31.
staff-invalid-email = Please give an email address like name@example.com.
staff-external-id = External id: { $id }

## Publishing

staff-visibility-shared = Shared with client
staff-visibility-internal = Internal
staff-share = Share with client
staff-share-label = Share with client: { $title }
staff-unshare = Make internal
staff-unshare-label = Make internal: { $title }

## Clients and contacts

staff-clients-title = Clients
staff-clients-lead = The organisations you work for, their contacts and invitations.
staff-clients-heading = All clients
staff-clients-empty = There are no clients yet.
staff-client-archived = Archived
staff-client-archived-note = This client is archived: its contacts cannot sign in until it is restored.
staff-client-projects-link = Projects of { $client }
staff-client-new = New client
staff-client-name = Name
staff-client-external-id = External id
staff-client-external-id-hint = The client's id in your CRM or billing system, if it feeds the portal.
staff-client-create = Create client
staff-client-details = Client details
staff-client-archive = Archive client
staff-client-archive-hint = Archiving ends the engagement: the client's contacts lose access. You can restore it later.
staff-client-restore = Restore client
staff-client-restore-hint = Restoring gives the client's contacts their access back.
staff-client-export-heading = Export client data
staff-client-export-lead = Downloads a zip archive of everything { $client } can see: its records as JSON and every version of its files. The export is recorded in the audit log.
staff-client-export-internal = Include internal objects (drafts, internal messages and the team's notes)
staff-client-export-button = Download the export
staff-client-offboarded = Offboarded
staff-client-offboarded-note = This client was offboarded: its contacts' access, sessions, invitations and share links were ended.
staff-client-erased = Erased
staff-client-erased-note = This client's personal data was erased. Its records stay, shown as by "Erased contact"; it cannot be restored.
staff-client-offboard-heading = End the engagement
staff-client-offboard-hint = Offboarding archives the client and at once ends its contacts' sessions (unless they are contacts of another active client), revokes its pending invitations and its share links. You can restore it later.
staff-client-offboard = Offboard client
staff-client-offboard-confirm = Offboard { $client } now? Its contacts are signed out at once.
staff-client-offboard-button = Yes, offboard { $client }
staff-client-erase-heading = Erase personal data
staff-client-erase-hint = Erasure replaces the names and emails of the client's contacts with pseudonyms, deletes their credentials, sessions and notifications, and erases their personal facts in the audit log. It cannot be undone.
staff-client-erase-confirm-label = Type the client's name, { $client }, to confirm
staff-client-erase-button = Erase personal data for good
staff-contacts-heading = Contacts
staff-contacts-caption = The contacts of { $client } and their roles
staff-contacts-empty = No contacts yet. Invite the first one.
staff-person-name = Name
staff-person-role = Role
staff-person-disabled = Disabled
staff-person-you = You
staff-role-of = Role of { $name }
staff-role-change = Change role
staff-role-change-label = Change the role of { $name }
staff-contact-remove = Remove…
staff-contact-remove-confirm = Remove { $name } from { $client }? They lose access to this client at once.
staff-contact-remove-button = Remove { $name }
staff-invitations-heading = Pending invitations
staff-invitations-empty = No invitations are waiting.
staff-invitation-expires = Link works until { $date }
staff-invitation-resend = Send again
staff-invitation-resend-label = Send the invitation to { $email } again
staff-invitation-revoke = Revoke
staff-invitation-revoke-label = Revoke the invitation to { $email }
staff-invite-contact = Invite a contact
staff-invite-contact-lead = We email a link; they choose their name and password when they accept it, and join { $client }.
staff-invite-staff = Invite a team member
staff-invite-email = Email address
staff-invite-role = Role
staff-invite-send = Send invitation

## The team

staff-people-title = Team
staff-people-link = Team members
staff-people-lead = Who works in the portal, with which role and for which clients.
staff-members-heading = Team members
staff-members-empty = No team members to show.
staff-member-all-clients = All clients
staff-member-no-clients = No clients assigned
staff-member-assigned = Works on { $clients }
staff-member-clients-edit = Clients of { $name }
staff-member-clients-legend = Clients { $name } works on
staff-member-clients-save = Save clients

## Projects

staff-projects-title = Delivery
staff-projects-lead = Every project of the clients you work on. Share what the client should see.
staff-projects-heading = Projects
staff-projects-empty = There are no projects yet.
staff-projects-none-match = No project matches these filters.
staff-project-progress = { $done } of { $total } milestones completed
staff-project-no-milestones = No milestones yet
staff-project-ends = Ends { $date }
staff-project-schedule = { $start } to { $end }
staff-project-budget = Budget { $amount }
staff-project-new = New project
staff-project-new-lead = A new project is internal until you share it with the client.
staff-project-client = Client
staff-project-name = Name
staff-project-description = Description
staff-project-status = Status
staff-project-start = Start
staff-project-end = End
staff-project-create = Create project
staff-project-details = Project details
staff-project-active = In progress
staff-project-on_hold = On hold
staff-project-completed = Completed
staff-project-archived = Archived

## Milestones and deliverables

staff-milestones-heading = Milestones
staff-milestones-empty = No milestones yet.
staff-milestone-new = Add a milestone
staff-milestone-add = Add milestone
staff-milestone-planned = Planned
staff-milestone-in_progress = In progress
staff-milestone-completed = Completed
staff-milestone-start = Start
staff-milestone-complete = Mark completed
staff-milestone-reopen = Reopen
staff-move-up = Move up
staff-move-up-label = Move “{ $title }” up
staff-move-down = Move down
staff-move-down-label = Move “{ $title }” down
staff-deliverables-heading = Deliverables
staff-deliverables-empty = No deliverables yet.
staff-deliverable-new = Add a deliverable to “{ $milestone }”
staff-deliverable-add = Add deliverable
staff-deliverable-not_started = Not started
staff-deliverable-in_progress = In progress
staff-deliverable-in_review = In review
staff-deliverable-approved = Approved
staff-deliverable-changes_requested = Changes requested
staff-deliverable-delivered = Delivered
staff-deliverable-start = Start work
staff-deliverable-review = Mark in review
staff-deliverable-deliver = Mark delivered

## Updates, decisions and next steps

staff-updates-heading = Status updates
staff-updates-empty = No updates yet.
staff-update-new = Write an update
staff-update-body = Text
staff-update-add = Save update
staff-markdown-hint = Markdown works: **bold**, *italic*, lists starting with “-”.
staff-decisions-heading = Decisions
staff-decisions-empty = No decisions recorded yet.
staff-decision-new = Record a decision
staff-decision-title = What was decided
staff-decision-body = Context and consequences
staff-decided-on = Decided on
staff-decided = Decided { $date }
staff-decision-add = Record decision
staff-tasks-heading = Next steps
staff-tasks-empty = No next steps yet.
staff-task-new = Add a next step
staff-task-title = What needs doing
staff-task-owner = Whose move
staff-task-owner-client = The client's move
staff-task-owner-team = The team's move
staff-task-add = Add next step
staff-task-open = Open
staff-task-done = Done
staff-task-done-button = Mark done
staff-task-done-label = Mark “{ $title }” done
staff-task-reopen = Reopen
staff-task-reopen-label = Reopen “{ $title }”

## The approval queue

staff-approvals-title = Approval queue
staff-approvals-lead = What waits for the client's sign-off, soonest deadline first, and what was decided.
staff-approvals-pending = Waiting for the client
staff-approvals-pending-empty = Nothing is waiting for the client.
staff-approvals-decided = Decided
staff-approvals-decided-empty = No decisions yet.
staff-approval-no-message = Approval requested
staff-approval-document = { $document }, version { $number }
staff-approval-requested = Requested { $date }
staff-approval-due = Decide by { $date }
staff-approval-decided-on = Decided { $date }
staff-approval-signed = Signed by { $name }
staff-approval-cancel = Withdraw
staff-approval-cancel-label = Withdraw the approval request for { $project }
staff-approval-pending = Waiting
staff-approval-approved = Approved
staff-approval-changes_requested = Changes requested
staff-approval-cancelled = Withdrawn
staff-approval-expired = Expired
staff-approval-new = Ask for an approval
staff-approval-project = Project
staff-approval-choose = Choose project
staff-approval-for = For { $project }
staff-approval-version = Document version
staff-approval-version-hint = The client approves exactly this version; a later upload needs a new request.
staff-approval-version-choice = { $document }, version { $number } ({ $file }, { $date })
staff-approval-deliverable = Deliverable
staff-approval-no-deliverable = No deliverable
staff-approval-message = What should the client check?
staff-approval-due-on = Decide by
staff-approval-send = Send request
staff-approval-no-versions = This project has no uploaded documents yet. Upload one first.

## The requests inbox

staff-requests-title = Inbox
staff-requests-lead = What clients ask of the team. Open requests come first.
staff-requests-heading = Requests
staff-requests-empty = No requests yet.
staff-requests-none-match = No request matches these filters.
staff-request-submitted = Sent { $date }
staff-request-by = Sent by { $name } on { $date }
staff-request-details = The request
staff-request-open = Open
staff-request-in_progress = In progress
staff-request-resolved = Resolved
staff-request-closed = Closed
staff-request-start = Start working on it
staff-request-resolve = Mark resolved
staff-request-close = Close
staff-request-reopen = Reopen
staff-request-status-heading = Status
staff-request-status-now = This request is { $status }.
staff-conversation-heading = Conversation
staff-conversation-empty = No replies yet.
staff-note-internal = Internal note
staff-reply-body = Your message
staff-reply-hint = A reply goes to the client; an internal note stays with the team.
staff-reply-send = Send reply
staff-note-add = Add internal note

## Confirmations

notice-staff-client-created = The client was created.
notice-staff-client-saved = The client was saved.
notice-staff-client-archived = The client was archived. Its contacts no longer have access.
notice-staff-client-restored = The client was restored.
notice-staff-client-offboarded = The client was offboarded. Its contacts were signed out and its invitations and share links revoked.
notice-staff-client-erased = The client's personal data was erased.
notice-staff-invitation-sent = The invitation was sent.
notice-staff-invitation-revoked = The invitation was revoked; its link no longer works.
notice-staff-role-changed = The role was changed.
notice-staff-clients-assigned = The clients were saved.
notice-staff-contact-removed = The contact was removed from this client.
notice-staff-project-created = The project was created. It is internal until you share it.
notice-staff-project-saved = The project was saved.
notice-staff-published = Shared with the client.
notice-staff-withdrawn = Made internal: the client no longer sees it.
notice-staff-milestone-added = The milestone was added.
notice-staff-milestone-saved = The milestone was saved.
notice-staff-order-changed = The order was changed.
notice-staff-deliverable-added = The deliverable was added.
notice-staff-deliverable-saved = The deliverable was saved.
notice-staff-status-changed = The status was changed.
notice-staff-update-added = The update was saved. It is internal until you share it.
notice-staff-decision-added = The decision was recorded. It is internal until you share it.
notice-staff-task-added = The next step was added. It is internal until you share it.
notice-staff-approval-requested = The approval was requested. The client sees it now.
notice-staff-approval-cancelled = The approval request was withdrawn.
notice-staff-reply-sent = Your reply was sent.
notice-staff-note-added = Your internal note was added.
