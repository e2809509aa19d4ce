"""The writers of ``docs/``: the generated files written whole and only where they are
paperkb's (:mod:`.docs`), and the run manifest that lets an unchanged run write nothing
(:mod:`.manifest`). With the tools and the CLI, the only code that writes files."""
