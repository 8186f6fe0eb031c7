"""Celery tasks: thin wrappers that take ids and call services in `surveys`."""
