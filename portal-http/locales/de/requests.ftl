# Text of the requests pages, in German.
