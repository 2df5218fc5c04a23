"""Give each article `earlier` and `later` neighbours, like sitegen's previous/next links."""

from pelican import signals


def link_neighbours(generator):
    """Set article.earlier and article.later along the timeline (articles are newest first)."""
    articles = generator.articles
    for index, article in enumerate(articles):
        article.later = articles[index - 1] if index > 0 else None
        article.earlier = articles[index + 1] if index + 1 < len(articles) else None


def register():
    """Connect to Pelican once the articles are read and sorted."""
    signals.article_generator_finalized.connect(link_neighbours)
