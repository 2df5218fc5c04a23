"""sitegen: turns raw news articles into a static, chronological timeline website."""

__version__ = "0.1.0"
