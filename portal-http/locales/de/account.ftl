# Text of sign-in extras (reset, magic link, invitation, second factor) and the account pages, in German.
