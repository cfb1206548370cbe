"""Layout: the book model → laid-out pages, every column, line and page break decided (no drawing)."""
