SELECT
  "t3"."c",
  SUM((
    "t3"."_months" >> (
      CAST("t3"."c" - 24310 AS INT) + 0
    )
  ) & 1) AS "k0",
  SUM((
    "t3"."_months" >> (
      CAST("t3"."c" - 24310 AS INT) + 1
    )
  ) & 1) AS "k1",
  SUM((
    "t3"."_months" >> (
      CAST("t3"."c" - 24310 AS INT) + 2
    )
  ) & 1) AS "k2",
  SUM((
    "t3"."_months" >> (
      CAST("t3"."c" - 24310 AS INT) + 3
    )
  ) & 1) AS "k3",
  SUM((
    "t3"."_months" >> (
      CAST("t3"."c" - 24310 AS INT) + 4
    )
  ) & 1) AS "k4",
  SUM((
    "t3"."_months" >> (
      CAST("t3"."c" - 24310 AS INT) + 5
    )
  ) & 1) AS "k5",
  SUM((
    "t3"."_months" >> (
      CAST("t3"."c" - 24310 AS INT) + 6
    )
  ) & 1) AS "k6"
FROM (
  SELECT
    *
  FROM (
    SELECT
      "t1"."store_id",
      "t1"."customer_id",
      MIN("t1"."_m") AS "c",
      BIT_OR(
        CASE
          WHEN "t1"."_m" <= 24317
          THEN CAST(1 AS BIGINT) << GREATEST("t1"."_m" - 24310, 0)
          ELSE 0
        END
      ) AS "_months"
    FROM (
      SELECT
        "t0"."store_id",
        "t0"."customer_id",
        CAST((
          EXTRACT(year FROM "t0"."paid_date") * 12
        ) + EXTRACT(month FROM "t0"."paid_date") AS INT) AS "_m"
      FROM "orders" AS "t0"
      WHERE
        "t0"."paid_date" IS NOT NULL
        AND NOT (
          "t0"."status" IN ('pending_payment', 'closed')
        )
    ) AS "t1"
    GROUP BY
      1,
      2
  ) AS "t2"
  WHERE
    "t2"."c" >= 24311 AND "t2"."c" <= 24311
) AS "t3"
GROUP BY
  1
