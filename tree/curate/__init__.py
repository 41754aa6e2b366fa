"""The curation wing: everything that changes the databank, and who may.

The engine (``tree``) only reads. Every change a curator makes — a record, a taxonomy edit, an
option rename, an import, a restore — goes through :func:`tree.curate.store.commit`, which checks,
writes and records history in one step.
"""
