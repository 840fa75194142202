"""The common library every Kortisto service imports: settings, database, crypto, auth,
events, errors, logging and the application factory."""
