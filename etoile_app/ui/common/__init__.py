"""What every screen shares: the store (services plus undo), formatting, widgets, charts, roles."""
