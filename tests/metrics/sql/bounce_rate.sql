SELECT
  "t7"."visitors",
  "t8"."sessions",
  "t11"."bounced_sessions"
FROM (
  SELECT
    COUNT(*) AS "visitors"
  FROM (
    SELECT DISTINCT
      "t0"."store_id" AS "_store",
      "t0"."visitor_id" AS "_entity"
    FROM "events" AS "t0"
    WHERE
      "t0"."event_date" >= MAKE_DATE(2025, 11, 1)
      AND "t0"."event_date" <= MAKE_DATE(2025, 11, 30)
      AND "t0"."visitor_id" IS NOT NULL
  ) AS "t1"
) AS "t7"
CROSS JOIN (
  SELECT
    COUNT(*) AS "sessions"
  FROM (
    SELECT DISTINCT
      "t0"."store_id" AS "_store",
      "t0"."session_id" AS "_entity"
    FROM "events" AS "t0"
    WHERE
      "t0"."event_date" >= MAKE_DATE(2025, 11, 1)
      AND "t0"."event_date" <= MAKE_DATE(2025, 11, 30)
      AND "t0"."session_id" IS NOT NULL
  ) AS "t2"
) AS "t8"
CROSS JOIN (
  SELECT
    COUNT(*) AS "bounced_sessions"
  FROM (
    SELECT
      *
    FROM (
      SELECT
        "t3"."store_id" AS "_store",
        "t3"."session_id" AS "_entity",
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
          "t0"."event_date" AS "_date"
        FROM "events" AS "t0"
        WHERE
          "t0"."event_date" >= MAKE_DATE(2025, 11, 1)
          AND "t0"."event_date" <= MAKE_DATE(2025, 11, 30)
          AND "t0"."session_id" IS NOT NULL
          AND "t0"."event_type" IN ('page_view', 'product_view')
      ) AS "t3"
      GROUP BY
        1,
        2
    ) AS "t6"
    WHERE
      "t6"."_n" = 1
  ) AS "t9"
) AS "t11"
