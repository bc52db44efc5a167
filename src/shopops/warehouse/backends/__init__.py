"""The one place that holds engine-specific SQL (DuckDB, PostgreSQL, Spark)."""
