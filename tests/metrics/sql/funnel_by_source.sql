SELECT
  "t2"."traffic_source",
  SUM("t2"."s0") AS "visit",
  SUM("t2"."s0" * "t2"."s1") AS "product",
  SUM("t2"."s0" * "t2"."s1" * "t2"."s2") AS "cart",
  SUM("t2"."s0" * "t2"."s1" * "t2"."s2" * "t2"."s3") AS "checkout",
  SUM("t2"."s0" * "t2"."s1" * "t2"."s2" * "t2"."s3" * "t2"."s4") AS "paid"
FROM (
  SELECT
    "t1"."store_id",
    "t1"."visitor_id",
    COALESCE("t1"."traffic_source", '') AS "traffic_source",
    MAX(CASE WHEN "t1"."event_type" IN ('page_view', 'product_view') THEN 1 ELSE 0 END) AS "s0",
    MAX(CASE WHEN "t1"."event_type" = 'product_view' THEN 1 ELSE 0 END) AS "s1",
    MAX(CASE WHEN "t1"."event_type" = 'add_to_cart' THEN 1 ELSE 0 END) AS "s2",
    MAX(CASE WHEN "t1"."event_type" = 'checkout' THEN 1 ELSE 0 END) AS "s3",
    MAX(CASE WHEN "t1"."event_type" = 'purchase' THEN 1 ELSE 0 END) AS "s4"
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
      "t0"."event_date" AS "_date"
    FROM "events" AS "t0"
    WHERE
      "t0"."event_date" >= MAKE_DATE(2025, 11, 1)
      AND "t0"."event_date" <= MAKE_DATE(2025, 11, 30)
  ) AS "t1"
  GROUP BY
    1,
    2,
    3
) AS "t2"
GROUP BY
  1
