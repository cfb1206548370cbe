"""`bookbuild proof`: a proof sheet of a print edition.

    raster   PDF pages → PNG (pypdfium2, else poppler's pdftoppm); also used by `serve`
    collect  sections per chapter, BB7xx warnings and ragged columns placed on their pages
    sheet    the self-contained HTML sheet (thumbnails with outlined columns, warning lists)
"""
