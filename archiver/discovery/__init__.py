"""Finding articles: link extraction and telling articles from other pages."""
