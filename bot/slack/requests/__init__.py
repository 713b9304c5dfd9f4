"""The Slack side of requests."""
