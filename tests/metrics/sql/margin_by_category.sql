WITH "t12" AS (
  SELECT
    "t11"."store_id",
    "t11"."order_id",
    "t11"."line_no",
    "t11"."product_id",
    "t11"."sku_id",
    "t11"."quantity",
    "t11"."unit_price",
    "t11"."discount_amount",
    "t11"."paid_amount",
    "t11"."paid_date",
    "t11"."customer_id",
    "t11"."traffic_source",
    "t11"."province",
    "t11"."_date",
    "t6"."category"
  FROM (
    SELECT
      "t9"."store_id",
      "t9"."order_id",
      "t9"."line_no",
      "t9"."product_id",
      "t9"."sku_id",
      "t9"."quantity",
      "t9"."unit_price",
      "t9"."discount_amount",
      "t9"."paid_amount",
      "t9"."paid_date",
      "t9"."customer_id",
      "t9"."traffic_source",
      "t9"."province",
      "t9"."paid_date" AS "_date"
    FROM (
      SELECT
        "t5"."store_id",
        "t5"."order_id",
        "t5"."line_no",
        "t5"."product_id",
        "t5"."sku_id",
        "t5"."quantity",
        "t5"."unit_price",
        "t5"."discount_amount",
        "t5"."paid_amount",
        "t8"."paid_date",
        "t8"."customer_id",
        "t8"."traffic_source",
        "t8"."province"
      FROM (
        SELECT
          "t1".*
          EXCLUDE ("paid_date")
        FROM "order_lines" AS "t1"
      ) AS "t5"
      INNER JOIN (
        SELECT
          "t2"."store_id",
          "t2"."order_id",
          "t2"."paid_date",
          "t2"."customer_id",
          "t2"."traffic_source",
          "t2"."province"
        FROM "orders" AS "t2"
        WHERE
          "t2"."paid_date" IS NOT NULL
          AND NOT (
            "t2"."status" IN ('pending_payment', 'closed')
          )
          AND "t2"."paid_date" >= MAKE_DATE(2025, 11, 1)
          AND "t2"."paid_date" <= MAKE_DATE(2025, 11, 30)
      ) AS "t8"
        ON "t5"."store_id" = "t8"."store_id" AND "t5"."order_id" = "t8"."order_id"
    ) AS "t9"
  ) AS "t11"
  LEFT OUTER JOIN (
    SELECT
      "t0"."store_id",
      "t0"."product_id",
      "t0"."category"
    FROM "products" AS "t0"
  ) AS "t6"
    ON "t11"."store_id" = "t6"."store_id" AND "t11"."product_id" = "t6"."product_id"
)
SELECT
  "t21".*
  EXCLUDE ("category__r")
FROM (
  SELECT
    COALESCE("t20"."category", "t20"."category__r") AS "category",
    "t20"."units_sold",
    "t20"."item_gmv",
    "t20"."category__r",
    "t20"."skus_sold"
  FROM (
    SELECT
      "t16"."category",
      "t16"."units_sold",
      "t16"."item_gmv",
      "t19"."category" AS "category__r",
      "t19"."skus_sold"
    FROM (
      SELECT
        COALESCE("t13"."category", '') AS "category",
        SUM("t13"."quantity") AS "units_sold",
        SUM("t13"."paid_amount") AS "item_gmv"
      FROM "t12" AS "t13"
      GROUP BY
        1
    ) AS "t16"
    FULL OUTER JOIN (
      SELECT
        "t17"."category",
        COUNT(*) AS "skus_sold"
      FROM (
        SELECT
          COALESCE("t15"."category", '') AS "category",
          "t15"."store_id" AS "_store",
          "t15"."sku_id" AS "_entity",
          COUNT(*) AS "_n"
        FROM (
          SELECT
            *
          FROM "t12" AS "t13"
          WHERE
            "t13"."sku_id" IS NOT NULL
        ) AS "t15"
        GROUP BY
          1,
          2,
          3
      ) AS "t17"
      GROUP BY
        1
    ) AS "t19"
      ON "t16"."category" = "t19"."category"
  ) AS "t20"
) AS "t21"
