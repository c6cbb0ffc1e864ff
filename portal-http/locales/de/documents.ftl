# Text of the documents pages (the list, versions, upload and download), in German.
