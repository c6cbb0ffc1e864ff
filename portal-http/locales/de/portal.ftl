# Die Seiten des Portals auf Deutsch. Jede Nachricht gibt es in jeder Sprache
# (tests/pages_catalogue.rs prüft das).
# same in German: month-4 month-8 month-9 month-11 summary-milestones nav-staff-label

## Layout

skip-to-content = Zum Inhalt springen
nav-label = Hauptnavigation
nav-dashboard = Übersicht
nav-staff-label = Team
nav-projects = Projekte
nav-approvals = Freigaben
nav-documents = Dokumente
nav-requests = Anfragen
nav-messages = Nachrichten
nav-invoices = Rechnungen
nav-staff-clients = Kunden
nav-staff-projects = Umsetzung
nav-staff-approvals = Freigabe-Warteschlange
nav-staff-requests = Posteingang
nav-staff-analytics = Nutzung
nav-admin = Einstellungen
preview-banner = Sie sehen das Portal so, wie { $client } es sieht ({ $role }). Hier lässt sich nichts ändern.
preview-end = Vorschau beenden
sign-out = Abmelden
signed-in-as = Angemeldet als { $name }

## Datumsangaben: `date` setzt Tag, Monatsname und Jahr zusammen.

date = { $day }. { $month } { $year }
month-1 = Januar
month-2 = Februar
month-3 = März
month-4 = April
month-5 = Mai
month-6 = Juni
month-7 = Juli
month-8 = August
month-9 = September
month-10 = Oktober
month-11 = November
month-12 = Dezember

## Anmeldung

login-title = Anmelden
login-heading = Bei { $tenant } anmelden
login-intro = Verwenden Sie die E-Mail-Adresse, an die Ihre Einladung ging.
login-email = E-Mail-Adresse
login-password = Passwort
login-submit = Anmelden
login-failed = E-Mail-Adresse oder Passwort stimmen nicht. Bitte prüfen Sie beides und versuchen Sie es erneut.
login-throttled = Zu viele Versuche. Bitte warten Sie { $minutes ->
    [one] eine Minute
   *[other] { $minutes } Minuten
} und versuchen Sie es dann erneut.
login-forgot = Passwort vergessen?
login-magic-link = Anmeldelink per E-Mail erhalten
login-or = oder
login-passkey = Mit einem Passkey anmelden
login-passkey-failed = Mit diesem Passkey hat die Anmeldung nicht geklappt. Versuchen Sie es erneut oder melden Sie sich mit E-Mail-Adresse und Passwort an.
login-passkey-cancelled = Es wurde kein Passkey verwendet. Versuchen Sie es erneut oder melden Sie sich mit E-Mail-Adresse und Passwort an.
login-passkey-required = Ihre Organisation verlangt eine Zwei-Schritt-Bestätigung, und Ihre ist ein Passkey: Bitte melden Sie sich mit Ihrem Passkey an.
mfa-title = Bestätigung in zwei Schritten
mfa-intro = Geben Sie den 6-stelligen Code aus Ihrer Authenticator-App oder einen Ihrer Wiederherstellungscodes ein.
mfa-code = Bestätigungscode
mfa-submit = Bestätigen
mfa-failed = Dieser Code hat nicht funktioniert. Die Codes wechseln alle 30 Sekunden, nehmen Sie also den aktuell angezeigten.
mfa-restart = Neu beginnen

## Die Übersicht

dashboard-title = Übersicht
dashboard-greeting = Hallo, { $name }
dashboard-intro = So steht Ihre Arbeit heute.
dashboard-all-projects = Alle Projekte
dashboard-all-approvals = Alle Freigaben
dashboard-all-documents = Alle Dokumente
summary-label = Auf einen Blick
summary-in-progress = { $count ->
    [one] Projekt in Arbeit
   *[other] Projekte in Arbeit
}
summary-decisions = { $count ->
    [one] Entscheidung wartet auf Sie
   *[other] Entscheidungen warten auf Sie
}
summary-next = { $count ->
    [one] offener nächster Schritt
   *[other] offene nächste Schritte
}
summary-milestones = { $done } von { $total }
summary-milestones-label = Meilensteine abgeschlossen

projects-heading = Projekte
projects-empty = Noch gibt es keine Projekte zu zeigen.
project-progress = { $done } von { $total } Meilensteinen abgeschlossen
project-no-milestones = Noch keine Meilensteine geplant
project-status-active = In Arbeit
project-status-on_hold = Pausiert
project-status-completed = Abgeschlossen
project-status-archived = Archiviert
project-ends = Fällig am { $date }

approvals-heading = Wartet auf Entscheidung
approvals-empty = Nichts wartet auf eine Entscheidung.
approval-yours = Ihre Entscheidung
approval-others = Andere Person entscheidet
approval-client = Wartet auf den Kunden
approval-due = Entscheidung bis { $date }
approval-requested = Angefragt am { $date }
approval-in-project = Für { $project }

next-heading = Wie es weitergeht
next-empty = Es gibt keine offenen Schritte.
task-owner-client = Sie sind dran
task-owner-team = Beim Team
task-due = Fällig am { $date }

updates-heading = Neuigkeiten
updates-empty = Noch keine Neuigkeiten.
update-posted = Veröffentlicht am { $date }

documents-heading = Neue Dokumente
documents-empty = Noch keine Dokumente.
document-added = Hinzugefügt am { $date }
document-download = Herunterladen
document-download-label = { $title } herunterladen

invoices-heading = Offene Rechnungen
invoices-empty = Keine offenen Rechnungen.
invoice-number = Rechnung { $number }
invoice-due = Fällig am { $date }
invoice-state-open = Offen
invoice-state-overdue = Überfällig
invoice-state-paid = Bezahlt
invoice-state-void = Storniert
invoice-state-draft = Entwurf
invoice-pay = Jetzt bezahlen
invoice-pay-label = Rechnung { $number } bezahlen

## Fehler

error-400-title = Diese Anfrage konnte nicht gelesen werden
error-400-text = Bitte gehen Sie zurück und versuchen Sie es erneut.
error-403-title = Dieses Formular konnte nicht angenommen werden
error-403-text = Zu Ihrer Sicherheit wurde das Formular abgelehnt. Gehen Sie zurück, laden Sie die Seite neu und versuchen Sie es erneut.
error-404-title = Seite nicht gefunden
error-404-text = Die Seite gibt es nicht, oder sie steht Ihnen nicht zur Verfügung.
error-500-title = Etwas ist schiefgegangen
error-500-text = Ihre Anfrage konnte nicht ausgeführt werden. Bitte versuchen Sie es gleich noch einmal.
error-home = Zur Übersicht
