SELECT
  "t24"."gmv",
  "t24"."paid_orders",
  "t22"."paying_buyers",
  "t30"."refund_amount",
  "t32"."refund_covered_gmv",
  "t19"."visitors",
  "t23"."ad_spend",
  "t23"."ad_plan_days",
  "t23"."ad_gmv"
FROM (
  SELECT
    SUM("t8"."paid_amount") AS "gmv",
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
  ) AS "t8"
) AS "t24"
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
  ) AS "t9"
) AS "t22"
CROSS JOIN (
  SELECT
    SUM("t27"."amount") AS "refund_amount"
  FROM (
    SELECT
      "t25"."store_id",
      "t25"."refund_id",
      "t25"."order_id",
      "t25"."line_no",
      "t25"."requested_at",
      "t25"."refunded_at",
      "t25"."refund_date",
      "t25"."amount",
      "t25"."quantity",
      "t25"."status",
      "t25"."reason",
      "t25"."with_return",
      "t25"."paid_date",
      "t25"."customer_id",
      "t25"."traffic_source",
      "t25"."province",
      "t25"."paid_date" AS "_date"
    FROM (
      SELECT
        "t13"."store_id",
        "t13"."refund_id",
        "t13"."order_id",
        "t13"."line_no",
        "t13"."requested_at",
        "t13"."refunded_at",
        "t13"."refund_date",
        "t13"."amount",
        "t13"."quantity",
        "t13"."status",
        "t13"."reason",
        "t13"."with_return",
        "t15"."paid_date",
        "t15"."customer_id",
        "t15"."traffic_source",
        "t15"."province"
      FROM (
        SELECT
          *
        FROM "refunds" AS "t3"
        WHERE
          "t3"."status" = 'success'
      ) AS "t13"
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
      ) AS "t15"
        ON "t13"."store_id" = "t15"."store_id" AND "t13"."order_id" = "t15"."order_id"
    ) AS "t25"
  ) AS "t27"
) AS "t30"
CROSS JOIN (
  SELECT
    SUM("t28"."paid_amount") FILTER(WHERE
      "t28"."_refund_data" IS NOT NULL) AS "refund_covered_gmv"
  FROM (
    SELECT
      "t26"."store_id",
      "t26"."order_id",
      "t26"."customer_id",
      "t26"."status",
      "t26"."created_at",
      "t26"."paid_at",
      "t26"."paid_date",
      "t26"."goods_amount",
      "t26"."discount_amount",
      "t26"."platform_discount",
      "t26"."shipping_fee",
      "t26"."paid_amount",
      "t26"."province",
      "t26"."city",
      "t26"."traffic_source",
      "t26"."is_presale",
      "t26"."_refund_data",
      "t26"."paid_date" AS "_date"
    FROM (
      SELECT
        "t14"."store_id",
        "t14"."order_id",
        "t14"."customer_id",
        "t14"."status",
        "t14"."created_at",
        "t14"."paid_at",
        "t14"."paid_date",
        "t14"."goods_amount",
        "t14"."discount_amount",
        "t14"."platform_discount",
        "t14"."shipping_fee",
        "t14"."paid_amount",
        "t14"."province",
        "t14"."city",
        "t14"."traffic_source",
        "t14"."is_presale",
        "t17"."_refund_data"
      FROM (
        SELECT
          *
        FROM "orders" AS "t0"
        WHERE
          "t0"."paid_date" IS NOT NULL
          AND NOT (
            "t0"."status" IN ('pending_payment', 'closed')
          )
          AND "t0"."paid_date" >= MAKE_DATE(2025, 11, 1)
          AND "t0"."paid_date" <= MAKE_DATE(2025, 11, 30)
      ) AS "t14"
      LEFT OUTER JOIN (
        SELECT
          "t4"."store_id",
          1 AS "_refund_data"
        FROM (
          SELECT DISTINCT
            "t3"."store_id"
          FROM "refunds" AS "t3"
        ) AS "t4"
      ) AS "t17"
        ON "t14"."store_id" = "t17"."store_id"
    ) AS "t26"
  ) AS "t28"
) AS "t32"
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
  ) AS "t5"
) AS "t19"
CROSS JOIN (
  SELECT
    SUM("t6"."cost") AS "ad_spend",
    COUNT(*) AS "ad_plan_days",
    SUM("t6"."attributed_gmv") AS "ad_gmv"
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
  ) AS "t6"
) AS "t23"
