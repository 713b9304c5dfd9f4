"""The Slack side of the schedule."""
