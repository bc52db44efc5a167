"""Demand forecasting (pure: numpy, pandas, statsforecast; no Django). See docs/inventory.md."""

from shopops.inventory.forecasting.demand_class import CLASSES, adi_cv2, classify
from shopops.inventory.forecasting.engine import DemandForecast, ForecastSettings, forecast_demand
from shopops.inventory.forecasting.uplift import CampaignWindow, UpliftModel, learn_uplift, multipliers

__all__ = ["CLASSES", "CampaignWindow", "DemandForecast", "ForecastSettings", "UpliftModel", "adi_cv2", "classify",
           "forecast_demand", "learn_uplift", "multipliers"]
