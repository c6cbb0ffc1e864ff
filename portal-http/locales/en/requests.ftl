# Text of the requests pages, in English.
