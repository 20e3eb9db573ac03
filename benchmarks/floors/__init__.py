"""Floor programs: the least a PySide6 program can do for each start-up figure.

They are run as scripts (``python floors/bare_window.py``), so nothing but what they import
is loaded, and they print the same ``etoile-mark`` lines as the app's probe.
"""
