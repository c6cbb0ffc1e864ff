# Text of the projects pages (a project, its milestones, deliverables and timeline), in German.

projects-title = Projekte
projects-lead = Alles, woran wir gemeinsam arbeiten, und wie weit jedes Projekt ist.
projects-list-label = Alle Projekte
projects-more = Weitere Projekte anzeigen
projects-breadcrumbs = Sie sind hier
projects-internal = Intern
projects-late = Verspätet
projects-starts = Ab { $date }

projects-progress-heading = Fortschritt
projects-timeline-heading = Meilensteine
projects-stage-done = Erledigt
projects-stage-in-progress = In Arbeit
projects-stage-next = Als Nächstes
projects-stage-later = Geplant
projects-due = Fällig am { $date }
projects-due-today = heute fällig
projects-due-in = { $days ->
    [one] in 1 Tag
   *[other] in { $days } Tagen
}
projects-late-by = { $days ->
    [one] 1 Tag überfällig
   *[other] { $days } Tage überfällig
}

projects-deliverables-label = Ergebnisse von { $milestone }
projects-deliverable-version = { $file } (Version { $number })
projects-deliverable-approval = Freigabe ansehen
projects-deliverable-not-started = Nicht begonnen
projects-deliverable-in-progress = In Arbeit
projects-deliverable-in-review = Wartet auf Freigabe
projects-deliverable-approved = Freigegeben
projects-deliverable-changes-requested = Änderungen gewünscht
projects-deliverable-delivered = Übergeben

projects-decisions-heading = Entscheidungen
projects-decided-on = Entschieden am { $date }
projects-decisions-empty = Noch keine Entscheidungen festgehalten.
projects-documents-heading = Dokumente
projects-all-documents = Alle Dokumente dieses Projekts
