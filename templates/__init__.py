"""The default theme of sitegen: Jinja templates and static files, shipped as site_builder.theme."""
