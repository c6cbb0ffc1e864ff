# Text der Seiten für Anfragen, auf Deutsch.
# same in German: requests-field-body requests-details

requests-title = Anfragen
requests-lead = Bitten Sie das Team um etwas Neues oder um eine Änderung, und verfolgen Sie, was Sie angefragt haben.
requests-new = Neue Anfrage
requests-active-heading = Offene Anfragen
requests-active-empty = Es gibt keine offenen Anfragen.
requests-done-heading = Erledigt und geschlossen
requests-asked-by = Gestellt von { $name }
requests-last-activity = Letzte Aktivität
requests-older = Ältere Anfragen
requests-newest = Neueste Anfragen
requests-breadcrumbs = Sie sind hier

requests-status-open = Offen
requests-status-in_progress = In Arbeit
requests-status-resolved = Erledigt
requests-status-closed = Geschlossen

requests-new-title = Neue Anfrage
requests-new-lead = Sagen Sie dem Team, was Sie brauchen. Die Antworten erscheinen hier, Sie sehen jede davon.
requests-field-title = Titel
requests-field-title-hint = Eine Zeile, die es zusammenfasst, zum Beispiel „Eine Karriereseite ergänzen“.
requests-field-body = Details
requests-field-project = Projekt
requests-field-project-none = Kein bestimmtes Projekt
requests-field-client = Für
requests-field-client-none = Bitte wählen…
requests-choose-client = Bitte wählen Sie, für wen die Anfrage ist.
requests-submit = Anfrage senden
requests-cancel = Abbrechen

requests-details = Details
requests-reopen = Anfrage wieder öffnen
requests-reopen-hint = Doch nicht gelöst? Öffnen Sie die Anfrage wieder, dann nimmt das Team sie erneut auf.

notice-requests-submitted = Ihre Anfrage wurde an das Team gesendet.
notice-requests-replied = Ihre Antwort wurde gesendet.
notice-requests-reopened = Die Anfrage ist wieder offen.
