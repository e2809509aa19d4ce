"""paperkb: turn saved Hugging Face Daily Papers listings into a MkDocs knowledge base.

Pure stages over the frozen records of :mod:`generator.model`, everything gathered before
anything is written. Layers, each importing only those before it:

    model, errors, layout, text/   records, the generated paths, the shared text rules
    inputs/                         read and validate data/ (listings, records, taxonomy, overrides)
    stages/                         normalize -> dedupe -> permalinks -> classify -> link, authors
    render/                         pages, feed, search index, charts, citations: strings only
    build/                          the file plan, writing, second process, manifest, run lock
    pipeline, tools/, cli           run it all; diff, topics --suggest, fetch; exit codes

Only inputs/ reads data/; only build/, tools/ and cli write (tests/test_architecture.py
checks the layering).
"""

__version__ = "0.1.0"
