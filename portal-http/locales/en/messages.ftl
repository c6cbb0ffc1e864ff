# Text of the message threads, in English.
