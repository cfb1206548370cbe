"""Drawing: laid-out pages → HTML and CSS → WeasyPrint in worker processes, with a cache of drawn pages."""
