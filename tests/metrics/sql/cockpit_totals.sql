SELECT
  "t18"."gmv",
  "t18"."paid_orders",
  "t21"."paying_buyers",
  "t25"."refund_amount",
  "t20"."visitors",
  "t16"."ad_spend",
  "t16"."ad_gmv"
FROM (
  SELECT
    SUM("t7"."paid_amount") AS "gmv",
    COUNT(*) AS "paid_orders"
  FROM (
    SELECT
      "t0"."store_id",
      "t0"."order_id",
      "t0"."customer_id",
      "t0"."status",
      "t0"."created_at",
      "t0"."paid_at",
      "t0"."paid_date",
      "t0"."goods_amount",
      "t0"."discount_amount",
      "t0"."platform_discount",
      "t0"."shipping_fee",
      "t0"."paid_amount",
      "t0"."province",
      "t0"."city",
      "t0"."traffic_source",
      "t0"."is_presale",
      "t0"."paid_date" AS "_date"
    FROM "orders" AS "t0"
    WHERE
      "t0"."paid_date" IS NOT NULL
      AND NOT (
        "t0"."status" IN ('pending_payment', 'closed')
      )
      AND "t0"."paid_date" >= MAKE_DATE(2025, 11, 1)
      AND "t0"."paid_date" <= MAKE_DATE(2025, 11, 30)
  ) AS "t7"
) AS "t18"
CROSS JOIN (
  SELECT
    COUNT(*) AS "paying_buyers"
  FROM (
    SELECT
      "t8"."store_id" AS "_store",
      "t8"."customer_id" AS "_entity",
      COUNT(*) AS "_n"
    FROM (
      SELECT
        "t0"."store_id",
        "t0"."order_id",
        "t0"."customer_id",
        "t0"."status",
        "t0"."created_at",
        "t0"."paid_at",
        "t0"."paid_date",
        "t0"."goods_amount",
        "t0"."discount_amount",
        "t0"."platform_discount",
        "t0"."shipping_fee",
        "t0"."paid_amount",
        "t0"."province",
        "t0"."city",
        "t0"."traffic_source",
        "t0"."is_presale",
        "t0"."paid_date" AS "_date"
      FROM "orders" AS "t0"
      WHERE
        "t0"."paid_date" IS NOT NULL
        AND NOT (
          "t0"."status" IN ('pending_payment', 'closed')
        )
        AND "t0"."paid_date" >= MAKE_DATE(2025, 11, 1)
        AND "t0"."paid_date" <= MAKE_DATE(2025, 11, 30)
        AND "t0"."customer_id" IS NOT NULL
    ) AS "t8"
    GROUP BY
      1,
      2
  ) AS "t13"
) AS "t21"
CROSS JOIN (
  SELECT
    SUM("t23"."amount") AS "refund_amount"
  FROM (
    SELECT
      "t22"."store_id",
      "t22"."refund_id",
      "t22"."order_id",
      "t22"."line_no",
      "t22"."requested_at",
      "t22"."refunded_at",
      "t22"."refund_date",
      "t22"."amount",
      "t22"."quantity",
      "t22"."status",
      "t22"."reason",
      "t22"."with_return",
      "t22"."paid_date",
      "t22"."customer_id",
      "t22"."traffic_source",
      "t22"."province",
      "t22"."paid_date" AS "_date"
    FROM (
      SELECT
        "t10"."store_id",
        "t10"."refund_id",
        "t10"."order_id",
        "t10"."line_no",
        "t10"."requested_at",
        "t10"."refunded_at",
        "t10"."refund_date",
        "t10"."amount",
        "t10"."quantity",
        "t10"."status",
        "t10"."reason",
        "t10"."with_return",
        "t11"."paid_date",
        "t11"."customer_id",
        "t11"."traffic_source",
        "t11"."province"
      FROM (
        SELECT
          *
        FROM "refunds" AS "t3"
        WHERE
          "t3"."status" = 'success'
      ) AS "t10"
      INNER JOIN (
        SELECT
          "t0"."store_id",
          "t0"."order_id",
          "t0"."paid_date",
          "t0"."customer_id",
          "t0"."traffic_source",
          "t0"."province"
        FROM "orders" AS "t0"
        WHERE
          "t0"."paid_date" IS NOT NULL
          AND NOT (
            "t0"."status" IN ('pending_payment', 'closed')
          )
          AND "t0"."paid_date" >= MAKE_DATE(2025, 11, 1)
          AND "t0"."paid_date" <= MAKE_DATE(2025, 11, 30)
      ) AS "t11"
        ON "t10"."store_id" = "t11"."store_id" AND "t10"."order_id" = "t11"."order_id"
    ) AS "t22"
  ) AS "t23"
) AS "t25"
CROSS JOIN (
  SELECT
    COUNT(*) AS "visitors"
  FROM (
    SELECT
      "t5"."store_id" AS "_store",
      "t5"."visitor_id" AS "_entity",
      COUNT(*) AS "_n"
    FROM (
      SELECT
        "t2"."store_id",
        "t2"."event_id",
        "t2"."visitor_id",
        "t2"."customer_id",
        "t2"."session_id",
        "t2"."event_type",
        "t2"."page",
        "t2"."product_id",
        "t2"."traffic_source",
        "t2"."occurred_at",
        "t2"."event_date",
        "t2"."event_date" AS "_date"
      FROM "events" AS "t2"
      WHERE
        "t2"."event_date" >= MAKE_DATE(2025, 11, 1)
        AND "t2"."event_date" <= MAKE_DATE(2025, 11, 30)
        AND "t2"."visitor_id" IS NOT NULL
    ) AS "t5"
    GROUP BY
      1,
      2
  ) AS "t12"
) AS "t20"
CROSS JOIN (
  SELECT
    SUM("t4"."cost") AS "ad_spend",
    SUM("t4"."attributed_gmv") AS "ad_gmv"
  FROM (
    SELECT
      "t1"."store_id",
      "t1"."date",
      "t1"."ad_tool",
      "t1"."plan_id",
      "t1"."plan_name",
      "t1"."impressions",
      "t1"."clicks",
      "t1"."cost",
      "t1"."attributed_orders",
      "t1"."attributed_gmv",
      "t1"."attributed_cart_adds",
      "t1"."date" AS "_date"
    FROM "ad_spend_daily" AS "t1"
    WHERE
      "t1"."date" >= MAKE_DATE(2025, 11, 1) AND "t1"."date" <= MAKE_DATE(2025, 11, 30)
  ) AS "t4"
) AS "t16"
