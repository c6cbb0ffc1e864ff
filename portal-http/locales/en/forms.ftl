# Text of form errors, shared by every page with a form, in English.

form-errors-heading = Please check the form
form-invalid = Please check this entry.
form-conflict = This changed in the meantime. Please reload the page and try again.
form-throttled = Too many attempts. Please wait { $minutes ->
    [one] a minute
   *[other] { $minutes } minutes
} and try again.
form-not-accepted = That was not accepted. Please check it and try again.
form-too-large = The file is too large.
form-quota = There is no storage left for this file. Please ask the team.
form-file-type = This kind of file cannot be uploaded.

invalid-empty = Please fill this in.
invalid-too-short = Please use at least { $min } characters.
invalid-too-long = Please use at most { $max } characters.
invalid-control = This holds characters that cannot be used here.
invalid-malformed = This is not in the expected form.
invalid-not-https = Please give an address that starts with https://.
invalid-currency = This is not a known currency.
invalid-out-of-range = This amount is out of range.
invalid-end-before-start = The end lies before the start.
invalid-permission = The permission “{ $permission }” cannot be given to this kind of role.
invalid-contrast = The contrast is only { $ratio }:1, below the { $minimum }:1 that WCAG AA asks for. Please choose a colour with more contrast.
