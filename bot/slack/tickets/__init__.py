"""The Slack side of support tickets."""
