"""The journal's files: import, export, backups, restore, canon packs, a journal that cannot open."""
