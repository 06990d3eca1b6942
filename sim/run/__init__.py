"""One run: results and files, the overview figure, measures studies share, the equality reference."""
