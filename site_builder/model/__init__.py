"""Plain data: raw articles, entries, tags, periods, and the site they make."""
