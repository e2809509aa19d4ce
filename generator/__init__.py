"""paperkb: turn saved Hugging Face Daily Papers listings into a MkDocs knowledge base.

Pure stages over the frozen records of :mod:`generator.model`, every input read and checked
before anything is written. Layers, each importing only its own and those above it here:

    model, errors, layout, text/   records; generated paths, marker, slug rule; text rules
    inputs/     read data/ strictly: listings, records, registry, taxonomy, overrides
    stages/     normalize -> dedupe/ -> permalinks -> classify -> link, and authors
    render/     a module per page family, feed, search, charts, citations; site: the file plan
    build/      write, background (second process), manifest, lock
    pipeline    runs it all;  tools/: diff, topics --suggest, fetch (dayfiles, hubclient: the
                HTTP client and its bounds);  cli: exit codes

inputs/ reads data/, build/ writes docs/ (and the registry); renderers only make strings. A
stage never imports another stage (tests/test_architecture.py checks the layers from the source).
"""

__version__ = "0.2.0"
