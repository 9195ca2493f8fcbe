"""The record: one YAML file read with positions, the field model and its lifecycle, the
rules a record must follow, the organisation's taxonomy and settings, the problems found,
and the language checks (personal data, blame)."""
