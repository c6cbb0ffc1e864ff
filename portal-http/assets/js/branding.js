// The branding editor's live preview. The editor works without this file.
"use strict";
