"""Pure Block Kit builders: domain objects in, dicts out. One module per surface; message text
lives here, not in listeners."""
