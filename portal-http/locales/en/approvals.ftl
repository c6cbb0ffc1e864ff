# Text of the approvals pages (the list, one approval and its decision), in English.

approvals-title = Approvals
approvals-lead = The sign-offs the team asked you for: what waits for a decision, and what was decided.
approvals-pending-heading = Waiting for a decision
approvals-decided-heading = Decided
approvals-decided-empty = Nothing has been decided yet.
approvals-decided-on = Decided { $date }
approvals-more = Show older approvals
approvals-breadcrumbs = Where you are

approvals-status-pending = Waiting
approvals-status-approved = Approved
approvals-status-changes-requested = Changes requested
approvals-status-cancelled = Withdrawn
approvals-status-expired = Expired

approvals-page-title = Approval
approvals-heading-deliverable = Approval: { $deliverable }
approvals-heading-file = Approval: { $file }
approvals-asked-heading = What the team asks
approvals-project = Project:
approvals-requested-by = Requested by { $name } on { $date }
approvals-overdue = overdue

approvals-version-heading = The version to review
approvals-version-file = File
approvals-version-number = Version
approvals-version-size = Size
approvals-version-uploaded = Uploaded
approvals-uploaded-by = { $date } by { $name }
approvals-uploaded-by-team = { $date } by the team
approvals-version-sha = SHA-256 checksum
approvals-sha-show = Show the full checksum
approvals-download = Download this version
approvals-download-label = Download { $file }, the version to review
approvals-version-hidden = The file itself is not available to you; the checksum identifies the exact version.

approvals-decision-heading = Decision
approvals-decided-by = Decided by { $name } on { $date }
approvals-comment = Comment
approvals-signed = Signed: { $name }

approvals-decide-heading = Your decision
approvals-decide-intro = Your decision applies to exactly this version (checksum { $sha }…).
approvals-form-decision = Do you approve this version?
approvals-form-approve = Approve
approvals-form-request-changes = Request changes
approvals-form-comment = Comment
approvals-form-comment-hint = Required when you request changes: tell the team what to change.
approvals-form-signature = Your full name
approvals-form-signature-hint = Typing your full name signs this decision.
approvals-form-submit = Submit decision
approvals-confirm-first = For your security, please confirm your password before you decide.
approvals-confirm-button = Confirm password
approvals-not-yours = The client's approvers decide this approval.

approvals-error-choose = Please choose: approve, or request changes.
approvals-error-comment-required = Please tell the team what to change.
approvals-error-already-decided = Someone else decided this approval in the meantime. Their decision is shown below.
approvals-error-version = This approval now refers to another version. Please reload the page and look at it again.

notice-approvals-approved = Thank you. Your approval was recorded.
notice-approvals-changes-requested = Thank you. Your change request was sent to the team.
