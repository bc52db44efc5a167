"""Split "sales lines" — one exported row per order line, order fields repeated — into
orders, order_lines, refunds and customers, column-wise.

Most platform order exports (天猫 宝贝报表, 京东/拼多多/抖店 订单导出) and generic
transaction files (the UCI Online Retail data) have this shape. Profile options:

``paid_at_from_created``  the file has no payment time; an order is paid when placed
``default_status``        canonical status when the file has none (e.g. ``completed``)
``guest_customer``        a missing buyer id becomes ``guest:<order_id>``
``cancel_prefix``         rows whose order id starts with it are cancellations: they
                          become refunds of the buyer's latest earlier order holding
                          the same product (else of the cancellation itself)
``emit``                  the tables to load (default: all it can derive); e.g. an
                          item report whose orders come from a separate order report
                          emits ``["order_lines", "products"]``

Orders are aggregated over the whole file, so an order's lines may be anywhere in it (the
pipeline streams a large file in parts by order and by buyer, see ``pipeline._load_sales_lines``).
"""

from __future__ import annotations

from decimal import Decimal

import polars as pl

ROW = "_row"
ZERO = pl.lit(Decimal("0.00"), dtype=pl.Decimal(18, 2))


def _col_or_null(frame: pl.DataFrame, name: str, dtype: pl.DataType) -> pl.Expr:
    return pl.col(name) if name in frame.columns else pl.lit(None, dtype=dtype).alias(name)


def _money(expr: pl.Expr) -> pl.Expr:
    return expr.cast(pl.Decimal(18, 2))


def normalise(lines: pl.DataFrame, options: dict) -> pl.DataFrame:
    """Fill what the file leaves implicit: status, payment time, guest ids, line numbers and amounts."""
    frame = lines.with_columns(
        _col_or_null(lines, "created_at", pl.Datetime("us", "UTC")),
        _col_or_null(lines, "status", pl.String),
        _col_or_null(lines, "paid_at", pl.Datetime("us", "UTC")),
        _col_or_null(lines, "customer_id", pl.String),
        _col_or_null(lines, "unit_price", pl.Decimal(18, 2)),
        _col_or_null(lines, "line_discount", pl.Decimal(18, 2)),
        _col_or_null(lines, "line_paid_amount", pl.Decimal(18, 2)),
        _col_or_null(lines, "line_no", pl.Int64),
    )
    if status := options.get("default_status"):
        frame = frame.with_columns(pl.col("status").fill_null(pl.lit(status)))
    if options.get("paid_at_from_created"):
        frame = frame.with_columns(pl.col("paid_at").fill_null(pl.col("created_at")))
    if options.get("guest_customer"):
        frame = frame.with_columns(pl.col("customer_id").fill_null(pl.lit("guest:") + pl.col("order_id")))
    return frame.with_columns(
        pl.col("line_no").fill_null(pl.col(ROW).rank("ordinal").over("order_id")).cast(pl.Int32),
        pl.col("line_paid_amount").fill_null(
            _money(pl.col("unit_price") * pl.col("quantity") - pl.col("line_discount").fill_null(ZERO))
        ),
    )


def split(lines: pl.DataFrame, options: dict, *, cancellations: bool = True) -> dict[str, pl.DataFrame]:
    """Canonical frames (without store_id and business dates) from normalised lines.

    ``cancellations=False``: the cancellation lines are left out without becoming refunds (a
    streamed file matches them buyer by buyer: :func:`cancellation_refunds`)."""
    prefix = options.get("cancel_prefix")
    is_cancel = pl.col("order_id").str.starts_with(prefix) if prefix else pl.lit(False)
    sales = lines.filter(~is_cancel)
    cancels = lines.filter(is_cancel)

    order_level = [c for c in ("customer_id", "status", "created_at", "paid_at", "platform_discount", "shipping_fee",
                               "province", "city", "traffic_source", "is_presale") if c in sales.columns]
    aggs = [pl.col(c).first() for c in order_level]
    aggs.append(
        pl.col("order_paid_amount").first().fill_null(pl.col("line_paid_amount").sum())
        if "order_paid_amount" in sales.columns else pl.col("line_paid_amount").sum()
    )
    goods = (
        pl.col("order_goods_amount").first() if "order_goods_amount" in sales.columns
        else _money((pl.col("unit_price") * pl.col("quantity")).sum())
    )
    discount = (
        pl.col("order_discount_amount").first() if "order_discount_amount" in sales.columns
        else pl.col("line_discount").sum()
    )
    orders = (
        sales.group_by("order_id", maintain_order=True)
        .agg(*aggs[:-1], aggs[-1].alias("paid_amount"), _money(goods).alias("goods_amount"),
             _money(discount).alias("discount_amount"))
    )
    order_lines = sales.select(
        "order_id", "line_no", "product_id", _col_or_null(sales, "sku_id", pl.String), "quantity", "unit_price",
        pl.col("line_discount").alias("discount_amount"), pl.col("line_paid_amount").alias("paid_amount"),
        "paid_at",
    )
    refunds = [_line_refunds(sales)] if "refund_amount" in sales.columns else []
    if prefix and cancels.height and cancellations:
        refunds.append(cancellation_refunds(cancels, sales))
    out = {"orders": orders, "order_lines": order_lines}
    if refunds:
        out["refunds"] = pl.concat(refunds, how="diagonal_relaxed")
    if "customers" in (options.get("emit") or ["customers"]):
        out["customers"] = customers(lines)
    if "title" in lines.columns:
        out["products"] = lines.group_by("product_id", maintain_order=True).agg(pl.col("title").drop_nulls().last())
    if emit := options.get("emit"):
        out = {table: frame for table, frame in out.items() if table in emit}
    return out


def _line_refunds(sales: pl.DataFrame) -> pl.DataFrame:
    """Refund columns on a sales line (退款状态, 退款金额) become one refund per line."""
    rows = sales.filter(pl.col("refund_amount").fill_null(ZERO) > 0)
    status = pl.col("refund_status") if "refund_status" in rows.columns else pl.lit("success")
    return rows.select(
        pl.format("{}-{}", pl.col("order_id"), pl.col("line_no")).alias("refund_id"),
        "order_id",
        "line_no",
        pl.col("refund_amount").alias("amount"),
        status.fill_null("success").alias("status"),
        pl.when(status.fill_null("success") == "success").then(pl.col("paid_at")).alias("refunded_at"),
    )


CANCEL_MATCH_COLUMNS = ("customer_id", "product_id", "created_at", "order_id", "line_no", "line_paid_amount", "quantity")


def cancellation_refunds(cancels: pl.DataFrame, sales: pl.DataFrame) -> pl.DataFrame:
    """A cancellation refunds the buyer's latest earlier order with the same product (of two at
    the same time, the later in ``sales``' order). Needs every line of the buyers of ``cancels``
    (``CANCEL_MATCH_COLUMNS``)."""
    candidates = (
        sales.filter(~pl.col("customer_id").str.starts_with("guest:"))
        .select("customer_id", "product_id", pl.col("created_at").alias("_bought_at"),
                pl.col("order_id").alias("_original"), pl.col("line_no").alias("_original_line"))
        .sort("_bought_at")
    )
    matched = cancels.sort("created_at").join_asof(
        candidates, left_on="created_at", right_on="_bought_at", by=["customer_id", "product_id"], strategy="backward",
        check_sortedness=False,
    )
    return matched.select(
        pl.format("{}-{}", pl.col("order_id"), pl.col("line_no")).alias("refund_id"),
        pl.col("_original").fill_null(pl.col("order_id")).alias("order_id"),
        pl.col("_original_line").cast(pl.Int32).alias("line_no"),
        pl.col("created_at").alias("requested_at"),
        pl.col("created_at").alias("refunded_at"),
        pl.col("line_paid_amount").abs().alias("amount"),
        pl.col("quantity").abs().cast(pl.Int32).alias("quantity"),
        pl.lit("success").alias("status"),
        pl.lit("cancelled").alias("reason"),
    )


def customers(lines: pl.DataFrame) -> pl.DataFrame:
    """One row per buyer: first seen at their earliest order, the latest of their other fields."""
    cols = [c for c in ("unified_id", "phone_masked", "province", "city") if c in lines.columns]
    return (
        lines.filter(pl.col("customer_id").is_not_null())
        .sort("created_at")
        .group_by("customer_id", maintain_order=True)
        .agg(pl.col("created_at").first().alias("first_seen_at"), *[pl.col(c).last() for c in cols])
    )
