"""Étoile Theory Journal: a desktop journal for fan theories about *Étoile*."""

__version__ = "0.1.0"
APP_TITLE = "Étoile Theory Journal"
