"""Weekly (周报) and monthly (月报) operations reports: built from the metrics runners,
rendered as HTML, PDF (weasyprint) and Excel (openpyxl)."""
