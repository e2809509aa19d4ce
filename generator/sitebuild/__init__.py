"""The site build: MkDocs driven through its Python API, in this process and its forks.

    engine     build_site: load the configuration, count MkDocs' warnings, build, swap in
    parallel   the pages populated and built in forked workers, the rest of MkDocs' build once
    logs       MkDocs' logger: warnings counted and printed, kept by workers, replayed in order
    folders    which site and docs folders a build may write, the site marker, the swap
    serve      ``paperkb serve``: MkDocs' live-reloading server, watching data/ as well

It reads the docs folder and writes the site; it never imports the stages or the renderers.
"""
