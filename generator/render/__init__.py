"""Generated text: every page kind (:mod:`.pages`), the feed, the search index, charts, citations.

Renderers return strings or :class:`generator.render.files.Content`; none touches the disk.
"""
