# Text der Nachrichten, auf Deutsch.

messages-title = Nachrichten
messages-lead = Ihre Unterhaltungen mit dem Team, nach Projekten geordnet.
messages-other-heading = Weitere Unterhaltungen
messages-general = Allgemein zu { $project }
messages-none-yet = Noch keine Nachrichten.
messages-empty-heading = Noch keine Unterhaltungen
messages-empty = Hier gibt es noch nichts zu besprechen: Unterhaltungen gehören zu Projekten, und noch keines ist für Sie freigegeben.
messages-breadcrumbs = Sie sind hier

messages-kind-project = Projekt
messages-kind-deliverable = Ergebnis
messages-kind-document = Dokument
messages-kind-approval = Freigabe
messages-kind-task = Nächster Schritt
messages-kind-request = Anfrage

messages-conversation = Unterhaltung
messages-earlier = Frühere Nachrichten anzeigen
messages-latest = Neueste Nachrichten anzeigen
messages-internal = Intern
messages-author-you = Sie
messages-when = { $date } um { $time } UTC
messages-your-message = Ihre Nachricht
messages-share = Für den Kunden sichtbar (sonst sieht sie nur das Team)
messages-send = Nachricht senden

notice-messages-posted = Ihre Nachricht wurde gesendet.
