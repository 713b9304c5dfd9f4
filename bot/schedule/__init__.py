"""The schedule domain: the scheduled posts and their jobs."""
