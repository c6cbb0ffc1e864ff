# Text of the message threads, in English.

messages-title = Messages
messages-lead = Your conversations with the team, by project.
messages-other-heading = Other conversations
messages-general = About { $project } in general
messages-none-yet = No messages yet.
messages-empty-heading = No conversations yet
messages-empty = There is nothing to talk about here yet: conversations belong to projects, and none is shared with you.
messages-breadcrumbs = Where you are

messages-kind-project = Project
messages-kind-deliverable = Deliverable
messages-kind-document = Document
messages-kind-approval = Approval
messages-kind-task = Next step
messages-kind-request = Request

messages-conversation = Conversation
messages-earlier = Show earlier messages
messages-latest = Show the latest messages
messages-internal = Internal
messages-author-you = You
messages-when = { $date } at { $time } UTC
messages-your-message = Your message
messages-share = Visible to the client (otherwise only the team sees it)
messages-send = Send message

notice-messages-posted = Your message was sent.
