"""Spark (PySpark) as the warehouse: one local or cluster session per process.

``SHOPOPS_WAREHOUSE_URL=pyspark://local`` starts ``local[*]``; ``pyspark://local[2]``
picks the cores; ``pyspark://spark-master:7077`` joins a cluster. The session clock is
UTC (instants are UTC; business dates are stored, never computed from the clock).
Tables are managed Parquet tables under ``SHOPOPS_SPARK_WAREHOUSE`` (default
``var/spark-warehouse``); ``?database=name`` picks the database.

The catalog (which tables exist, where their files are) must outlive the process that
created them, or the next process finds the files but no table and cannot create it again
(``LOCATION_ALREADY_EXISTS``). So the session keeps its catalog in a Hive metastore:
by default an embedded Derby database inside the warehouse directory
(``<warehouse>/metastore_db``), which serves one Spark process at a time — the server, or a
CLI command when no server runs (the CLI hands its work to a running server). A deployment
with several Spark processes points ``SHOPOPS_SPARK_METASTORE_URL`` at a shared metastore
database (any JDBC URL its driver jar is on Spark's class path for), or sets
``spark.sql.catalogImplementation`` and friends in ``spark-defaults.conf``.

Plain Spark tables have no transactions and no DELETE. Fact tables are partitioned by the month
of their business date (a hidden ``_month`` column: ``con.table`` leaves it out, readers never see
it) and a merge rewrites only the months a batch touches by a dynamic partition overwrite
(``sql.Session._merge_partitions``). Tables without a business date (dimensions) and fact tables
created before partitioning are merged by rewriting the table.
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
    metastore = os.environ.get("SHOPOPS_SPARK_METASTORE_URL") or (
        f"jdbc:derby:;databaseName={Path(warehouse_dir).resolve() / 'metastore_db'};create=true")
    Path(warehouse_dir).mkdir(parents=True, exist_ok=True)
    derby_log = str(Path(warehouse_dir).resolve() / "derby.log")
    spark = (
        SparkSession.builder.master(master)
        .appName("shopops")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", f"-Duser.timezone=UTC -Dderby.stream.error.file={derby_log}")
        .config("spark.executor.extraJavaOptions", "-Duser.timezone=UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("SHOPOPS_SPARK_PARTITIONS", "4"))
        .config("spark.sql.warehouse.dir", warehouse_dir)
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.ansi.doubleQuotedIdentifiers", "true")
        .config("spark.sql.sources.partitionOverwriteMode", "dynamic")
        # a partition filter the metastore cannot evaluate (an empty-date day of a table partitioned
        # by day) lists the table's partitions instead of failing: a dozen a year by month
        .config("spark.sql.hive.metastorePartitionPruningFallbackOnException", "true")
        .config("spark.sql.catalogImplementation", "hive")
        .config("spark.hadoop.javax.jdo.option.ConnectionURL", metastore)
        .config("spark.hadoop.datanucleus.schema.autoCreateAll", "true")
        .config("spark.hadoop.hive.metastore.schema.verification", "false")
        .enableHiveSupport()
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
    con = ibis.pyspark.connect(spark)
    con.__class__ = _backend_class(type(con))
    return con


_BACKENDS: dict[type, type] = {}


def _backend_class(base: type) -> type:
    """The Ibis PySpark backend whose ``table`` leaves out the loader's partition column
    (``sql.SPARK_MONTH``): readers see exactly the canonical columns on every engine."""
    if base not in _BACKENDS:
        from shopops.warehouse.backends.sql import SPARK_MONTH

        class Backend(base):
            def table(self, name, /, *args, **kwargs):
                table = super().table(name, *args, **kwargs)
                return table.drop(SPARK_MONTH) if SPARK_MONTH in table.columns else table

        Backend.__name__ = Backend.__qualname__ = base.__name__
        _BACKENDS[base] = Backend
    return _BACKENDS[base]
