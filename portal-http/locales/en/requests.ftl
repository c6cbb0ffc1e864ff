# Text of the requests pages, in English.

requests-title = Requests
requests-lead = Ask the team for something new or a change, and follow up on what you asked.
requests-new = New request
requests-active-heading = Open requests
requests-active-empty = There are no open requests.
requests-done-heading = Resolved and closed
requests-asked-by = Asked by { $name }
requests-last-activity = Last activity
requests-older = Older requests
requests-newest = Newest requests
requests-breadcrumbs = Where you are

requests-status-open = Open
requests-status-in_progress = In progress
requests-status-resolved = Resolved
requests-status-closed = Closed

requests-new-title = New request
requests-new-lead = Tell the team what you need. They will answer here, and you will see every reply.
requests-field-title = Title
requests-field-title-hint = One line that sums it up, for example “Add a careers page”.
requests-field-body = Details
requests-field-project = Project
requests-field-project-none = No particular project
requests-field-client = For
requests-field-client-none = Choose…
requests-choose-client = Please choose who the request is for.
requests-submit = Send request
requests-cancel = Cancel

requests-details = Details
requests-reopen = Reopen request
requests-reopen-hint = Not solved after all? Reopen it and the team will pick it up again.

notice-requests-submitted = Your request was sent to the team.
notice-requests-replied = Your reply was sent.
notice-requests-reopened = The request is open again.
