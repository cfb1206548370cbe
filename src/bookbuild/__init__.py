"""bookbuild: annotated Traditional Chinese books from plain files."""
__version__ = "0.1.0"
