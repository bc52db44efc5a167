"""Outreach: message templates, channel adapters (with a development outbox), coupons from
a registered issuer, seeded holdout assignment and results against the holdout.

Pure pieces (no Django): :mod:`.templating`, :mod:`.holdout`, :mod:`.stats`.
Django / warehouse pieces: :mod:`.channels` (adapters), :mod:`shopops.customers.coupons` (issuer
registry), :mod:`.results` (outcomes from warehouse orders). The send itself is the
service ``shopops.audience.services.outreach_send``.
"""
