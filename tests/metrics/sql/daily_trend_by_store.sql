SELECT
  COALESCE("t14"."bucket", "t14"."bucket__r") AS "bucket",
  COALESCE("t14"."store_id", "t14"."store_id__r") AS "store_id",
  "t14"."gmv",
  "t14"."paying_buyers",
  "t14"."visitors"
FROM (
  SELECT
    "t13"."bucket",
    "t13"."store_id",
    "t13"."gmv",
    "t13"."paying_buyers",
    "t6"."bucket" AS "bucket__r",
    "t6"."store_id" AS "store_id__r",
    "t6"."visitors"
  FROM (
    SELECT
      COALESCE("t11"."bucket", "t11"."bucket__r") AS "bucket",
      COALESCE("t11"."store_id", "t11"."store_id__r") AS "store_id",
      "t11"."gmv",
      "t11"."paying_buyers"
    FROM (
      SELECT
        "t10"."bucket",
        "t10"."store_id",
        "t10"."gmv",
        "t9"."bucket" AS "bucket__r",
        "t9"."store_id" AS "store_id__r",
        "t9"."paying_buyers"
      FROM (
        SELECT
          "t3"."bucket",
          COALESCE("t3"."store_id", '') AS "store_id",
          SUM("t3"."paid_amount") AS "gmv"
        FROM (
          SELECT
            "t1"."store_id",
            "t1"."order_id",
            "t1"."customer_id",
            "t1"."status",
            "t1"."created_at",
            "t1"."paid_at",
            "t1"."paid_date",
            "t1"."goods_amount",
            "t1"."discount_amount",
            "t1"."platform_discount",
            "t1"."shipping_fee",
            "t1"."paid_amount",
            "t1"."province",
            "t1"."city",
            "t1"."traffic_source",
            "t1"."is_presale",
            "t1"."paid_date" AS "_date",
            "t1"."paid_date" AS "bucket"
          FROM "orders" AS "t1"
          WHERE
            "t1"."paid_date" IS NOT NULL
            AND NOT (
              "t1"."status" IN ('pending_payment', 'closed')
            )
            AND "t1"."paid_date" >= MAKE_DATE(2025, 11, 1)
            AND "t1"."paid_date" <= MAKE_DATE(2025, 11, 30)
        ) AS "t3"
        GROUP BY
          1,
          2
      ) AS "t10"
      FULL OUTER JOIN (
        SELECT
          "t4"."bucket",
          "t4"."store_id",
          COUNT(*) AS "paying_buyers"
        FROM (
          SELECT DISTINCT
            "t1"."paid_date" AS "bucket",
            COALESCE("t1"."store_id", '') AS "store_id",
            "t1"."store_id" AS "_store",
            "t1"."customer_id" AS "_entity"
          FROM "orders" AS "t1"
          WHERE
            "t1"."paid_date" IS NOT NULL
            AND NOT (
              "t1"."status" IN ('pending_payment', 'closed')
            )
            AND "t1"."paid_date" >= MAKE_DATE(2025, 11, 1)
            AND "t1"."paid_date" <= MAKE_DATE(2025, 11, 30)
            AND "t1"."customer_id" IS NOT NULL
        ) AS "t4"
        GROUP BY
          1,
          2
      ) AS "t9"
        ON "t10"."bucket" = "t9"."bucket" AND "t10"."store_id" = "t9"."store_id"
    ) AS "t11"
  ) AS "t13"
  FULL OUTER JOIN (
    SELECT
      "t2"."bucket",
      "t2"."store_id",
      COUNT(*) AS "visitors"
    FROM (
      SELECT DISTINCT
        "t0"."event_date" AS "bucket",
        COALESCE("t0"."store_id", '') AS "store_id",
        "t0"."store_id" AS "_store",
        "t0"."visitor_id" AS "_entity"
      FROM "events" AS "t0"
      WHERE
        "t0"."event_date" >= MAKE_DATE(2025, 11, 1)
        AND "t0"."event_date" <= MAKE_DATE(2025, 11, 30)
        AND "t0"."visitor_id" IS NOT NULL
    ) AS "t2"
    GROUP BY
      1,
      2
  ) AS "t6"
    ON "t13"."bucket" = "t6"."bucket" AND "t13"."store_id" = "t6"."store_id"
) AS "t14"
