SELECT
  "t19"."gmv",
  "t19"."paid_orders",
  "t17"."paying_buyers",
  "t23"."refund_amount",
  "t14"."visitors",
  "t18"."ad_spend",
  "t18"."ad_plan_days",
  "t18"."ad_gmv"
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
) AS "t19"
CROSS JOIN (
  SELECT
    COUNT(*) AS "paying_buyers"
  FROM (
    SELECT DISTINCT
      "t0"."store_id" AS "_store",
      "t0"."customer_id" AS "_entity"
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
) AS "t17"
CROSS JOIN (
  SELECT
    SUM("t21"."amount") AS "refund_amount"
  FROM (
    SELECT
      "t20"."store_id",
      "t20"."refund_id",
      "t20"."order_id",
      "t20"."line_no",
      "t20"."requested_at",
      "t20"."refunded_at",
      "t20"."refund_date",
      "t20"."amount",
      "t20"."quantity",
      "t20"."status",
      "t20"."reason",
      "t20"."with_return",
      "t20"."paid_date",
      "t20"."customer_id",
      "t20"."traffic_source",
      "t20"."province",
      "t20"."paid_date" AS "_date"
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
    ) AS "t20"
  ) AS "t21"
) AS "t23"
CROSS JOIN (
  SELECT
    COUNT(*) AS "visitors"
  FROM (
    SELECT DISTINCT
      "t1"."store_id" AS "_store",
      "t1"."visitor_id" AS "_entity"
    FROM "events" AS "t1"
    WHERE
      "t1"."event_date" >= MAKE_DATE(2025, 11, 1)
      AND "t1"."event_date" <= MAKE_DATE(2025, 11, 30)
      AND "t1"."visitor_id" IS NOT NULL
  ) AS "t4"
) AS "t14"
CROSS JOIN (
  SELECT
    SUM("t5"."cost") AS "ad_spend",
    COUNT(*) AS "ad_plan_days",
    SUM("t5"."attributed_gmv") AS "ad_gmv"
  FROM (
    SELECT
      "t2"."store_id",
      "t2"."date",
      "t2"."ad_tool",
      "t2"."plan_id",
      "t2"."plan_name",
      "t2"."impressions",
      "t2"."clicks",
      "t2"."cost",
      "t2"."attributed_orders",
      "t2"."attributed_gmv",
      "t2"."attributed_cart_adds",
      "t2"."date" AS "_date"
    FROM "ad_spend_daily" AS "t2"
    WHERE
      "t2"."date" >= MAKE_DATE(2025, 11, 1) AND "t2"."date" <= MAKE_DATE(2025, 11, 30)
  ) AS "t5"
) AS "t18"
