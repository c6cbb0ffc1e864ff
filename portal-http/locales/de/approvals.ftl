# Text of the approvals pages (the list, one approval and its decision), in German.
# same in German: approvals-version-number

approvals-title = Freigaben
approvals-lead = Die Freigaben, um die das Team Sie gebeten hat: was auf eine Entscheidung wartet und was entschieden wurde.
approvals-pending-heading = Wartet auf eine Entscheidung
approvals-decided-heading = Entschieden
approvals-decided-empty = Bisher wurde nichts entschieden.
approvals-decided-on = Entschieden am { $date }
approvals-more = Ältere Freigaben anzeigen
approvals-breadcrumbs = Sie sind hier

approvals-status-pending = Offen
approvals-status-approved = Freigegeben
approvals-status-changes-requested = Änderungen gewünscht
approvals-status-cancelled = Zurückgezogen
approvals-status-expired = Abgelaufen

approvals-page-title = Freigabe
approvals-heading-deliverable = Freigabe: { $deliverable }
approvals-heading-file = Freigabe: { $file }
approvals-asked-heading = Worum das Team bittet
approvals-project = Projekt:
approvals-requested-by = Angefragt von { $name } am { $date }
approvals-overdue = überfällig

approvals-version-heading = Die zu prüfende Version
approvals-version-file = Datei
approvals-version-number = Version
approvals-version-size = Größe
approvals-version-uploaded = Hochgeladen
approvals-uploaded-by = { $date } von { $name }
approvals-uploaded-by-team = { $date } vom Team
approvals-version-sha = SHA-256-Prüfsumme
approvals-sha-show = Vollständige Prüfsumme anzeigen
approvals-download = Diese Version herunterladen
approvals-download-label = { $file } herunterladen, die zu prüfende Version
approvals-version-hidden = Die Datei selbst steht Ihnen nicht zur Verfügung; die Prüfsumme bezeichnet die genaue Version.

approvals-decision-heading = Entscheidung
approvals-decided-by = Entschieden von { $name } am { $date }
approvals-comment = Kommentar
approvals-signed = Unterzeichnet: { $name }

approvals-decide-heading = Ihre Entscheidung
approvals-decide-intro = Ihre Entscheidung gilt genau für diese Version (Prüfsumme { $sha }…).
approvals-form-decision = Geben Sie diese Version frei?
approvals-form-approve = Freigeben
approvals-form-request-changes = Änderungen anfordern
approvals-form-comment = Kommentar
approvals-form-comment-hint = Pflicht, wenn Sie Änderungen anfordern: Schreiben Sie dem Team, was zu ändern ist.
approvals-form-signature = Ihr vollständiger Name
approvals-form-signature-hint = Mit der Eingabe Ihres vollständigen Namens unterzeichnen Sie diese Entscheidung.
approvals-form-submit = Entscheidung absenden
approvals-confirm-first = Bitte bestätigen Sie zu Ihrer Sicherheit Ihr Passwort, bevor Sie entscheiden.
approvals-confirm-button = Passwort bestätigen
approvals-not-yours = Über diese Freigabe entscheiden die Freigabeberechtigten des Kunden.

approvals-error-choose = Bitte wählen Sie: freigeben oder Änderungen anfordern.
approvals-error-comment-required = Bitte schreiben Sie dem Team, was geändert werden soll.
approvals-error-already-decided = Inzwischen hat jemand anderes über diese Freigabe entschieden. Die Entscheidung sehen Sie unten.
approvals-error-version = Diese Freigabe bezieht sich inzwischen auf eine andere Version. Bitte laden Sie die Seite neu und sehen Sie sie sich noch einmal an.

notice-approvals-approved = Vielen Dank. Ihre Freigabe wurde gespeichert.
notice-approvals-changes-requested = Vielen Dank. Ihr Änderungswunsch wurde an das Team gesendet.
