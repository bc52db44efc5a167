SELECT
  "t17"."paying_buyers",
  "t18"."new_buyers",
  "t19"."returning_buyers",
  "t22"."repeat_buyers"
FROM (
  SELECT
    COUNT(*) AS "paying_buyers"
  FROM (
    SELECT DISTINCT
      "t8"."store_id" AS "_store",
      "t8"."customer_id" AS "_entity"
    FROM (
      SELECT
        "t7".*
        EXCLUDE ("_first_paid")
      FROM (
        SELECT
          "t6"."store_id",
          "t6"."order_id",
          "t6"."customer_id",
          "t6"."status",
          "t6"."created_at",
          "t6"."paid_at",
          "t6"."paid_date",
          "t6"."goods_amount",
          "t6"."discount_amount",
          "t6"."platform_discount",
          "t6"."shipping_fee",
          "t6"."paid_amount",
          "t6"."province",
          "t6"."city",
          "t6"."traffic_source",
          "t6"."is_presale",
          "t6"."_date",
          "t6"."_first_paid",
          CASE
            WHEN "t6"."_first_paid" >= MAKE_DATE(2025, 11, 1)
            THEN 'new'
            ELSE 'returning'
          END AS "customer_type"
        FROM (
          SELECT
            "t3"."store_id",
            "t3"."order_id",
            "t3"."customer_id",
            "t3"."status",
            "t3"."created_at",
            "t3"."paid_at",
            "t3"."paid_date",
            "t3"."goods_amount",
            "t3"."discount_amount",
            "t3"."platform_discount",
            "t3"."shipping_fee",
            "t3"."paid_amount",
            "t3"."province",
            "t3"."city",
            "t3"."traffic_source",
            "t3"."is_presale",
            "t3"."_date",
            "t5"."_first_paid"
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
          ) AS "t3"
          LEFT OUTER JOIN (
            SELECT
              "t2"."store_id",
              "t2"."customer_id",
              MIN("t2"."paid_date") AS "_first_paid"
            FROM (
              SELECT
                *
              FROM "orders" AS "t0"
              WHERE
                "t0"."paid_date" IS NOT NULL
                AND NOT (
                  "t0"."status" IN ('pending_payment', 'closed')
                )
            ) AS "t2"
            GROUP BY
              1,
              2
          ) AS "t5"
            ON "t3"."store_id" = "t5"."store_id" AND "t3"."customer_id" = "t5"."customer_id"
        ) AS "t6"
      ) AS "t7"
    ) AS "t8"
    WHERE
      "t8"."customer_id" IS NOT NULL
  ) AS "t9"
) AS "t17"
CROSS JOIN (
  SELECT
    COUNT(*) AS "new_buyers"
  FROM (
    SELECT DISTINCT
      "t8"."store_id" AS "_store",
      "t8"."customer_id" AS "_entity"
    FROM (
      SELECT
        "t7".*
        EXCLUDE ("_first_paid")
      FROM (
        SELECT
          "t6"."store_id",
          "t6"."order_id",
          "t6"."customer_id",
          "t6"."status",
          "t6"."created_at",
          "t6"."paid_at",
          "t6"."paid_date",
          "t6"."goods_amount",
          "t6"."discount_amount",
          "t6"."platform_discount",
          "t6"."shipping_fee",
          "t6"."paid_amount",
          "t6"."province",
          "t6"."city",
          "t6"."traffic_source",
          "t6"."is_presale",
          "t6"."_date",
          "t6"."_first_paid",
          CASE
            WHEN "t6"."_first_paid" >= MAKE_DATE(2025, 11, 1)
            THEN 'new'
            ELSE 'returning'
          END AS "customer_type"
        FROM (
          SELECT
            "t3"."store_id",
            "t3"."order_id",
            "t3"."customer_id",
            "t3"."status",
            "t3"."created_at",
            "t3"."paid_at",
            "t3"."paid_date",
            "t3"."goods_amount",
            "t3"."discount_amount",
            "t3"."platform_discount",
            "t3"."shipping_fee",
            "t3"."paid_amount",
            "t3"."province",
            "t3"."city",
            "t3"."traffic_source",
            "t3"."is_presale",
            "t3"."_date",
            "t5"."_first_paid"
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
          ) AS "t3"
          LEFT OUTER JOIN (
            SELECT
              "t2"."store_id",
              "t2"."customer_id",
              MIN("t2"."paid_date") AS "_first_paid"
            FROM (
              SELECT
                *
              FROM "orders" AS "t0"
              WHERE
                "t0"."paid_date" IS NOT NULL
                AND NOT (
                  "t0"."status" IN ('pending_payment', 'closed')
                )
            ) AS "t2"
            GROUP BY
              1,
              2
          ) AS "t5"
            ON "t3"."store_id" = "t5"."store_id" AND "t3"."customer_id" = "t5"."customer_id"
        ) AS "t6"
      ) AS "t7"
    ) AS "t8"
    WHERE
      "t8"."customer_id" IS NOT NULL AND "t8"."customer_type" = 'new'
  ) AS "t11"
) AS "t18"
CROSS JOIN (
  SELECT
    COUNT(*) AS "returning_buyers"
  FROM (
    SELECT DISTINCT
      "t8"."store_id" AS "_store",
      "t8"."customer_id" AS "_entity"
    FROM (
      SELECT
        "t7".*
        EXCLUDE ("_first_paid")
      FROM (
        SELECT
          "t6"."store_id",
          "t6"."order_id",
          "t6"."customer_id",
          "t6"."status",
          "t6"."created_at",
          "t6"."paid_at",
          "t6"."paid_date",
          "t6"."goods_amount",
          "t6"."discount_amount",
          "t6"."platform_discount",
          "t6"."shipping_fee",
          "t6"."paid_amount",
          "t6"."province",
          "t6"."city",
          "t6"."traffic_source",
          "t6"."is_presale",
          "t6"."_date",
          "t6"."_first_paid",
          CASE
            WHEN "t6"."_first_paid" >= MAKE_DATE(2025, 11, 1)
            THEN 'new'
            ELSE 'returning'
          END AS "customer_type"
        FROM (
          SELECT
            "t3"."store_id",
            "t3"."order_id",
            "t3"."customer_id",
            "t3"."status",
            "t3"."created_at",
            "t3"."paid_at",
            "t3"."paid_date",
            "t3"."goods_amount",
            "t3"."discount_amount",
            "t3"."platform_discount",
            "t3"."shipping_fee",
            "t3"."paid_amount",
            "t3"."province",
            "t3"."city",
            "t3"."traffic_source",
            "t3"."is_presale",
            "t3"."_date",
            "t5"."_first_paid"
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
          ) AS "t3"
          LEFT OUTER JOIN (
            SELECT
              "t2"."store_id",
              "t2"."customer_id",
              MIN("t2"."paid_date") AS "_first_paid"
            FROM (
              SELECT
                *
              FROM "orders" AS "t0"
              WHERE
                "t0"."paid_date" IS NOT NULL
                AND NOT (
                  "t0"."status" IN ('pending_payment', 'closed')
                )
            ) AS "t2"
            GROUP BY
              1,
              2
          ) AS "t5"
            ON "t3"."store_id" = "t5"."store_id" AND "t3"."customer_id" = "t5"."customer_id"
        ) AS "t6"
      ) AS "t7"
    ) AS "t8"
    WHERE
      "t8"."customer_id" IS NOT NULL AND "t8"."customer_type" = 'returning'
  ) AS "t12"
) AS "t19"
CROSS JOIN (
  SELECT
    COUNT(*) AS "repeat_buyers"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t10"."store_id" AS "_store",
        "t10"."customer_id" AS "_entity",
        COUNT(*) AS "_n"
      FROM (
        SELECT
          *
        FROM (
          SELECT
            "t7".*
            EXCLUDE ("_first_paid")
          FROM (
            SELECT
              "t6"."store_id",
              "t6"."order_id",
              "t6"."customer_id",
              "t6"."status",
              "t6"."created_at",
              "t6"."paid_at",
              "t6"."paid_date",
              "t6"."goods_amount",
              "t6"."discount_amount",
              "t6"."platform_discount",
              "t6"."shipping_fee",
              "t6"."paid_amount",
              "t6"."province",
              "t6"."city",
              "t6"."traffic_source",
              "t6"."is_presale",
              "t6"."_date",
              "t6"."_first_paid",
              CASE
                WHEN "t6"."_first_paid" >= MAKE_DATE(2025, 11, 1)
                THEN 'new'
                ELSE 'returning'
              END AS "customer_type"
            FROM (
              SELECT
                "t3"."store_id",
                "t3"."order_id",
                "t3"."customer_id",
                "t3"."status",
                "t3"."created_at",
                "t3"."paid_at",
                "t3"."paid_date",
                "t3"."goods_amount",
                "t3"."discount_amount",
                "t3"."platform_discount",
                "t3"."shipping_fee",
                "t3"."paid_amount",
                "t3"."province",
                "t3"."city",
                "t3"."traffic_source",
                "t3"."is_presale",
                "t3"."_date",
                "t5"."_first_paid"
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
              ) AS "t3"
              LEFT OUTER JOIN (
                SELECT
                  "t2"."store_id",
                  "t2"."customer_id",
                  MIN("t2"."paid_date") AS "_first_paid"
                FROM (
                  SELECT
                    *
                  FROM "orders" AS "t0"
                  WHERE
                    "t0"."paid_date" IS NOT NULL
                    AND NOT (
                      "t0"."status" IN ('pending_payment', 'closed')
                    )
                ) AS "t2"
                GROUP BY
                  1,
                  2
              ) AS "t5"
                ON "t3"."store_id" = "t5"."store_id" AND "t3"."customer_id" = "t5"."customer_id"
            ) AS "t6"
          ) AS "t7"
        ) AS "t8"
        WHERE
          "t8"."customer_id" IS NOT NULL
      ) AS "t10"
      GROUP BY
        1,
        2
    ) AS "t14"
    WHERE
      "t14"."_n" >= 2
  ) AS "t20"
) AS "t22"
