# The page a share link opens for a visitor without a login, in English.

shared-intro = { $tenant } shared this project with you.
shared-expires = This link works until { $date }.
shared-documents-heading = Documents
shared-documents-empty = No documents are shared yet.
shared-no-downloads = This link shows the documents but does not let you download them.
shared-unavailable-title = This link does not work
shared-unavailable-text = It may have expired, been withdrawn or been used up. Please ask whoever sent it to you for a new one.
shared-upload-heading = Send files to { $tenant }
shared-upload-lead = Files you send here go to the team at { $tenant } for this project; they do not appear on this page.
shared-upload-submit = Send file
shared-upload-sent = Thank you: your file arrived at { $tenant }.
