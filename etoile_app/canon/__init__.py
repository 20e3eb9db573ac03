"""Reading the canon pack: the bundled, versioned record of what is known about *Étoile*."""
