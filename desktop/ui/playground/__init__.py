"""ui/playground."""
