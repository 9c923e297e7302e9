"""Import and export kinds, one module each; every module here is loaded by the registry.

A module registers its kinds at import time with ``services.files.import_registry.register_import``
and ``register_export`` (see ``users.py``).
"""
