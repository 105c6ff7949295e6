"""One small module per gazetteer source; each yields Draft records for the builder to merge."""
