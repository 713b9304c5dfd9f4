"""Thin listeners: ack, parse the payload, call one workflow function, render. Shared helpers
for who is acting and how a refusal reaches them live in `common`."""
