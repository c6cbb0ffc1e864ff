# Text of form errors, shared by every page with a form, in German.

form-errors-heading = Bitte prüfen Sie das Formular
form-invalid = Bitte prüfen Sie diese Angabe.
form-conflict = Das hat sich inzwischen geändert. Bitte laden Sie die Seite neu und versuchen Sie es noch einmal.
form-throttled = Zu viele Versuche. Bitte warten Sie { $minutes ->
    [one] eine Minute
   *[other] { $minutes } Minuten
} und versuchen Sie es dann erneut.
form-not-accepted = Das wurde nicht angenommen. Bitte prüfen Sie es und versuchen Sie es noch einmal.
form-too-large = Die Datei ist zu groß.
form-quota = Für diese Datei ist kein Speicherplatz mehr frei. Bitte wenden Sie sich an das Team.
form-file-type = Diese Art von Datei kann nicht hochgeladen werden.

invalid-empty = Bitte füllen Sie dieses Feld aus.
invalid-too-short = Bitte verwenden Sie mindestens { $min } Zeichen.
invalid-too-long = Bitte verwenden Sie höchstens { $max } Zeichen.
invalid-control = Das enthält Zeichen, die hier nicht erlaubt sind.
invalid-malformed = Das hat nicht die erwartete Form.
invalid-not-https = Bitte geben Sie eine Adresse an, die mit https:// beginnt.
invalid-currency = Das ist keine bekannte Währung.
invalid-out-of-range = Dieser Betrag liegt außerhalb des erlaubten Bereichs.
invalid-end-before-start = Das Ende liegt vor dem Anfang.
invalid-permission = Die Berechtigung „{ $permission }“ kann dieser Art von Rolle nicht gegeben werden.
invalid-contrast = Der Kontrast beträgt nur { $ratio }:1 und liegt unter den { $minimum }:1, die WCAG AA verlangt. Bitte wählen Sie eine Farbe mit mehr Kontrast.
