# Text of the staff's settings pages (roles, branding, preview, audit log, share links, API keys), in English.
