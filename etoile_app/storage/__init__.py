"""Everything that touches the database: models, engine, migrations, search, backups."""
