WITH "t19" AS (
  SELECT
    "t17"."store_id",
    "t17"."order_id",
    "t17"."line_no",
    "t17"."product_id",
    "t17"."sku_id",
    "t17"."quantity",
    "t17"."unit_price",
    "t17"."discount_amount",
    "t17"."paid_amount",
    "t17"."paid_date",
    "t17"."customer_id",
    "t17"."traffic_source",
    "t17"."province",
    "t17"."_date",
    "t8"."category"
  FROM (
    SELECT
      "t13"."store_id",
      "t13"."order_id",
      "t13"."line_no",
      "t13"."product_id",
      "t13"."sku_id",
      "t13"."quantity",
      "t13"."unit_price",
      "t13"."discount_amount",
      "t13"."paid_amount",
      "t13"."paid_date",
      "t13"."customer_id",
      "t13"."traffic_source",
      "t13"."province",
      "t13"."paid_date" AS "_date"
    FROM (
      SELECT
        "t6"."store_id",
        "t6"."order_id",
        "t6"."line_no",
        "t6"."product_id",
        "t6"."sku_id",
        "t6"."quantity",
        "t6"."unit_price",
        "t6"."discount_amount",
        "t6"."paid_amount",
        "t11"."paid_date",
        "t11"."customer_id",
        "t11"."traffic_source",
        "t11"."province"
      FROM (
        SELECT
          "t1".*
          EXCLUDE ("paid_date")
        FROM "order_lines" AS "t1"
      ) AS "t6"
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
      ) AS "t11"
        ON "t6"."store_id" = "t11"."store_id" AND "t6"."order_id" = "t11"."order_id"
    ) AS "t13"
  ) AS "t17"
  LEFT OUTER JOIN (
    SELECT
      "t0"."store_id",
      "t0"."product_id",
      "t0"."category"
    FROM "products" AS "t0"
  ) AS "t8"
    ON "t17"."store_id" = "t8"."store_id" AND "t17"."product_id" = "t8"."product_id"
)
SELECT
  "t33".*
  EXCLUDE ("category__r")
FROM (
  SELECT
    COALESCE("t32"."category", "t32"."category__r") AS "category",
    "t32"."units_sold",
    "t32"."item_gmv",
    "t32"."skus_sold",
    "t32"."category__r",
    "t32"."cogs",
    "t32"."costed_item_gmv"
  FROM (
    SELECT
      "t31"."category",
      "t31"."units_sold",
      "t31"."item_gmv",
      "t31"."skus_sold",
      "t25"."category" AS "category__r",
      "t25"."cogs",
      "t25"."costed_item_gmv"
    FROM (
      SELECT
        "t29".*
        EXCLUDE ("category__r")
      FROM (
        SELECT
          COALESCE("t28"."category", "t28"."category__r") AS "category",
          "t28"."units_sold",
          "t28"."item_gmv",
          "t28"."category__r",
          "t28"."skus_sold"
        FROM (
          SELECT
            "t24"."category",
            "t24"."units_sold",
            "t24"."item_gmv",
            "t27"."category" AS "category__r",
            "t27"."skus_sold"
          FROM (
            SELECT
              COALESCE("t20"."category", '') AS "category",
              SUM("t20"."quantity") AS "units_sold",
              SUM("t20"."paid_amount") AS "item_gmv"
            FROM "t19" AS "t20"
            GROUP BY
              1
          ) AS "t24"
          FULL OUTER JOIN (
            SELECT
              "t22"."category",
              COUNT(*) AS "skus_sold"
            FROM (
              SELECT DISTINCT
                COALESCE("t20"."category", '') AS "category",
                "t20"."store_id" AS "_store",
                "t20"."sku_id" AS "_entity"
              FROM "t19" AS "t20"
              WHERE
                "t20"."sku_id" IS NOT NULL
            ) AS "t22"
            GROUP BY
              1
          ) AS "t27"
            ON "t24"."category" = "t27"."category"
        ) AS "t28"
      ) AS "t29"
    ) AS "t31"
    FULL OUTER JOIN (
      SELECT
        COALESCE("t18"."category", '') AS "category",
        SUM("t18"."quantity" * COALESCE("t18"."cost", 0)) AS "cogs",
        SUM("t18"."paid_amount") FILTER(WHERE
          "t18"."cost" IS NOT NULL) AS "costed_item_gmv"
      FROM (
        SELECT
          "t16"."store_id",
          "t16"."order_id",
          "t16"."line_no",
          "t16"."product_id",
          "t16"."sku_id",
          "t16"."quantity",
          "t16"."unit_price",
          "t16"."discount_amount",
          "t16"."paid_amount",
          "t16"."paid_date",
          "t16"."customer_id",
          "t16"."traffic_source",
          "t16"."province",
          "t16"."cost",
          "t16"."_date",
          "t8"."category"
        FROM (
          SELECT
            "t12"."store_id",
            "t12"."order_id",
            "t12"."line_no",
            "t12"."product_id",
            "t12"."sku_id",
            "t12"."quantity",
            "t12"."unit_price",
            "t12"."discount_amount",
            "t12"."paid_amount",
            "t12"."paid_date",
            "t12"."customer_id",
            "t12"."traffic_source",
            "t12"."province",
            "t12"."cost",
            "t12"."paid_date" AS "_date"
          FROM (
            SELECT
              "t6"."store_id",
              "t6"."order_id",
              "t6"."line_no",
              "t6"."product_id",
              "t6"."sku_id",
              "t6"."quantity",
              "t6"."unit_price",
              "t6"."discount_amount",
              "t6"."paid_amount",
              "t11"."paid_date",
              "t11"."customer_id",
              "t11"."traffic_source",
              "t11"."province",
              "t9"."cost"
            FROM (
              SELECT
                "t1".*
                EXCLUDE ("paid_date")
              FROM "order_lines" AS "t1"
            ) AS "t6"
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
            ) AS "t11"
              ON "t6"."store_id" = "t11"."store_id" AND "t6"."order_id" = "t11"."order_id"
            LEFT OUTER JOIN (
              SELECT
                "t3"."store_id",
                "t3"."sku_id",
                "t3"."cost"
              FROM "skus" AS "t3"
            ) AS "t9"
              ON "t6"."store_id" = "t9"."store_id" AND "t6"."sku_id" = "t9"."sku_id"
          ) AS "t12"
        ) AS "t16"
        LEFT OUTER JOIN (
          SELECT
            "t0"."store_id",
            "t0"."product_id",
            "t0"."category"
          FROM "products" AS "t0"
        ) AS "t8"
          ON "t16"."store_id" = "t8"."store_id" AND "t16"."product_id" = "t8"."product_id"
      ) AS "t18"
      GROUP BY
        1
    ) AS "t25"
      ON "t31"."category" = "t25"."category"
  ) AS "t32"
) AS "t33"
