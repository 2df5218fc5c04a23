"""The site's inputs: which files count, raw articles, entry files, Markdown, the import."""
