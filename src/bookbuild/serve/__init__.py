"""`bookbuild serve`: a local live preview.

    watcher.Watcher   polls the book's input files on content hashes
    builder.Builder   rebuilds the affected editions in child processes, publishes atomically
    server.PreviewServer  serves the index + diagnostics panel, EPUB chapters, PDF pages, /events
    chromium.Chromium a headless Chromium over the DevTools pipe (tests, screenshots)
"""
