"""The Qt user interface: one package per tab, shared widgets in ``common``."""
