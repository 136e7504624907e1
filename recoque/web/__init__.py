"""Server-rendered pages (Jinja2) and static assets, all served locally."""
