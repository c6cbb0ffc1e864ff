# Text of the staff's work pages (clients, contacts, projects, approval queue, requests inbox), in English.
