"""The support tickets domain."""
