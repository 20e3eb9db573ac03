"""The journal's use cases. Each public method is one transaction; plain records in and out."""
