"""Insights: daily anomaly detection on catalog KPIs, diagnosis of the moves, alerts and the daily brief."""
