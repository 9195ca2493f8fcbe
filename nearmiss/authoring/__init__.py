"""Authoring: writing a new record, formatting records canonically, the JSON Schema for
editors, and starting a new learning log (``init``) with its starter taxonomy."""
