"""Dossiers (hồ sơ): codes, records, the sources they come from, lookup and statistics."""
