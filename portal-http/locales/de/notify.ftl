# Benachrichtigungen, E-Mail-Einstellungen und der Ein-Klick-Link in E-Mails.

nav-notifications = Benachrichtigungen
nav-notifications-unread = { $count ->
    [one] { $count } ungelesen
   *[other] { $count } ungelesen
}

notifications-title = Benachrichtigungen
notifications-show-unread = Nur ungelesene zeigen
notifications-show-all = Alle zeigen
notifications-mark-all = Alle als gelesen markieren
notifications-mark-one = Als gelesen markieren
notifications-empty = Nichts Neues.
notifications-older = Ältere Benachrichtigungen

mail-mode-instant = Jedes Mal
mail-mode-digest = Tägliche Zusammenfassung
mail-mode-off = Keine E-Mail

account-mail-heading = E-Mail-Benachrichtigungen
account-mail-lead = Wählen Sie, wie Sie per E-Mail von Neuigkeiten erfahren. Im Portal sehen Sie sie immer.
account-mail-event = Was geschah
account-mail-locked = (Sicherheitshinweise werden immer gesendet)
account-mail-submit = E-Mail-Einstellungen speichern
notice-account-mail-saved = Ihre E-Mail-Einstellungen sind gespeichert.

mail-link-title = E-Mail-Einstellungen
mail-link-subject = Dieser Link schaltet E-Mails ab zu: { $subject }.
mail-link-current = Derzeit: { $mode }.
mail-link-confirm = Diese E-Mails abschalten
mail-link-done = Erledigt. Sie erhalten diese E-Mails nicht mehr. In Ihrem Konto können Sie das jederzeit ändern.
mail-link-all = alle Neuigkeiten außer Sicherheitshinweisen

event-milestone-published = Ein Meilenstein wurde freigegeben
event-milestone-completed = Ein Meilenstein wurde abgeschlossen
event-update-published = Ein Statusbericht wurde freigegeben
event-document-shared = Ein Dokument wurde freigegeben
event-document-version-added = Ein Dokument hat eine neue Version
event-approval-requested = Eine Freigabe wird benötigt
event-approval-decided = Über eine Freigabe wurde entschieden
event-approval-due-soon = Eine Freigabe ist bald fällig
event-request-submitted = Eine Anfrage wurde gestellt
event-request-answered = Eine Anfrage wurde beantwortet
event-message-posted = Eine neue Nachricht
event-invoice-issued = Eine Rechnung wurde gestellt
event-invoice-overdue = Eine Rechnung ist überfällig
event-invitation-sent = Jemand wurde eingeladen
event-security-new-device = Anmeldung von einem neuen Gerät
event-security-password-changed = Ihr Passwort wurde geändert
event-security-mfa-changed = Ihre Zwei-Schritt-Bestätigung wurde geändert
