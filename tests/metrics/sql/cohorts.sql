WITH "t2" AS (
  SELECT
    "t1"."store_id",
    "t1"."customer_id",
    (
      EXTRACT(year FROM "t1"."paid_date") * 12
    ) + EXTRACT(month FROM "t1"."paid_date") AS "m"
  FROM (
    SELECT
      *
    FROM "orders" AS "t0"
    WHERE
      "t0"."paid_date" IS NOT NULL
      AND NOT (
        "t0"."status" IN ('pending_payment', 'closed')
      )
  ) AS "t1"
  GROUP BY
    1,
    2,
    3
)
SELECT
  "t9"."c",
  "t9"."k",
  COUNT(*) AS "customers"
FROM (
  SELECT
    "t8"."store_id",
    "t8"."customer_id",
    "t8"."m",
    "t8"."c",
    "t8"."m" - "t8"."c" AS "k"
  FROM (
    SELECT
      "t4"."store_id",
      "t4"."customer_id",
      "t4"."m",
      "t7"."c"
    FROM "t2" AS "t4"
    INNER JOIN (
      SELECT
        *
      FROM (
        SELECT
          "t3"."store_id",
          "t3"."customer_id",
          MIN("t3"."m") AS "c"
        FROM "t2" AS "t3"
        GROUP BY
          1,
          2
      ) AS "t5"
      WHERE
        "t5"."c" >= 24311 AND "t5"."c" <= 24311
    ) AS "t7"
      ON "t4"."store_id" = "t7"."store_id" AND "t4"."customer_id" = "t7"."customer_id"
  ) AS "t8"
  WHERE
    (
      "t8"."m" - "t8"."c"
    ) <= 6
) AS "t9"
GROUP BY
  1,
  2
