"""Adapters to the systems Maestro builds on. Each is imported lazily by the services that need it."""
