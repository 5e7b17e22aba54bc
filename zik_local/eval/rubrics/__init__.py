"""One rubric a task: rubrics/<task with dots as underscores>.py (the contract: zik_local/eval/__init__.py)."""
