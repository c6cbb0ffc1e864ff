// Progressive enhancement for the portal's pages. Every page works without this file; it only
// adds conveniences where the browser runs scripts.
"use strict";
