"""ui/jobs."""
