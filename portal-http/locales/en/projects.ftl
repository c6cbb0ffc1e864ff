# Text of the projects pages (a project, its milestones, deliverables and timeline), in English.
