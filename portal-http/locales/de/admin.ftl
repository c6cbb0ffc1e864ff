# Text of the staff's settings pages (roles, branding, preview, audit log, share links, API keys), in German.
# same in German: admin-role-admin admin-role-manager admin-audit-actor-system admin-roles-name admin-api-keys-name admin-audit-actor admin-audit-format admin-share-links-heading admin-branding-locale-en admin-branding-locale-de

## The hub

admin-title = Einstellungen
admin-breadcrumbs = Sie sind hier
admin-hub-lead = Wer was darf, wie das Portal aussieht und was darin geschehen ist.
admin-hub-sections = Bereiche
admin-hub-roles = Legen Sie fest, was jede Rolle darf, und definieren Sie eigene Rollen.
admin-hub-branding = Legen Sie Namen, Logo, Farben, Schrift, Standardsprache und E-Mail-Absender des Portals fest.
admin-hub-clients = Geben Sie einem Kunden ein eigenes Erscheinungsbild.
admin-hub-preview = Sehen Sie das Portal genau so, wie ein Kunde es sieht, ohne etwas zu ändern.
admin-hub-audit = Lesen und exportieren Sie das Protokoll aller sicherheitsrelevanten Vorgänge.
admin-hub-share-links = Erstellen und widerrufen Sie Links ohne Anmeldung zu einem Projekt.
admin-hub-api-keys = Erstellen und widerrufen Sie Schlüssel für Ihre Integrationen.
admin-list-older = Ältere
notice-admin-roles-saved = Die Berechtigungen sind gespeichert. Sie gelten ab der nächsten Seite, die jemand öffnet.
notice-admin-roles-created = Die Rolle ist angelegt. Vergeben Sie ihre Berechtigungen in der Tabelle.
notice-admin-roles-deleted = Die Rolle ist gelöscht.
notice-admin-branding-saved = Das Erscheinungsbild ist gespeichert.
notice-admin-branding-saved-css = Das Erscheinungsbild ist gespeichert, aber Teile des eigenen CSS wurden entfernt. Was und warum, sehen Sie unten.
notice-admin-branding-client-saved-css = Das Erscheinungsbild des Kunden ist gespeichert, aber Teile seines eigenen CSS wurden entfernt. Was und warum, sehen Sie unten.
notice-admin-branding-client-saved = Das Erscheinungsbild des Kunden ist gespeichert.
notice-admin-branding-client-cleared = Der Kunde sieht wieder das Erscheinungsbild Ihres Portals.
notice-admin-preview-started = Sie sehen das Portal jetzt so wie der Kunde.
notice-admin-preview-ended = Die Vorschau ist beendet.
notice-admin-share-links-revoked = Der Link ist widerrufen und funktioniert nicht mehr.
notice-admin-api-keys-revoked = Der Schlüssel ist widerrufen und funktioniert nicht mehr.

## Roles and the permission matrix

admin-roles-title = Rollen und Berechtigungen
admin-roles-lead = Kreuzen Sie an, was jede Rolle darf. Eine Rolle Ihres Teams erhält nie eine Berechtigung der Kunden, eine Kundenrolle nie eine des Teams.
admin-roles-matrix = Berechtigungsmatrix
admin-roles-matrix-hint = Speichern Sie eine Rolle mit der Schaltfläche unter ihrer Spalte oder alle Änderungen auf einmal. Auf kleinen Bildschirmen lässt sich die Tabelle seitlich verschieben.
admin-roles-matrix-caption = Berechtigungen je Rolle
admin-roles-permission = Berechtigung
admin-roles-custom = Eigene
admin-roles-cell = { $role } – { $permission }
admin-roles-always = { $label }: immer erteilt
admin-roles-never = { $label }: für diese Art von Rolle nicht verfügbar
admin-roles-save-column = Speichern
admin-roles-save = Speichern
admin-roles-save-role = Berechtigungen von { $role } speichern
admin-roles-save-all = Alle Änderungen speichern
admin-roles-column-error = { $role }: { $message }
admin-roles-new = Neue Rolle
admin-roles-new-hint = Eine neue Rolle beginnt ohne Berechtigungen; kreuzen Sie diese nach dem Anlegen in der Tabelle an.
admin-roles-name = Name
admin-roles-side = Für
admin-roles-side-missing = Bitte wählen Sie, ob die Rolle für Ihr Team oder für Kunden ist.
admin-roles-name-taken = Eine Rolle mit diesem Namen gibt es bereits.
admin-roles-create = Rolle anlegen
admin-roles-custom-heading = Ihre eigenen Rollen
admin-roles-custom-empty = Sie haben noch keine eigenen Rollen definiert.
admin-roles-delete = Löschen
admin-roles-delete-role = Rolle { $role } löschen
admin-roles-delete-blocked = Diese Rolle lässt sich nicht löschen, solange jemand sie innehat. Geben Sie den Betreffenden zuerst eine andere Rolle.
admin-side-staff = Rollen des Teams
admin-side-client = Rollen der Kunden
admin-role-owner = Inhaber
admin-role-admin = Admin
admin-role-manager = Manager
admin-role-member = Mitglied
admin-role-client_admin = Kunden-Admin
admin-role-approver = Freigebende Person
admin-role-finance = Buchhaltung
admin-role-viewer = Lesezugriff

admin-group-work = Arbeit
admin-group-documents = Dokumente
admin-group-conversation = Unterhaltung
admin-group-approvals = Freigaben
admin-group-requests = Anfragen
admin-group-finance = Finanzen
admin-group-staff-access = Zugriff des Teams
admin-group-delivery = Umsetzung
admin-group-administration = Verwaltung

admin-permission-view_projects = Projekte und ihren Stand sehen.
admin-permission-view_milestones = Meilensteine und ihren Fortschritt sehen.
admin-permission-view_deliverables = Ergebnisse und ihren Stand sehen.
admin-permission-view_updates = Statusmeldungen lesen.
admin-permission-view_decisions = Protokollierte Entscheidungen aus Besprechungen lesen.
admin-permission-view_tasks = Nächste Schritte sehen und wer sie übernimmt.
admin-permission-complete_tasks = Aufgaben der eigenen Seite erledigen oder wieder öffnen.
admin-permission-view_documents = Dokumente und ihre Versionen auflisten.
admin-permission-download_documents = Dateien von Dokumenten herunterladen.
admin-permission-upload_documents = Dokumente und neue Versionen hochladen.
admin-permission-manage_documents = Dokumente umbenennen, verschieben und löschen.
admin-permission-comment = Nachrichten in Unterhaltungen schreiben.
admin-permission-view_approvals = Freigabeanfragen und ihr Ergebnis sehen.
admin-permission-decide_approvals = Freigeben oder Änderungen erbitten.
admin-permission-request_approvals = Einen Kunden um Freigabe bitten oder die Bitte zurückziehen.
admin-permission-submit_requests = Anfragen stellen und auf Antworten reagieren.
admin-permission-view_requests = Anfragen und ihre Antworten sehen.
admin-permission-manage_requests = Anfragen beantworten, einordnen und abschließen.
admin-permission-view_invoices = Rechnungen sehen.
admin-permission-pay_invoices = Den Zahlungslink einer Rechnung öffnen.
admin-permission-view_financials = Finanzangaben sehen: Budgets, Beträge und Sätze.
admin-permission-manage_invoices = Rechnungen anlegen, ausstellen und stornieren.
admin-permission-manage_client_contacts = Kontaktpersonen des eigenen Kunden einladen und verwalten.
admin-permission-view_internal = Interne Objekte, Entwürfe und interne Nachrichten sehen.
admin-permission-access_all_clients = Für alle Kunden arbeiten, nicht nur für die zugewiesenen.
admin-permission-view_as_client = Das Portal so sehen, wie ein Kunde es sieht (nur lesend, protokolliert).
admin-permission-manage_clients = Kunden anlegen und bearbeiten und ihre Kontaktpersonen einladen.
admin-permission-manage_projects = Projekte anlegen, bearbeiten und archivieren.
admin-permission-manage_milestones = Meilensteine anlegen, bearbeiten und weiterschalten.
admin-permission-manage_deliverables = Ergebnisse anlegen, bearbeiten und weiterschalten.
admin-permission-manage_updates = Statusmeldungen schreiben.
admin-permission-manage_decisions = Entscheidungen aus Besprechungen festhalten.
admin-permission-manage_tasks = Aufgaben anlegen, zuweisen und bearbeiten.
admin-permission-publish = Objekte für den Kunden veröffentlichen oder zurücknehmen.
admin-permission-create_share_links = Freigabelinks ohne Anmeldung erstellen und widerrufen.
admin-permission-manage_staff = Teammitglieder einladen und ihnen Rollen und Kunden zuweisen.
admin-permission-manage_roles = Eigene Rollen definieren und die Berechtigungsmatrix bearbeiten.
admin-permission-manage_branding = Erscheinungsbild, Logo, Domains und E-Mail-Absender bearbeiten.
admin-permission-manage_integrations = Webhooks, Datenquellen und E-Mail einrichten.
admin-permission-manage_api_keys = API-Schlüssel erstellen und widerrufen.
admin-permission-view_audit_log = Das Protokoll lesen.
admin-permission-export_audit_log = Das Protokoll als CSV oder JSON Lines exportieren.
admin-permission-manage_tenant = Sicherheitseinstellungen des ganzen Portals und die Inhaberschaft ändern.

## Branding

admin-branding-title = Erscheinungsbild
admin-branding-lead = So sieht Ihr Portal für Ihr Team und Ihre Kunden aus. Das Muster zeigt Ihre Änderungen, während Sie sie vornehmen.
admin-branding-clients-link = Einem Kunden ein eigenes Erscheinungsbild geben
admin-branding-form-heading = Aussehen
admin-branding-display-name = Name im Portal und in E-Mails
admin-branding-logo = Adresse des Logos
admin-branding-favicon = Adresse des Symbols im Browser-Tab
admin-branding-https-hint = Eine Adresse, die mit https:// beginnt, oder leer lassen.
admin-branding-primary = Hauptfarbe
admin-branding-primary-picker = Hauptfarbe: auswählen
admin-branding-primary-code = Hauptfarbe: Farbcode
admin-branding-accent = Akzentfarbe
admin-branding-accent-picker = Akzentfarbe: auswählen
admin-branding-accent-code = Akzentfarbe: Farbcode
admin-branding-colour-hint = Wählen Sie eine Farbe oder geben Sie ihren Code ein, z. B. #1f3a5f.
admin-branding-font = Schrift
admin-branding-font-hint = Der Name einer Schriftfamilie, z. B. Inter. Nur Buchstaben, Ziffern, Leerzeichen, Kommas und Bindestriche. Leer lassen für die Systemschrift.
admin-branding-css = Eigenes CSS
admin-branding-css-hint = Gilt nach dem Speichern auf jeder Seite. Was andere Dateien laden oder Skript ausführen könnte, wird beim Speichern entfernt: Importe, Skripte, Markup und Adressen außer https-Adressen auf dem Host Ihres Logos oder Tab-Symbols und Pfaden des Portals selbst. Sie sehen danach, was entfernt wurde.
admin-branding-sender-name = Name des E-Mail-Absenders
admin-branding-sender-address = Adresse des E-Mail-Absenders
admin-branding-save = Speichern
admin-branding-preview = Vorschau
admin-branding-previewing = Dies ist eine Vorschau: Noch ist nichts gespeichert. Eigenes CSS erscheint erst nach dem Speichern.
admin-branding-sample-heading = Muster
admin-branding-sample-hint = So sehen Kopfzeilen, Schaltflächen, Links, Fortschrittsbalken und Markierungen aus.
admin-branding-sample-text = Ihr Projekt liegt im Plan.
admin-branding-sample-link = Details ansehen
admin-branding-sample-progress = Beispielfortschritt: 3 von 4
admin-branding-sample-badge = Ihre Entscheidung
admin-branding-sample-button = Freigeben
admin-branding-locale = Standardsprache
admin-branding-locale-hint = Die Sprache der Seiten für alle, die keine eigene gewählt haben. Ohne Standardsprache entscheidet der Browser der jeweiligen Person.
admin-branding-locale-client-hint = Die Sprache der Seiten dieses Kunden für seine Kontakte, die keine eigene gewählt haben.
admin-branding-locale-browser = Keine: Der Browser entscheidet
admin-branding-locale-inherit = Die Standardsprache Ihres Portals
admin-branding-locale-en = English
admin-branding-locale-de = Deutsch
admin-branding-locale-other = { $tag } (wie gespeichert)

admin-css-removed-heading = Aus dem eigenen CSS entfernt
admin-css-removed-lead = Diese Teile wurden nicht gespeichert und haben keine Wirkung. Der Rest Ihres CSS wurde so gespeichert, wie Sie ihn eingegeben haben.
admin-css-removed-import = @import ist nicht erlaubt: Das Portal lädt keine anderen Stylesheets.
admin-css-removed-charset-or-namespace = @charset und @namespace sind nicht erlaubt.
admin-css-removed-script = Skript in CSS ist nicht erlaubt (expression(), javascript:, behavior, -moz-binding).
admin-css-removed-url = Diese Adresse darf nicht geladen werden: Erlaubt sind nur https-Adressen auf dem Host Ihres Logos oder Tab-Symbols und Pfade des Portals selbst.
admin-css-removed-markup = „<“ und NUL-Zeichen sind nicht erlaubt: Sie könnten das Stylesheet beenden.
admin-css-removed-malformed = Unvollständiges oder fehlerhaftes CSS: eine nicht geschlossene Zeichenkette, ein Kommentar, url( ) oder eine Klammer.
admin-css-removed-other = Dies ist in eigenem CSS nicht erlaubt.
admin-css-removed-more = { $count ->
    [one] Ein weiterer Teil wurde ebenfalls entfernt.
   *[other] { $count } weitere Teile wurden ebenfalls entfernt.
}

admin-clients-title = Erscheinungsbild der Kunden
admin-clients-lead = Ein Kunde mit eigenem Erscheinungsbild sieht seine eigenen Farben und sein Logo; die anderen sehen das Ihres Portals.
admin-clients-heading = Kunden
admin-clients-own = Eigenes
admin-clients-inherited = Ihr Erscheinungsbild
admin-clients-empty = Es gibt keine Kunden anzuzeigen.
admin-client-look-title = Erscheinungsbild für { $client }
admin-client-look-own = Dieser Kunde hat ein eigenes Erscheinungsbild.
admin-client-look-inherited = Dieser Kunde sieht das Erscheinungsbild Ihres Portals. Wenn Sie hier speichern, erhält er ein eigenes.
admin-client-look-clear = Wieder das Erscheinungsbild des Portals verwenden
admin-client-look-clear-hint = Entfernt das eigene Erscheinungsbild dieses Kunden; er sieht dann das Ihres Portals.

## View as client

admin-preview-title = Als Kunde ansehen
admin-preview-lead = Sehen Sie das Portal genau so, wie eine Kontaktperson eines Kunden es sieht. Während der Vorschau lässt sich nichts ändern, und ihr Beginn wird im Protokoll festgehalten.
admin-preview-heading = Vorschau beginnen
admin-preview-client = Kunde
admin-preview-role = Als Kontaktperson mit der Rolle
admin-preview-choose = Bitte wählen
admin-preview-choose-client = Bitte wählen Sie einen Kunden.
admin-preview-choose-role = Bitte wählen Sie eine Kundenrolle.
admin-preview-audited = Die Vorschau wird unter Ihrem Namen im Protokoll festgehalten.
admin-preview-start = Vorschau beginnen
admin-preview-empty = Es gibt keinen Kunden, den Sie ansehen dürfen.

## Audit log

admin-audit-title = Protokoll
admin-audit-lead = Jeder sicherheitsrelevante Vorgang, der neueste zuerst. Einträge lassen sich weder ändern noch entfernen.
admin-audit-filters = Filtern
admin-audit-actor = Person
admin-audit-anyone = Alle
admin-audit-action = Vorgang
admin-audit-action-hint = Der genaue Vorgang, z. B. role.changed.
admin-audit-client = Kunde
admin-audit-any-client = Alle Kunden
admin-audit-from = Von
admin-audit-to = Bis
admin-audit-apply = Anzeigen
admin-audit-reset = Filter zurücksetzen
admin-audit-export = Exportieren
admin-audit-export-hint = Lädt alle Einträge herunter, die zum Vorgang und zu den Tagen oben passen.
admin-audit-export-narrowed = Lädt alle Einträge herunter, die zum Vorgang und zu den Tagen oben passen; die Filter nach Person und Kunde gelten nur für die Liste auf dieser Seite.
admin-audit-format = Format
admin-audit-format-csv = CSV (Tabellenkalkulation)
admin-audit-format-jsonl = JSON Lines (Werkzeuge)
admin-audit-download = Herunterladen
admin-audit-events = Einträge
admin-audit-col-when = Wann
admin-audit-col-actor = Wer
admin-audit-col-action = Vorgang
admin-audit-col-object = Objekt
admin-audit-col-outcome = Ergebnis
admin-audit-col-ip = Adresse
admin-audit-at = { $date }, { $time } UTC
admin-audit-actor-preview = Vorschau
admin-audit-actor-api-key = API-Schlüssel
admin-audit-actor-share-link = Freigabelink
admin-audit-actor-anonymous = Nicht angemeldet
admin-audit-actor-system = System
admin-audit-outcome-success = Erledigt
admin-audit-outcome-failure = Fehlgeschlagen
admin-audit-outcome-denied = Abgelehnt
admin-audit-empty = Keine Einträge passen.
admin-audit-older = Ältere Einträge

## Share links

admin-share-links-title = Freigabelinks
admin-share-links-lead = Ein Freigabelink zeigt die freigegebenen Inhalte eines Projekts allen, die ihn haben, ohne Anmeldung, bis er abläuft oder widerrufen wird.
admin-share-links-heading = Links
admin-share-links-empty = Es gibt noch keine Freigabelinks.
admin-share-links-by = Erstellt von { $name } am { $date }
admin-share-links-expires = Läuft ab am { $date }
admin-share-links-uses = { $uses ->
    [one] Einmal verwendet
   *[other] { $uses }-mal verwendet
}
admin-share-links-uses-of = { $uses } von { $max } Verwendungen
admin-share-links-downloads = Herunterladen erlaubt
admin-share-links-state-active = Gültig
admin-share-links-state-expired = Abgelaufen
admin-share-links-state-revoked = Widerrufen
admin-share-links-state-used-up = Aufgebraucht
admin-share-links-revoke = Widerrufen
admin-share-links-revoke-label = Den Link zu { $target } widerrufen
admin-share-links-new = Neuer Link
admin-share-links-project = Projekt
admin-share-links-choose = Bitte wählen
admin-share-links-project-option = { $project } ({ $client })
admin-share-links-no-projects = Es gibt kein Projekt, das Sie freigeben dürfen.
admin-share-links-days-label = Tage bis zum Ablauf
admin-share-links-days-hint = 7, wenn Sie nichts anderes angeben.
admin-share-links-uses-label = Höchstzahl an Verwendungen
admin-share-links-uses-hint = Leer lassen für keine Begrenzung.
admin-share-links-allow-download = Herunterladen von Dateien erlauben
admin-share-links-create = Link erstellen
admin-share-links-choose-project = Bitte wählen Sie ein Projekt.
admin-share-links-days = Bitte geben Sie eine ganze Zahl von Tagen an.
admin-share-links-days-range = Bitte geben Sie 1 bis { $max } Tage an.
admin-share-links-uses-invalid = Bitte geben Sie eine ganze Zahl ab 1 an oder lassen Sie das Feld leer.
admin-share-links-created = Link zu { $target } erstellt
admin-share-links-token = Das Token des Links
admin-share-links-token-hint = Kopieren Sie es jetzt: Es wird nur dieses eine Mal angezeigt und lässt sich nicht wiederherstellen.

## API keys

admin-api-keys-title = API-Schlüssel
admin-api-keys-lead = Mit Schlüsseln nutzen Ihre anderen Systeme die API des Portals. Ein Schlüssel handelt für die Person, die ihn erstellt hat, und nie mit mehr als den ihm gegebenen Berechtigungen.
admin-api-keys-heading = Schlüssel
admin-api-keys-empty = Es gibt noch keine API-Schlüssel.
admin-api-keys-by = Erstellt von { $name } am { $date }
admin-api-keys-last-used = Zuletzt verwendet am { $date }
admin-api-keys-never-used = Nie verwendet
admin-api-keys-active = Gültig
admin-api-keys-revoked = Widerrufen
admin-api-keys-revoke = Widerrufen
admin-api-keys-revoke-label = Den Schlüssel { $name } widerrufen
admin-api-keys-new = Neuer Schlüssel
admin-api-keys-new-hint = Wenn Ihre Anmeldung schon eine Weile zurückliegt, werden Sie erneut nach Ihrem Passwort gefragt.
admin-api-keys-name = Name
admin-api-keys-permissions = Was der Schlüssel darf
admin-api-keys-create = Schlüssel erstellen
admin-api-keys-created = Schlüssel { $name } erstellt
admin-api-keys-secret = Der Schlüssel
admin-api-keys-secret-hint = Kopieren Sie ihn jetzt: Er wird nur dieses eine Mal angezeigt und lässt sich nicht wiederherstellen.
