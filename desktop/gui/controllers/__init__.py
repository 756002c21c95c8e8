"""Objects that own one concern of the window: the paper list's cursor, search, background jobs."""
