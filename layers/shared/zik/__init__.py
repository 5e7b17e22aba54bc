"""zik's shared layer: the platform code every function imports (mounted at /opt/python in Lambda).

Modules are imported one by one (``from zik.http import ...``); this package imports nothing itself so
that each function pays at cold start only for what it uses.
"""
