"""Cross-cutting pieces: settings, store, errors."""
