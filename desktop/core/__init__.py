"""The plain-Python core of Digest Desk: parser, store, search, import and export. No Qt here."""
