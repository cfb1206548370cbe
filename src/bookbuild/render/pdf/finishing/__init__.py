"""Finishing: drawn pages → one PDF: turned, merged, stamped, with links, outline and metadata."""
