"""Spark (PySpark) as the warehouse: one local or cluster session per process.

``SHOPOPS_WAREHOUSE_URL=pyspark://local`` starts ``local[*]``; ``pyspark://local[2]``
picks the cores; ``pyspark://spark-master:7077`` joins a cluster. The session clock is
UTC (instants are UTC; business dates are stored, never computed from the clock).
Tables are managed Parquet tables under ``SHOPOPS_SPARK_WAREHOUSE`` (default
``var/spark-warehouse``); ``?database=name`` picks the database.

Plain Spark tables have no transactions and no DELETE: the loader merges by rewriting
the table (see ``sql.Session.merge``), which is correct but costs a table rewrite per
batch — load in large batches.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import parse_qs

import ibis


def spark_session(master: str = "local[*]", *, warehouse_dir: str | None = None):
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    try:
        from pyspark.sql import SparkSession
    except ImportError as exc:
        from shopops.core.errors import ConfigurationError

        raise ConfigurationError(
            "SHOPOPS_WAREHOUSE_URL asks for Spark, but pyspark is not installed: "
            "`.venv/bin/pip install -c constraints.txt -e '.[spark]'` (make test installs it)") from exc

    warehouse_dir = warehouse_dir or os.environ.get(
        "SHOPOPS_SPARK_WAREHOUSE", str(Path(os.environ.get("SHOPOPS_VAR_DIR", "var")).resolve() / "spark-warehouse")
    )
    spark = (
        SparkSession.builder.master(master)
        .appName("shopops")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("SHOPOPS_SPARK_PARTITIONS", "4"))
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.ansi.doubleQuotedIdentifiers", "true")
        .getOrCreate()
    )
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def spark_connect(url: str):
    rest = url.split("://", 1)[1]
    host, _, query = rest.partition("?")
    host = host.strip("/") or "local"
    master = host if host.startswith("local") else f"spark://{host}"
    if master == "local":
        master = "local[*]"
    spark = spark_session(master)
    database = parse_qs(query).get("database", [None])[0]
    if database:
        spark.sql(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        spark.catalog.setCurrentDatabase(database)
    return ibis.pyspark.connect(spark)
