"""Points: the platform's one currency (see ledger.py and rules.py)."""
