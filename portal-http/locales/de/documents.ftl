# Text of the documents pages (the list, versions, upload and download), in German.
# same in German: documents-version-summary documents-version-number documents-sha

documents-title = Dokumente
documents-lead = Die Dateien, die Sie und das Team teilen, die neuesten zuerst.
documents-breadcrumbs = Sie sind hier
documents-filter-label = Dokumente filtern
documents-filter-project = Projekt
documents-filter-all = Alle Projekte
documents-filter-submit = Anzeigen
documents-no-project = Weitere Dokumente
documents-empty-project = Zu diesem Projekt gibt es noch keine Dokumente.
documents-more = Ältere Dokumente anzeigen
documents-in-project = Projekt:
documents-version-summary = Version { $number } · { $file }
documents-no-version = Noch keine Datei hochgeladen
documents-size-bytes = { $count ->
    [one] 1 Byte
   *[other] { $count } Byte
}

documents-versions-heading = Versionen
documents-version-number = Version { $number }
documents-version-current = Aktuell
documents-uploaded-by = Hochgeladen von { $name } am { $date }
documents-uploaded-by-team = Vom Team hochgeladen am { $date }
documents-sent-through-link = Über einen geteilten Link gesendet am { $date }
documents-sha = SHA-256 { $sha }…
documents-download-version-label = Version { $number } herunterladen: { $file }

documents-upload-heading = Dokument hochladen
documents-upload-version-heading = Neue Version hochladen
documents-upload-project = Projekt
documents-upload-choose-project = Projekt wählen
documents-upload-title = Titel (optional)
documents-upload-title-hint = Ohne Titel wird der Dateiname verwendet.
documents-upload-share = Sofort für den Kunden freigeben
documents-upload-internal = Hier hochgeladene Dokumente bleiben intern, bis sie veröffentlicht werden.
documents-upload-file = Datei
documents-upload-file-hint = Bis zu { $size } pro Datei. Erlaubte Dateitypen: { $extensions }.
documents-upload-drop = Sie können eine Datei auch hier ablegen.
documents-upload-choose-again = Bitte wählen Sie die Datei zu Ihrer Sicherheit noch einmal aus.
documents-upload-submit = Hochladen
documents-upload-version-submit = Neue Version hochladen
documents-upload-progress = Wird hochgeladen … { $percent } %
documents-upload-done = Hochladen abgeschlossen. Das Dokument wird geöffnet …
documents-upload-failed = Das Hochladen hat nicht geklappt. Bitte prüfen Sie Ihre Verbindung und versuchen Sie es erneut.
documents-upload-resuming = Die Verbindung ist abgerissen. Es geht dort weiter, wo es aufgehört hat ({ $percent } % übertragen) …
documents-upload-refused = Die Datei wurde abgelehnt: Ihr Inhalt passt nicht zu ihrem Namen, oder sie passt nicht mehr in den Speicher.
documents-upload-dropped = Gewählte Datei: { $file }

documents-error-no-file = Bitte wählen Sie eine Datei zum Hochladen.
documents-error-project = Bitte wählen Sie eines Ihrer Projekte.
documents-error-file-type = Dateien dieses Typs können nicht hochgeladen werden. Erlaubte Dateitypen: { $extensions }.
documents-error-file-content = Der Inhalt der Datei passt nicht zum Typ, den ihr Name angibt (vielleicht eine umbenannte Datei).
documents-error-title = Bitte verwenden Sie einen Titel mit 1 bis 200 Zeichen ohne Steuerzeichen.
documents-error-too-large = Die Datei ist zu groß: höchstens { $size } pro Datei.

notice-documents-uploaded = Das Dokument wurde hochgeladen.
notice-documents-version-uploaded = Die neue Version wurde hochgeladen.
