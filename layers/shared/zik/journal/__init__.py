"""The journal domain (Reflekt): entries, insights, analytics, prompts, points and achievements."""
