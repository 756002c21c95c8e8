"""The window's widgets: the paper table, the detail pane and its annotation layer."""
