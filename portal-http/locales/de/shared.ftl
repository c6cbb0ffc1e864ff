# Die Seite, die ein geteilter Link für Besucher ohne Anmeldung öffnet, auf Deutsch.

shared-intro = { $tenant } hat dieses Projekt mit Ihnen geteilt.
shared-expires = Dieser Link gilt bis { $date }.
shared-documents-heading = Dokumente
shared-documents-empty = Es sind noch keine Dokumente geteilt.
shared-no-downloads = Über diesen Link sehen Sie die Dokumente, können sie aber nicht herunterladen.
shared-unavailable-title = Dieser Link funktioniert nicht
shared-unavailable-text = Er ist vielleicht abgelaufen, wurde zurückgezogen oder schon zu oft benutzt. Bitten Sie die Person, die ihn Ihnen geschickt hat, um einen neuen.
shared-upload-heading = Dateien an { $tenant } senden
shared-upload-lead = Dateien, die Sie hier senden, gehen für dieses Projekt an das Team von { $tenant }; auf dieser Seite erscheinen sie nicht.
shared-upload-submit = Datei senden
shared-upload-sent = Vielen Dank: Ihre Datei ist bei { $tenant } angekommen.
