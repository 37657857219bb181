"""URL patterns: the employee API, the public JSON, sign-up ingestion and the landing page."""
