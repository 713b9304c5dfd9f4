"""The Slack adapter: app factory, thin listeners, pure Block Kit builders (views) and the
outbox relay that delivers what the workflow wrote."""
