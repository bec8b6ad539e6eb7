"""training: records of this app arrive with their own issue."""
