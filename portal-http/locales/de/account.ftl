# Text of sign-in extras (reset, magic link, invitation, second factor) and the account pages, in German.
# same in German: account-language-en account-language-de account-role-admin account-role-manager account-role-finance

## Gemeinsam

account-email = E-Mail-Adresse
account-name = Ihr Name
account-password = Passwort
account-current-password = Aktuelles Passwort
account-new-password = Neues Passwort
account-new-password-again = Neues Passwort wiederholen
account-password-hint = Mindestens { $min } Zeichen. Einige Wörter ohne Zusammenhang ergeben ein starkes Passwort, das sich leicht merken lässt.
account-back-to-sign-in = Zurück zur Anmeldung
account-cancel = Abbrechen
account-breadcrumbs = Sie sind hier

## Einen Link per E-Mail anfordern

account-email-empty = Bitte geben Sie Ihre E-Mail-Adresse ein.
account-email-malformed = Das ist keine E-Mail-Adresse. Bitte prüfen Sie sie auf Tippfehler.
account-reset-ask-title = Passwort zurücksetzen
account-reset-ask-intro = Geben Sie die E-Mail-Adresse ein, mit der Sie sich anmelden. Wir senden Ihnen einen Link, mit dem Sie ein neues Passwort wählen.
account-reset-ask-submit = Link senden
account-magic-ask-title = Mit einem E-Mail-Link anmelden
account-magic-ask-intro = Geben Sie die E-Mail-Adresse ein, mit der Sie sich anmelden. Wir senden Ihnen einen Link, der Sie ohne Passwort anmeldet.
account-magic-ask-submit = Anmeldelink per E-Mail senden
account-link-sent-title = Sehen Sie in Ihr Postfach
account-reset-sent-text = Wenn ein Konto diese E-Mail-Adresse verwendet, ist ein Link zum Zurücksetzen des Passworts unterwegs.
account-magic-sent-text = Wenn ein Konto diese E-Mail-Adresse verwendet, ist ein Anmeldelink unterwegs.
account-link-sent-hint = Der Link funktioniert einmal und nur für kurze Zeit. Nach ein paar Minuten noch nichts da? Sehen Sie im Spam-Ordner nach oder fordern Sie ihn erneut an.
account-link-sent-again = Einen weiteren Link senden

## Links, die nicht mehr funktionieren

account-link-dead-title = Dieser Link funktioniert nicht mehr
account-reset-dead-text = Links zum Zurücksetzen funktionieren einmal und nur für kurze Zeit. Dieser wurde schon verwendet, ist abgelaufen oder unvollständig. Fordern Sie einen neuen an.
account-reset-again = Neuen Link zum Zurücksetzen anfordern
account-magic-dead-text = Anmeldelinks funktionieren einmal und nur für kurze Zeit. Dieser wurde schon verwendet, ist abgelaufen oder unvollständig. Fordern Sie einen neuen an oder melden Sie sich mit Ihrem Passwort an.
account-magic-again = Neuen Anmeldelink anfordern
account-invitation-dead-title = Diese Einladung funktioniert nicht mehr
account-invitation-dead-text = Sie ist vielleicht abgelaufen, wurde schon angenommen oder durch eine neuere Einladung ersetzt. Bitten Sie die Person, die Sie eingeladen hat, um eine neue.

## Passwort zurücksetzen

account-reset-title = Neues Passwort wählen
account-reset-intro = Ihr neues Passwort ersetzt das alte. Sie werden überall abgemeldet und können sich dann damit anmelden.
account-reset-submit = Neues Passwort speichern
account-password-mismatch = Die beiden Passwörter stimmen nicht überein. Bitte geben Sie das neue Passwort zweimal ein.
account-password-too-short = Bitte verwenden Sie mindestens { $min } Zeichen.
account-password-too-long = Bitte verwenden Sie höchstens { $max } Zeichen.
account-password-too-many-bytes = Dieses Passwort ist zu lang. Bitte wählen Sie ein kürzeres.
account-password-too-common = Dieses Passwort ist zu verbreitet und leicht zu erraten. Bitte wählen Sie ein anderes.

## Anmeldelink

account-magic-title = Anmelden
account-magic-intro = Melden Sie sich mit dem Link aus Ihrer E-Mail bei { $tenant } an.
account-magic-submit = Jetzt anmelden
account-magic-use-password = Stattdessen mit Passwort anmelden

## Einladung

account-invitation-title = Einladung annehmen
account-invitation-heading = Willkommen bei { $tenant }
account-invitation-email = Eingeladene Adresse
account-invitation-client = Kunde
account-invitation-team = Team von
account-invitation-role = Rolle
account-invitation-intro = Wählen Sie Ihren Namen und ein Passwort, um die Einladung anzunehmen. Sie gilt bis zum { $date }.
account-invitation-name-hint = So wird Ihr Name dem Team und allen anderen im Portal angezeigt.
account-invitation-submit = Annehmen und anmelden
account-role-owner = Inhaber
account-role-admin = Administrator
account-role-manager = Manager
account-role-member = Teammitglied
account-role-client_admin = Kundenadministrator
account-role-approver = Freigabeberechtigt
account-role-finance = Finance
account-role-viewer = Lesezugriff

## Passwort bestätigen

account-confirm-title = Bestätigen Sie, dass Sie es sind
account-confirm-intro = Zu Ihrer Sicherheit geben Sie bitte Ihr Passwort erneut ein, bevor Sie fortfahren.
account-confirm-who = Angemeldet als { $email }
account-confirm-submit = Weiter
account-confirm-wrong = Dieses Passwort stimmt nicht. Bitte versuchen Sie es erneut.

## Die Kontoseite

account-title = Ihr Konto
account-lead = Ihr Name, Ihre Sprache, Ihr Passwort, die Zwei-Schritt-Bestätigung und wo Sie angemeldet sind.
account-profile-heading = Profil
account-email-hint = Wenn Sie eine andere E-Mail-Adresse verwenden möchten, wenden Sie sich bitte an das Team.
account-name-submit = Namen speichern
account-password-heading = Passwort
account-password-lead = Wenn Sie Ihr Passwort ändern, werden Sie auf allen anderen Geräten abgemeldet.
account-password-submit = Passwort ändern
account-password-current-wrong = Das ist nicht Ihr aktuelles Passwort.
account-language-heading = Sprache
account-language-label = Sprache des Portals
account-language-browser = Wie mein Browser eingestellt ist
account-language-en = English
account-language-de = Deutsch
account-language-submit = Sprache speichern
account-language-unknown = Bitte wählen Sie eine der aufgeführten Sprachen.
account-sessions-heading = Sitzungen und Geräte
account-sessions-lead = Wo Sie gerade angemeldet sind. Melden Sie alles ab, was Sie nicht kennen, und ändern Sie dann Ihr Passwort.
account-session-this-device = Dieses Gerät
account-session-ip = IP-Adresse { $ip }
account-session-started = Angemeldet am { $moment }
account-session-last-seen = Zuletzt aktiv am { $moment }
account-session-end = Abmelden
account-session-end-label = { $device } abmelden, zuletzt aktiv am { $moment }
account-sessions-end-others = { $count ->
    [one] Das andere Gerät abmelden
   *[other] Alle { $count } anderen Geräte abmelden
}
account-device = { $browser } unter { $system }
account-device-unknown = Unbekannter Browser
account-moment = { $date }, { $time } Uhr UTC

## Zwei-Schritt-Bestätigung

account-mfa-heading = Zwei-Schritt-Bestätigung
account-mfa-lead = Zusätzlich zu Ihrem Passwort ein Code aus einer Authenticator-App auf Ihrem Handy. Wer Ihr Passwort erfährt, kann sich trotzdem nicht anmelden.
account-mfa-on = Aktiv
account-mfa-off = Aus
account-mfa-why = Schützen Sie Ihr Konto zusätzlich zum Passwort mit einem Code von Ihrem Handy.
account-mfa-manage = Zwei-Schritt-Bestätigung verwalten
account-mfa-set-up = Zwei-Schritt-Bestätigung einrichten
account-mfa-codes-left = { $count ->
    [0] Keine Wiederherstellungscodes mehr übrig. Erstellen Sie neue.
    [one] Noch ein Wiederherstellungscode übrig.
   *[other] Noch { $count } Wiederherstellungscodes übrig.
}
account-mfa-required = { $tenant } bittet alle, die Zwei-Schritt-Bestätigung zu verwenden. Bitte richten Sie sie ein, bevor Sie fortfahren.
account-mfa-state-on = Die Zwei-Schritt-Bestätigung ist aktiv
account-mfa-state-off = Die Zwei-Schritt-Bestätigung ist aus
account-mfa-step-app = Installieren Sie eine Authenticator-App auf Ihrem Handy, falls Sie noch keine haben.
account-mfa-step-scan = Scannen Sie den angezeigten Code mit der App oder geben Sie den Schlüssel ein.
account-mfa-step-code = Geben Sie den 6-stelligen Code ein, den die App dann anzeigt.
account-mfa-new-codes = Neue Wiederherstellungscodes erstellen
account-mfa-new-codes-hint = Ihre bisherigen Wiederherstellungscodes werden ungültig und Sie erhalten zehn neue.
account-mfa-disable-heading = Zwei-Schritt-Bestätigung ausschalten
account-mfa-disable-lead = Geben Sie Ihr Passwort und einen Code aus Ihrer App ein. Ihr Konto ist dann nur noch durch Ihr Passwort geschützt.
account-mfa-disable-required = Ihre Organisation verlangt die Zwei-Schritt-Bestätigung: Nach dem Ausschalten richten Sie sie sofort neu ein, zum Beispiel auf einem neuen Handy.
account-mfa-disable-submit = Ausschalten
account-mfa-code = Code aus der App
account-mfa-code-hint = Der 6-stellige Code oder einer Ihrer Wiederherstellungscodes.
account-mfa-code-wrong = Dieser Code hat nicht funktioniert. Codes wechseln alle 30 Sekunden, verwenden Sie also den aktuell angezeigten.
account-mfa-setup-title = Zwei-Schritt-Bestätigung einrichten
account-mfa-setup-lead = Verbinden Sie Ihre Authenticator-App mit Ihrem Konto und bestätigen Sie mit einem Code daraus.
account-mfa-scan-heading = Scannen Sie diesen Code mit Ihrer App
account-mfa-code-heading = Geben Sie einen Code aus Ihrer App ein
account-mfa-qr-caption = Mit Ihrer Authenticator-App scannen.
account-mfa-open-app = Auf diesem Handy? Authenticator-App öffnen
account-mfa-secret-hint = Scannen nicht möglich? Geben Sie diesen Schlüssel ein:
account-mfa-first-code-hint = Der 6-stellige Code, den Ihre App für dieses Konto anzeigt.
account-mfa-confirm-submit = Einschalten
account-mfa-start-over-hint = Schlüssel falsch eingegeben oder einen alten Code gescannt? Beginnen Sie mit einem neuen von vorn.
account-mfa-start-over = Von vorn beginnen

## Wiederherstellungscodes

account-codes-title = Ihre Wiederherstellungscodes
account-codes-lead = Wenn Sie Ihr Handy verlieren, meldet Sie jeder dieser Codes einmal anstelle eines Codes aus der App an.
account-codes-heading = Zehn Wiederherstellungscodes
account-codes-once = Die Codes werden nur dieses eine Mal angezeigt. Bewahren Sie sie sicher auf, bevor Sie fortfahren.
account-codes-hint = Schreiben Sie sie auf, drucken Sie sie aus oder speichern Sie sie in Ihrem Passwort-Manager – nicht auf dem Handy mit der App.
account-codes-continue = Ich habe sie aufbewahrt, weiter

## Erste Schritte

account-tour-heading = Erste Schritte
account-tour-intro = Willkommen! Hier finden Sie das Wichtigste.
account-tour-decisions-title = Entscheidungen, die auf Sie warten
account-tour-decisions-text = Freizugebende Ergebnisse und Dokumente stehen unter „Freigaben“ und oben in dieser Übersicht.
account-tour-documents-title = Dokumente
account-tour-documents-text = Alle geteilten Dateien mit ihren Versionen, zum Herunterladen oder Ergänzen.
account-tour-requests-title = Anfragen und Nachrichten
account-tour-requests-text = Bitten Sie das Team um etwas Neues und verfolgen Sie das Gespräch dazu.
account-tour-messages-title = Nachrichten
account-tour-messages-text = Sprechen Sie mit dem Team über jedes Projekt.
account-tour-account-title = Ihr Konto
account-tour-account-text = Ihr Name, Ihre Sprache, Ihr Passwort und die Zwei-Schritt-Bestätigung – immer oben unter Ihrem Namen.
account-tour-done = Verstanden


## Passkeys

# same in German: account-passkeys-heading
account-passkeys-heading = Passkeys
account-passkeys-lead = Melden Sie sich mit Fingerabdruck, Gesicht oder der PIN Ihres Geräts an statt mit einem Passwort. Ein Passkey gilt auch als Zwei-Schritt-Bestätigung.
account-passkeys-required = { $tenant } verlangt von allen eine Zwei-Schritt-Bestätigung. Fügen Sie einen Passkey hinzu oder richten Sie eine Authenticator-App ein, bevor Sie fortfahren.
account-passkeys-list-heading = Ihre Passkeys
account-passkeys-none = Sie haben noch keine Passkeys.
account-passkeys-why = Melden Sie sich ohne Passwort an, mit Fingerabdruck, Gesicht oder Geräte-PIN.
account-passkeys-count = { $count ->
    [0] Noch keine Passkeys.
    [one] Ein Passkey.
   *[other] { $count } Passkeys.
}
account-passkeys-manage = Passkeys verwalten
account-passkey-added = Hinzugefügt am { $moment }
account-passkey-last-used = Zuletzt verwendet am { $moment }
account-passkey-never-used = Noch nicht verwendet
account-passkey-rename = Umbenennen
account-passkey-rename-label = Neuer Name für { $name }
account-passkey-revoke = Entfernen
account-passkey-revoke-label = Passkey { $name } entfernen
account-passkey-add-heading = Passkey hinzufügen
account-passkey-unsupported = Um einen Passkey hinzuzufügen, öffnen Sie diese Seite in einem Browser, der Passkeys unterstützt, mit eingeschaltetem JavaScript.
account-passkey-name = Bezeichnung
account-passkey-name-hint = Damit Sie Ihre Passkeys auseinanderhalten, zum Beispiel „Laptop“ oder „Handy“.
account-passkey-add = Passkey hinzufügen
account-passkey-failed = Der Passkey konnte nicht hinzugefügt werden. Bitte versuchen Sie es erneut.
account-passkey-known = Dieser Passkey ist schon registriert.
account-passkey-name-invalid = Geben Sie einen Namen mit höchstens 200 Zeichen ein.
account-mfa-passkey-alternative = Lieber einen Passkey? Auch er gilt als Zwei-Schritt-Bestätigung.

## Bestätigungen

notice-account-renamed = Ihr Name ist gespeichert.
notice-account-language = Ihre Sprache ist gespeichert.
notice-account-password-changed = Ihr Passwort ist geändert. Andere Geräte sind abgemeldet.
notice-account-password-reset = Ihr neues Passwort ist gesetzt. Bitte melden Sie sich damit an.
notice-account-session-ended = Das Gerät ist abgemeldet.
notice-account-sessions-ended = Alle anderen Geräte sind abgemeldet.
notice-account-mfa-off = Die Zwei-Schritt-Bestätigung ist ausgeschaltet.
notice-account-passkey-added = Ihr Passkey ist hinzugefügt.
notice-account-passkey-renamed = Ihr Passkey ist umbenannt.
notice-account-passkey-revoked = Ihr Passkey ist entfernt. Er meldet Sie nicht mehr an.
notice-account-tour-done = Ihre Kontoeinstellungen finden Sie jederzeit unter Ihrem Namen.
