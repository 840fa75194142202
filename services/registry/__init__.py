"""The registry: identity, sharing pools and the resource file of partners."""
