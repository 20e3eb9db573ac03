"""The cast tab: characters, who plays them, and the fan's dream casting."""
