# Benachrichtigungen und tägliche Zusammenfassungen. Argumente sind reiner Text; die Vorlagen maskieren sie.

## Betreffzeilen einer Mail zu einem Ereignis ($title: worum es geht)
subject-milestone-published = Neuer Meilenstein freigegeben: { $title }
subject-milestone-completed = Meilenstein abgeschlossen: { $title }
subject-update-published = Neuer Statusbericht: { $title }
subject-document-shared = Neues Dokument freigegeben: { $title }
subject-document-version-added = Neue Version eines Dokuments: { $title }
subject-approval-requested = Neue Freigabe angefragt: { $title }
subject-approval-decided = Freigabe entschieden: { $title }
subject-approval-due-soon = Freigabe bald fällig: { $title }
subject-request-submitted = Neue Anfrage: { $title }
subject-request-answered = Ihre Anfrage wurde beantwortet: { $title }
subject-message-posted = Neue Nachricht: { $title }
subject-invoice-issued = Neue Rechnung: { $title }
subject-invoice-overdue = Rechnung überfällig: { $title }
subject-invitation-sent = Einladung verschickt: { $title }
subject-security-new-device = Anmeldung von einem neuen Gerät: { $title }
subject-security-password-changed = Ihr Passwort wurde geändert: { $title }
subject-security-mfa-changed = Ihre Zwei-Schritt-Anmeldung wurde geändert: { $title }

## Überschriften der Gruppen einer Zusammenfassung
group-milestone-published = Freigegebene Meilensteine
group-milestone-completed = Abgeschlossene Meilensteine
group-update-published = Statusberichte
group-document-shared = Freigegebene Dokumente
group-document-version-added = Neue Dokumentversionen
group-approval-requested = Angefragte Freigaben
group-approval-decided = Entschiedene Freigaben
group-approval-due-soon = Bald fällige Freigaben
group-request-submitted = Neue Anfragen
group-request-answered = Beantwortete Anfragen
group-message-posted = Neue Nachrichten
group-invoice-issued = Rechnungen
group-invoice-overdue = Überfällige Rechnungen
group-invitation-sent = Einladungen
group-security-new-device = Anmeldungen von neuen Geräten
group-security-password-changed = Passwortänderungen
group-security-mfa-changed = Änderungen der Zwei-Schritt-Anmeldung

## Die Zusammenfassung
subject-digest = { $count ->
    [one] Ihre tägliche Zusammenfassung von { $brand }: 1 Neuigkeit
   *[other] Ihre tägliche Zusammenfassung von { $brand }: { $count } Neuigkeiten
}

## Inhalt
greeting = Hallo { $name },
greeting-anonymous = Hallo,
intro-instant = Es gibt Neuigkeiten für Sie im Kundenportal von { $brand }.
intro-digest = { $count ->
    [one] Hier ist die 1 Neuigkeit aus dem Kundenportal von { $brand } seit Ihrer letzten Zusammenfassung.
   *[other] Hier sind die { $count } Neuigkeiten aus dem Kundenportal von { $brand } seit Ihrer letzten Zusammenfassung.
}
open = Im Portal öffnen
why-instant = Sie erhalten diese Mail, weil Sie im Kundenportal von { $brand } eingestellt haben, über diese Art von Neuigkeiten sofort informiert zu werden.
why-digest = Sie erhalten diese tägliche Zusammenfassung, weil Sie im Kundenportal von { $brand } eingestellt haben, diese Arten von Neuigkeiten einmal täglich gesammelt zu erhalten.
why-security = Sie erhalten diese Mail, weil sie die Sicherheit Ihres Kontos im Kundenportal von { $brand } betrifft. Sicherheitshinweise lassen sich nicht abbestellen.
preferences = Festlegen, welche Mails Sie erhalten
unsubscribe = Diese Mails abbestellen
