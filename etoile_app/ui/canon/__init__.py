"""The canon browser and the news editor, opened from the status tab and from the theory editor."""
