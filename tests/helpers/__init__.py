"""Code the tests share (tests/ is on sys.path through pyproject's pytest `pythonpath`, so this is `helpers`):

books    the one small-book factory (`make_book`), its templates (BASE, PRINT_BASE) and the sample book (`copy_sample`)
cli      the one runner of the command line (`bookbuild`) and the in-process `check_json` / `fix_book`
epub     build an epub edition, open it (`Epub`), EPUBCheck; the variant of the sample book
pdf      build the print book (`build_small_book`, `Builder`), read its PDF (`find_chars`, `ink_box`, `han_only`)
model    books built by hand as model objects for the layout tests (`model_book`)
outputs  a book built as `bookbuild build` builds it (`build_book`) and readers of its PDF and EPUB
fuzz     hypothesis strategies of the fuzz tests
"""
