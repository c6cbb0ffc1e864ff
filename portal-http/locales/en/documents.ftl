# Text of the documents pages (the list, versions, upload and download), in English.

documents-title = Documents
documents-lead = The files you and the team share, newest first.
documents-breadcrumbs = Where you are
documents-filter-label = Filter documents
documents-filter-project = Project
documents-filter-all = All projects
documents-filter-submit = Show
documents-no-project = Other documents
documents-empty-project = This project has no documents yet.
documents-more = Show older documents
documents-in-project = Project:
documents-version-summary = Version { $number } · { $file }
documents-no-version = No file uploaded yet
documents-size-bytes = { $count ->
    [one] 1 byte
   *[other] { $count } bytes
}

documents-versions-heading = Versions
documents-version-number = Version { $number }
documents-version-current = Current
documents-uploaded-by = Uploaded by { $name } on { $date }
documents-uploaded-by-team = Uploaded by the team on { $date }
documents-sent-through-link = Sent through a share link on { $date }
documents-sha = SHA-256 { $sha }…
documents-download-version-label = Download version { $number }: { $file }

documents-upload-heading = Upload a document
documents-upload-version-heading = Upload a new version
documents-upload-project = Project
documents-upload-choose-project = Choose a project
documents-upload-title = Title (optional)
documents-upload-title-hint = Leave it empty to use the file name.
documents-upload-share = Share with the client right away
documents-upload-internal = Documents you upload here stay internal until they are published.
documents-upload-file = File
documents-upload-file-hint = Up to { $size } per file. Accepted types: { $extensions }.
documents-upload-drop = You can also drop a file here.
documents-upload-choose-again = For your security, please choose the file again.
documents-upload-submit = Upload
documents-upload-version-submit = Upload new version
documents-upload-progress = Uploading… { $percent }%
documents-upload-done = Upload complete. Opening the document…
documents-upload-failed = The upload did not get through. Please check your connection and try again.
documents-upload-resuming = The connection dropped. Resuming where it stopped ({ $percent }% kept)…
documents-upload-refused = The file was refused: its content does not match its name, or it no longer fits.
documents-upload-dropped = File chosen: { $file }

documents-error-no-file = Please choose a file to upload.
documents-error-project = Please choose one of your projects.
documents-error-file-type = Files of this type cannot be uploaded. Accepted types: { $extensions }.
documents-error-file-content = The file's content does not match the type its name says (a renamed file, perhaps).
documents-error-title = Please use a title of 1 to 200 characters, without control characters.
documents-error-too-large = The file is too large: at most { $size } per file.

notice-documents-uploaded = The document was uploaded.
notice-documents-version-uploaded = The new version was uploaded.
