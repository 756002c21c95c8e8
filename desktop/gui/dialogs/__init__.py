"""Dialogs: import results and paste preview, tags, highlight notes, highlights, export, help."""
