"""Plain data, enums, errors and rules. Standard library only."""
