"""Inventory and supply: stock health, demand forecasts, replenishment, suppliers and purchase orders, the pre-campaign stocking plan (docs/inventory.md)."""
