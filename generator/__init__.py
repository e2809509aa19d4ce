"""paperkb: turn saved Hugging Face Daily Papers listings into a MkDocs knowledge base.

The pipeline is one module per stage, each a pure function over the frozen records of
:mod:`generator.model`; only :mod:`generator.parse` (reading), :mod:`generator.write` and
:mod:`generator.cli` touch the file system.

    parse -> normalize -> dedupe -> classify -> link -> render -> write
"""

__version__ = "0.1.0"
