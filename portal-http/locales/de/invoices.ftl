# Text der Seiten für Rechnungen, auf Deutsch.
# same in German: invoices-col-status

invoices-title = Rechnungen
invoices-lead = Ihre Rechnungen, die neuesten zuerst. Offene lassen sich online bezahlen.
invoices-caption = Rechnungen mit Nummer, Rechnungsdatum, Fälligkeit, Betrag und Status
invoices-col-number = Nummer
invoices-col-issued = Rechnungsdatum
invoices-col-due = Fällig am
invoices-col-amount = Betrag
invoices-col-status = Status
invoices-col-actions = Aktionen
invoices-no-date = Nicht festgelegt
invoices-none = Es gibt noch keine Rechnungen.
invoices-older = Ältere Rechnungen
invoices-newest = Neueste Rechnungen
invoices-pay-label = Rechnung { $number } bezahlen (öffnet in einem neuen Tab)
invoices-breadcrumbs = Sie sind hier
invoices-facts = Übersicht
invoices-project = Projekt
invoices-pay-now = Jetzt bezahlen
invoices-new-tab = (öffnet in einem neuen Tab)
invoices-pay-hint = Die Zahlung läuft über eine sichere Zahlungsseite in einem neuen Tab.
invoices-pay-ask = Um diese Rechnung zu bezahlen, wenden Sie sich bitte an die Kollegin oder den Kollegen, die Zahlungen übernehmen.
invoices-source = Diese Rechnung stammt aus dem Abrechnungssystem von { $tenant }. Die einzelnen Positionen stehen auf der Rechnung, die Sie erhalten haben.
