"""The warehouse: canonical fact tables behind Ibis (DuckDB, PostgreSQL, Spark)."""
