"""ui/datasets."""
