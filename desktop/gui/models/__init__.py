"""Qt item models over the library: the paper list and the sidebar of views."""
