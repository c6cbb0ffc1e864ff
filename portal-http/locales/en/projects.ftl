# Text of the projects pages (a project, its milestones, deliverables and timeline), in English.

projects-title = Projects
projects-lead = Everything we are working on together, and how far each project has come.
projects-list-label = All projects
projects-more = Show more projects
projects-breadcrumbs = Where you are
projects-internal = Internal
projects-late = Late
projects-starts = From { $date }

projects-progress-heading = Progress
projects-timeline-heading = Milestones
projects-stage-done = Done
projects-stage-in-progress = In progress
projects-stage-next = Next
projects-stage-later = Planned
projects-due = Due { $date }
projects-due-today = due today
projects-due-in = { $days ->
    [one] in 1 day
   *[other] in { $days } days
}
projects-late-by = { $days ->
    [one] 1 day late
   *[other] { $days } days late
}

projects-deliverables-label = Deliverables of { $milestone }
projects-deliverable-version = { $file } (version { $number })
projects-deliverable-approval = View the approval
projects-deliverable-not-started = Not started
projects-deliverable-in-progress = In progress
projects-deliverable-in-review = Waiting for approval
projects-deliverable-approved = Approved
projects-deliverable-changes-requested = Changes requested
projects-deliverable-delivered = Delivered

projects-decisions-heading = Decisions
projects-decided-on = Decided { $date }
projects-decisions-empty = No decisions recorded yet.
projects-documents-heading = Documents
projects-all-documents = All documents of this project
