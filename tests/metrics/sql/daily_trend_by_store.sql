SELECT
  COALESCE("t16"."bucket", "t16"."bucket__r") AS "bucket",
  COALESCE("t16"."store_id", "t16"."store_id__r") AS "store_id",
  "t16"."gmv",
  "t16"."paying_buyers",
  "t16"."visitors"
FROM (
  SELECT
    "t15"."bucket",
    "t15"."store_id",
    "t15"."gmv",
    "t15"."paying_buyers",
    "t10"."bucket" AS "bucket__r",
    "t10"."store_id" AS "store_id__r",
    "t10"."visitors"
  FROM (
    SELECT
      COALESCE("t13"."bucket", "t13"."bucket__r") AS "bucket",
      COALESCE("t13"."store_id", "t13"."store_id__r") AS "store_id",
      "t13"."gmv",
      "t13"."paying_buyers"
    FROM (
      SELECT
        "t9"."bucket",
        "t9"."store_id",
        "t9"."gmv",
        "t12"."bucket" AS "bucket__r",
        "t12"."store_id" AS "store_id__r",
        "t12"."paying_buyers"
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
      ) AS "t9"
      FULL OUTER JOIN (
        SELECT
          "t7"."bucket",
          "t7"."store_id",
          COUNT(*) AS "paying_buyers"
        FROM (
          SELECT
            "t4"."bucket",
            COALESCE("t4"."store_id", '') AS "store_id",
            "t4"."store_id" AS "_store",
            "t4"."customer_id" AS "_entity",
            COUNT(*) AS "_n"
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
              AND "t1"."customer_id" IS NOT NULL
          ) AS "t4"
          GROUP BY
            1,
            2,
            3,
            4
        ) AS "t7"
        GROUP BY
          1,
          2
      ) AS "t12"
        ON "t9"."bucket" = "t12"."bucket" AND "t9"."store_id" = "t12"."store_id"
    ) AS "t13"
  ) AS "t15"
  FULL OUTER JOIN (
    SELECT
      "t5"."bucket",
      "t5"."store_id",
      COUNT(*) AS "visitors"
    FROM (
      SELECT
        "t2"."bucket",
        COALESCE("t2"."store_id", '') AS "store_id",
        "t2"."store_id" AS "_store",
        "t2"."visitor_id" AS "_entity",
        COUNT(*) AS "_n"
      FROM (
        SELECT
          "t0"."store_id",
          "t0"."event_id",
          "t0"."visitor_id",
          "t0"."customer_id",
          "t0"."session_id",
          "t0"."event_type",
          "t0"."page",
          "t0"."product_id",
          "t0"."traffic_source",
          "t0"."occurred_at",
          "t0"."event_date",
          "t0"."event_date" AS "_date",
          "t0"."event_date" AS "bucket"
        FROM "events" AS "t0"
        WHERE
          "t0"."event_date" >= MAKE_DATE(2025, 11, 1)
          AND "t0"."event_date" <= MAKE_DATE(2025, 11, 30)
          AND "t0"."visitor_id" IS NOT NULL
      ) AS "t2"
      GROUP BY
        1,
        2,
        3,
        4
    ) AS "t5"
    GROUP BY
      1,
      2
  ) AS "t10"
    ON "t15"."bucket" = "t10"."bucket" AND "t15"."store_id" = "t10"."store_id"
) AS "t16"
