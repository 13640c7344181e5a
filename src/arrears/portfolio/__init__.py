"""The portfolio file format: the schema of each import table, the reader/validator and the synthetic generator.

No database here: `services.importing` moves validated rows into `storage`.
"""
