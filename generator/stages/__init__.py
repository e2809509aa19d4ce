"""The pipeline's stages, pure functions over :mod:`generator.model` records.

normalize -> dedupe -> permalinks -> classify -> link, and authors. A stage never imports
another stage: what two stages share lives in :mod:`generator.model`, :mod:`generator.text`
or :mod:`generator.layout`.
"""
