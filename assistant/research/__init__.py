"""Tools built on answering for writing about the review: the draft check, the reference
dossier and Markdown export."""
