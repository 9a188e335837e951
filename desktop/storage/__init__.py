"""Local state: app folders, the SQLite database, settings, and the keychain."""
