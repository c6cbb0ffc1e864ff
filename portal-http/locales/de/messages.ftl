# Text of the message threads, in German.
