"""The metadata store (SQLAlchemy 2; SQLite by default, PostgreSQL in production), the raw log."""
