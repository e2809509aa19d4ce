"""Commands at the edge, beside the site build: ``diff``, ``topics --suggest`` and ``fetch``."""
