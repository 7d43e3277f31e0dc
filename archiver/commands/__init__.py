"""Sub-commands of the ``archiver`` CLI, one module each."""
