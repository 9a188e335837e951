"""Async access to fine-tuning services. Returns ``desktop.core`` types, never SDK objects."""
