# Text of the staff's work pages (clients, contacts, projects, approval queue, requests inbox), in German.
# same in German: staff-optional staff-person-name staff-client-name staff-project-name staff-update-body staff-filter-status staff-project-status staff-request-status-heading staff-people-title staff-project-budget

## Gemeinsam

staff-breadcrumbs = Sie sind hier
staff-optional = (optional)
staff-save = Änderungen speichern
staff-actions = Aktionen
staff-title = Titel
staff-due = Fällig am { $date }
staff-due-on = Fälligkeitstag
staff-day-hint = Ein Tag als JJJJ-MM-TT, z. B. 2026-03-31.
staff-posted = Veröffentlicht am { $date }
staff-edit-named = „{ $title }“ bearbeiten
staff-next-page = Nächste Seite
staff-new-is-internal = Neue Einträge sind intern: Der Kunde sieht sie erst, wenn Sie sie freigeben.
staff-filters = Filter
staff-filter-client = Kunde
staff-filter-status = Status
staff-filter-all-clients = Alle Kunden
staff-filter-all-statuses = Alle Status
staff-filter-apply = Anzeigen
staff-filter-clear = Filter zurücksetzen
staff-choose-client = Kunden wählen
staff-choose-role = Rolle wählen
staff-choose-project = Projekt wählen
staff-choose-version = Dokumentversion wählen
staff-invalid-day = Bitte geben Sie einen Tag als JJJJ-MM-TT an, z. B. 2026-03-31.
staff-invalid-email = Bitte geben Sie eine E-Mail-Adresse wie name@example.com an.
staff-external-id = Externe ID: { $id }

## Freigeben

staff-visibility-shared = Für den Kunden sichtbar
staff-visibility-internal = Intern
staff-share = Für Kunden freigeben
staff-share-label = Für Kunden freigeben: { $title }
staff-unshare = Auf intern setzen
staff-unshare-label = Auf intern setzen: { $title }

## Kunden und Kontakte

staff-clients-title = Kunden
staff-clients-lead = Die Organisationen, für die Sie arbeiten, ihre Kontakte und Einladungen.
staff-clients-heading = Alle Kunden
staff-clients-empty = Es gibt noch keine Kunden.
staff-client-archived = Archiviert
staff-client-archived-note = Dieser Kunde ist archiviert: Seine Kontakte können sich erst nach der Wiederherstellung wieder anmelden.
staff-client-projects-link = Projekte von { $client }
staff-client-new = Neuer Kunde
staff-client-name = Name
staff-client-external-id = Externe ID
staff-client-external-id-hint = Die Kennung des Kunden in Ihrem CRM oder Abrechnungssystem, falls es das Portal befüllt.
staff-client-create = Kunden anlegen
staff-client-details = Angaben zum Kunden
staff-client-archive = Kunden archivieren
staff-client-archive-hint = Archivieren beendet die Zusammenarbeit: Die Kontakte des Kunden verlieren den Zugang. Sie können ihn später wiederherstellen.
staff-client-restore = Kunden wiederherstellen
staff-client-restore-hint = Beim Wiederherstellen erhalten die Kontakte des Kunden ihren Zugang zurück.
staff-client-export-heading = Kundendaten exportieren
staff-client-export-lead = Lädt ein Zip-Archiv mit allem herunter, was { $client } sehen kann: die Datensätze als JSON und jede Version der Dateien. Der Export wird im Protokoll festgehalten.
staff-client-export-internal = Interne Objekte einschließen (Entwürfe, interne Nachrichten und Notizen des Teams)
staff-client-export-button = Export herunterladen
staff-client-offboarded = Zusammenarbeit beendet
staff-client-offboarded-note = Die Zusammenarbeit mit diesem Kunden wurde beendet: Zugang, Sitzungen, Einladungen und Freigabelinks seiner Kontakte sind beendet.
staff-client-erased = Gelöscht
staff-client-erased-note = Die personenbezogenen Daten dieses Kunden wurden gelöscht. Seine Einträge bleiben und erscheinen als von „Gelöschter Kontakt“; er kann nicht wiederhergestellt werden.
staff-client-offboard-heading = Zusammenarbeit beenden
staff-client-offboard-hint = Beim Offboarding wird der Kunde archiviert; sofort enden die Sitzungen seiner Kontakte (außer sie sind Kontakte eines anderen aktiven Kunden), seine offenen Einladungen und seine Freigabelinks. Sie können ihn später wiederherstellen.
staff-client-offboard = Kunden offboarden
staff-client-offboard-confirm = { $client } jetzt offboarden? Seine Kontakte werden sofort abgemeldet.
staff-client-offboard-button = Ja, { $client } offboarden
staff-client-erase-heading = Personenbezogene Daten löschen
staff-client-erase-hint = Beim Löschen werden Namen und E-Mail-Adressen der Kontakte durch Pseudonyme ersetzt, ihre Zugangsdaten, Sitzungen und Benachrichtigungen gelöscht und ihre persönlichen Angaben im Audit-Protokoll entfernt. Das lässt sich nicht rückgängig machen.
staff-client-erase-confirm-label = Geben Sie zur Bestätigung den Namen des Kunden ein: { $client }
staff-client-erase-button = Personenbezogene Daten endgültig löschen
staff-contacts-heading = Kontakte
staff-contacts-caption = Die Kontakte von { $client } und ihre Rollen
staff-contacts-empty = Noch keine Kontakte. Laden Sie den ersten ein.
staff-person-name = Name
staff-person-role = Rolle
staff-person-disabled = Deaktiviert
staff-person-you = Sie
staff-role-of = Rolle von { $name }
staff-role-change = Rolle ändern
staff-role-change-label = Rolle von { $name } ändern
staff-contact-remove = Entfernen …
staff-contact-remove-confirm = { $name } von { $client } entfernen? Der Zugang zu diesem Kunden endet sofort.
staff-contact-remove-button = { $name } entfernen
staff-invitations-heading = Offene Einladungen
staff-invitations-empty = Keine Einladungen offen.
staff-invitation-expires = Link gültig bis { $date }
staff-invitation-resend = Erneut senden
staff-invitation-resend-label = Einladung an { $email } erneut senden
staff-invitation-revoke = Zurückziehen
staff-invitation-revoke-label = Einladung an { $email } zurückziehen
staff-invite-contact = Kontakt einladen
staff-invite-contact-lead = Wir senden einen Link per E-Mail; beim Annehmen wählt die Person Namen und Passwort und tritt { $client } bei.
staff-invite-staff = Teammitglied einladen
staff-invite-email = E-Mail-Adresse
staff-invite-role = Rolle
staff-invite-send = Einladung senden

## Das Team

staff-people-title = Team
staff-people-link = Teammitglieder
staff-people-lead = Wer im Portal arbeitet, mit welcher Rolle und für welche Kunden.
staff-members-heading = Teammitglieder
staff-members-empty = Keine Teammitglieder vorhanden.
staff-member-all-clients = Alle Kunden
staff-member-no-clients = Keine Kunden zugewiesen
staff-member-assigned = Arbeitet für { $clients }
staff-member-clients-edit = Kunden von { $name }
staff-member-clients-legend = Kunden, für die { $name } arbeitet
staff-member-clients-save = Kunden speichern

## Projekte

staff-projects-title = Umsetzung
staff-projects-lead = Alle Projekte der Kunden, für die Sie arbeiten. Geben Sie frei, was der Kunde sehen soll.
staff-projects-heading = Projekte
staff-projects-empty = Es gibt noch keine Projekte.
staff-projects-none-match = Kein Projekt passt zu diesen Filtern.
staff-project-progress = { $done } von { $total } Meilensteinen abgeschlossen
staff-project-no-milestones = Noch keine Meilensteine
staff-project-ends = Endet am { $date }
staff-project-schedule = { $start } bis { $end }
staff-project-budget = Budget { $amount }
staff-project-new = Neues Projekt
staff-project-new-lead = Ein neues Projekt ist intern, bis Sie es für den Kunden freigeben.
staff-project-client = Kunde
staff-project-name = Name
staff-project-description = Beschreibung
staff-project-status = Status
staff-project-start = Beginn
staff-project-end = Ende
staff-project-create = Projekt anlegen
staff-project-details = Angaben zum Projekt
staff-project-active = In Arbeit
staff-project-on_hold = Pausiert
staff-project-completed = Abgeschlossen
staff-project-archived = Archiviert

## Meilensteine und Lieferobjekte

staff-milestones-heading = Meilensteine
staff-milestones-empty = Noch keine Meilensteine.
staff-milestone-new = Meilenstein hinzufügen
staff-milestone-add = Meilenstein anlegen
staff-milestone-planned = Geplant
staff-milestone-in_progress = In Arbeit
staff-milestone-completed = Abgeschlossen
staff-milestone-start = Beginnen
staff-milestone-complete = Als abgeschlossen markieren
staff-milestone-reopen = Wieder öffnen
staff-move-up = Nach oben
staff-move-up-label = „{ $title }“ nach oben verschieben
staff-move-down = Nach unten
staff-move-down-label = „{ $title }“ nach unten verschieben
staff-deliverables-heading = Lieferobjekte
staff-deliverables-empty = Noch keine Lieferobjekte.
staff-deliverable-new = Lieferobjekt zu „{ $milestone }“ hinzufügen
staff-deliverable-add = Lieferobjekt anlegen
staff-deliverable-not_started = Nicht begonnen
staff-deliverable-in_progress = In Arbeit
staff-deliverable-in_review = In Prüfung
staff-deliverable-approved = Freigegeben
staff-deliverable-changes_requested = Änderungen gewünscht
staff-deliverable-delivered = Übergeben
staff-deliverable-start = Arbeit beginnen
staff-deliverable-review = Zur Prüfung markieren
staff-deliverable-deliver = Als übergeben markieren

## Updates, Entscheidungen und nächste Schritte

staff-updates-heading = Statusberichte
staff-updates-empty = Noch keine Statusberichte.
staff-update-new = Statusbericht schreiben
staff-update-body = Text
staff-update-add = Statusbericht speichern
staff-markdown-hint = Markdown ist möglich: **fett**, *kursiv*, Listen mit „-“.
staff-decisions-heading = Entscheidungen
staff-decisions-empty = Noch keine Entscheidungen festgehalten.
staff-decision-new = Entscheidung festhalten
staff-decision-title = Was wurde entschieden
staff-decision-body = Hintergrund und Folgen
staff-decided-on = Entschieden am
staff-decided = Entschieden am { $date }
staff-decision-add = Entscheidung speichern
staff-tasks-heading = Nächste Schritte
staff-tasks-empty = Noch keine nächsten Schritte.
staff-task-new = Nächsten Schritt hinzufügen
staff-task-title = Was zu tun ist
staff-task-owner = Wer ist am Zug
staff-task-owner-client = Der Kunde ist am Zug
staff-task-owner-team = Das Team ist am Zug
staff-task-add = Schritt anlegen
staff-task-open = Offen
staff-task-done = Erledigt
staff-task-done-button = Als erledigt markieren
staff-task-done-label = „{ $title }“ als erledigt markieren
staff-task-reopen = Wieder öffnen
staff-task-reopen-label = „{ $title }“ wieder öffnen

## Freigabe-Warteschlange

staff-approvals-title = Freigabe-Warteschlange
staff-approvals-lead = Was auf die Freigabe des Kunden wartet, die nächste Frist zuerst, und was entschieden wurde.
staff-approvals-pending = Wartet auf den Kunden
staff-approvals-pending-empty = Nichts wartet auf den Kunden.
staff-approvals-decided = Entschieden
staff-approvals-decided-empty = Noch keine Entscheidungen.
staff-approval-no-message = Freigabe angefragt
staff-approval-document = { $document }, Version { $number }
staff-approval-requested = Angefragt am { $date }
staff-approval-due = Entscheidung bis { $date }
staff-approval-decided-on = Entschieden am { $date }
staff-approval-signed = Unterzeichnet von { $name }
staff-approval-cancel = Zurückziehen
staff-approval-cancel-label = Freigabeanfrage für { $project } zurückziehen
staff-approval-pending = Wartet
staff-approval-approved = Freigegeben
staff-approval-changes_requested = Änderungen gewünscht
staff-approval-cancelled = Zurückgezogen
staff-approval-expired = Abgelaufen
staff-approval-new = Freigabe anfragen
staff-approval-project = Projekt
staff-approval-choose = Projekt wählen
staff-approval-for = Für { $project }
staff-approval-version = Dokumentversion
staff-approval-version-hint = Der Kunde gibt genau diese Version frei; eine spätere Version braucht eine neue Anfrage.
staff-approval-version-choice = { $document }, Version { $number } ({ $file }, { $date })
staff-approval-deliverable = Lieferobjekt
staff-approval-no-deliverable = Kein Lieferobjekt
staff-approval-message = Was soll der Kunde prüfen?
staff-approval-due-on = Entscheidung bis
staff-approval-send = Anfrage senden
staff-approval-no-versions = Dieses Projekt hat noch keine hochgeladenen Dokumente. Laden Sie zuerst eines hoch.

## Posteingang

staff-requests-title = Posteingang
staff-requests-lead = Was Kunden vom Team erbitten. Offene Anfragen stehen oben.
staff-requests-heading = Anfragen
staff-requests-empty = Noch keine Anfragen.
staff-requests-none-match = Keine Anfrage passt zu diesen Filtern.
staff-request-submitted = Gesendet am { $date }
staff-request-by = Gesendet von { $name } am { $date }
staff-request-details = Die Anfrage
staff-request-open = Offen
staff-request-in_progress = In Bearbeitung
staff-request-resolved = Erledigt
staff-request-closed = Geschlossen
staff-request-start = In Bearbeitung nehmen
staff-request-resolve = Als erledigt markieren
staff-request-close = Schließen
staff-request-reopen = Wieder öffnen
staff-request-status-heading = Status
staff-request-status-now = Diese Anfrage ist: { $status }.
staff-conversation-heading = Unterhaltung
staff-conversation-empty = Noch keine Antworten.
staff-note-internal = Interne Notiz
staff-reply-body = Ihre Nachricht
staff-reply-hint = Eine Antwort geht an den Kunden; eine interne Notiz bleibt im Team.
staff-reply-send = Antwort senden
staff-note-add = Interne Notiz hinzufügen

## Bestätigungen

notice-staff-client-created = Der Kunde wurde angelegt.
notice-staff-client-saved = Der Kunde wurde gespeichert.
notice-staff-client-archived = Der Kunde wurde archiviert. Seine Kontakte haben keinen Zugang mehr.
notice-staff-client-restored = Der Kunde wurde wiederhergestellt.
notice-staff-client-offboarded = Die Zusammenarbeit wurde beendet. Die Kontakte wurden abgemeldet, Einladungen und Freigabelinks widerrufen.
notice-staff-client-erased = Die personenbezogenen Daten des Kunden wurden gelöscht.
notice-staff-invitation-sent = Die Einladung wurde gesendet.
notice-staff-invitation-revoked = Die Einladung wurde zurückgezogen; ihr Link funktioniert nicht mehr.
notice-staff-role-changed = Die Rolle wurde geändert.
notice-staff-clients-assigned = Die Kunden wurden gespeichert.
notice-staff-contact-removed = Der Kontakt wurde von diesem Kunden entfernt.
notice-staff-project-created = Das Projekt wurde angelegt. Es ist intern, bis Sie es freigeben.
notice-staff-project-saved = Das Projekt wurde gespeichert.
notice-staff-published = Für den Kunden freigegeben.
notice-staff-withdrawn = Auf intern gesetzt: Der Kunde sieht es nicht mehr.
notice-staff-milestone-added = Der Meilenstein wurde angelegt.
notice-staff-milestone-saved = Der Meilenstein wurde gespeichert.
notice-staff-order-changed = Die Reihenfolge wurde geändert.
notice-staff-deliverable-added = Das Lieferobjekt wurde angelegt.
notice-staff-deliverable-saved = Das Lieferobjekt wurde gespeichert.
notice-staff-status-changed = Der Status wurde geändert.
notice-staff-update-added = Der Statusbericht wurde gespeichert. Er ist intern, bis Sie ihn freigeben.
notice-staff-decision-added = Die Entscheidung wurde festgehalten. Sie ist intern, bis Sie sie freigeben.
notice-staff-task-added = Der nächste Schritt wurde angelegt. Er ist intern, bis Sie ihn freigeben.
notice-staff-approval-requested = Die Freigabe wurde angefragt. Der Kunde sieht sie jetzt.
notice-staff-approval-cancelled = Die Freigabeanfrage wurde zurückgezogen.
notice-staff-reply-sent = Ihre Antwort wurde gesendet.
notice-staff-note-added = Ihre interne Notiz wurde hinzugefügt.

## Nutzung durch die Kunden

# same in German: staff-analytics-downloads staff-analytics-median

staff-analytics-title = Nutzung durch die Kunden
staff-analytics-lead = Wie jeder Kunde das Portal in den letzten { $days } Tagen genutzt hat.
staff-analytics-window = Zeitraum
staff-analytics-window-days = Letzte { $days } Tage
staff-analytics-clients-heading = Kunden
staff-analytics-clients-caption = Nutzungszahlen jedes Kunden in den letzten { $days } Tagen
staff-analytics-no-clients = Keine Kunden anzuzeigen.
staff-analytics-client = Kunde
staff-analytics-client-title = Nutzung: { $client }
staff-analytics-summary-heading = Auf einen Blick
staff-analytics-contacts = Kontakte
staff-analytics-active-contacts = Im Zeitraum angemeldet
staff-analytics-last-login = Letzte Anmeldung
staff-analytics-never = Nie
staff-analytics-first-login-median = Einladung bis erste Anmeldung (Median)
staff-analytics-first-login-p90 = Einladung bis erste Anmeldung (90. Perzentil)
staff-analytics-accepted-without-login = Angenommene Einladungen ohne Anmeldung
staff-analytics-pending-invitations = Offene Einladungen
staff-analytics-turnaround-median = Freigabedauer (Median)
staff-analytics-turnaround-p90 = Freigabedauer (90. Perzentil)
staff-analytics-pending-approvals = Wartende Freigaben
staff-analytics-oldest-pending-approval = Älteste wartende Freigabe
staff-analytics-open-requests = Offene Anfragen
staff-analytics-oldest-request = Älteste offene Anfrage
staff-analytics-median-request-age = Medianes Alter offener Anfragen
staff-analytics-downloads = Downloads
staff-analytics-documents-downloaded = Heruntergeladene Dokumente
staff-analytics-people-downloading = Personen mit Downloads
staff-analytics-hours = { $n } Std.
staff-analytics-days = { $n } Tage
staff-analytics-short-date = { $day }.{ $month }.
staff-analytics-week = Woche ab
staff-analytics-age = Alter
staff-analytics-measure = Kennzahl
staff-analytics-time = Dauer
staff-analytics-median = Median
staff-analytics-p90 = 90. Perzentil
staff-analytics-downloads-title = Downloads pro Woche
staff-analytics-downloads-description = Downloads durch die Kontakte und Freigabelinks des Kunden, pro Woche des Zeitraums.
staff-analytics-no-downloads = Keine Downloads in diesem Zeitraum.
staff-analytics-request-ages-title = Offene Anfragen nach Alter
staff-analytics-request-ages-description = Wie lange die offenen Anfragen des Kunden schon warten.
staff-analytics-age-under-a-day = Unter einem Tag
staff-analytics-age-up-to-a-week = 1–7 Tage
staff-analytics-age-up-to-30-days = 7–30 Tage
staff-analytics-age-older = Über 30 Tage
staff-analytics-no-requests = Keine offenen Anfragen.
staff-analytics-turnaround-title = Freigabedauer
staff-analytics-turnaround-description = Zeit von der Anfrage bis zur Entscheidung der { $count } in diesem Zeitraum entschiedenen Freigaben: Median und 90. Perzentil.
staff-analytics-no-decisions = In diesem Zeitraum wurden keine Freigaben entschieden.
staff-analytics-logins-title = Letzte Anmeldungen der Kontakte
staff-analytics-logins-description = Die letzte Anmeldung jedes Kontakts; je länger der Balken, desto länger her.
staff-analytics-no-contacts = Der Kunde hat noch keine Kontakte.
