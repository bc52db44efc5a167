SELECT
  "t2"."traffic_source",
  COUNT(*) FILTER(WHERE
    (
      "t2"."_steps" & 1
    ) = 1) AS "visit",
  COUNT(*) FILTER(WHERE
    (
      "t2"."_steps" & 3
    ) = 3) AS "product",
  COUNT(*) FILTER(WHERE
    (
      "t2"."_steps" & 7
    ) = 7) AS "cart",
  COUNT(*) FILTER(WHERE
    (
      "t2"."_steps" & 15
    ) = 15) AS "checkout",
  COUNT(*) FILTER(WHERE
    (
      "t2"."_steps" & 31
    ) = 31) AS "paid"
FROM (
  SELECT
    "t1"."store_id",
    "t1"."visitor_id",
    COALESCE("t1"."traffic_source", '') AS "traffic_source",
    BIT_OR(
      CASE WHEN "t1"."event_type" IN ('page_view', 'product_view') THEN 1 ELSE 0 END + CASE WHEN "t1"."event_type" = 'product_view' THEN 2 ELSE 0 END + CASE WHEN "t1"."event_type" = 'add_to_cart' THEN 4 ELSE 0 END + CASE WHEN "t1"."event_type" = 'checkout' THEN 8 ELSE 0 END + CASE WHEN "t1"."event_type" = 'purchase' THEN 16 ELSE 0 END
    ) AS "_steps"
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
