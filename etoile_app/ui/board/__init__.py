"""The theory board: the table, its filters, the detail pane, the editor and the dialogs it opens."""
