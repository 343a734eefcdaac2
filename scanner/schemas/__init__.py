"""JSON Schemas shipped with crmscan. ``python -m scanner.schemas`` regenerates the
inventory schema from the model (the model is the single source of truth for it)."""
