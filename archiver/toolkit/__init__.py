"""The researcher toolkit: index, package, replay, re-analyse and report on archives.

Each module holds one concept and works from files alone (WARCs, item files),
never the network, so an archive received years later can be opened and
re-analysed with the same code that produced it.
"""
