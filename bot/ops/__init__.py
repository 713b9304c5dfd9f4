"""Running the bot as a service: the settings reference, logs, metrics, readiness, backups."""
