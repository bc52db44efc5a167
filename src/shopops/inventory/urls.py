from django.urls import path

from shopops.inventory import views

app_name = "inventory"

urlpatterns = [
    path("", views.stock, name="stock"),
    path("clearance/", views.clearance, name="clearance"),
    path("replenishment/", views.replenishment, name="replenishment"),
    path("forecast/", views.forecast, name="forecast"),
    path("stocking-plan/", views.stocking_plan, name="stocking_plan"),
    path("suppliers/", views.suppliers, name="suppliers"),
    path("suppliers/<int:supplier_id>/", views.supplier_detail, name="supplier"),
    path("orders/", views.orders, name="orders"),
    path("orders/new/", views.order_create, name="order_create"),
    path("orders/<int:po_id>/", views.order_detail, name="order"),
    path("orders/<int:po_id>/receive/", views.order_receive, name="order_receive"),
    path("orders/<int:po_id>/<str:action>/", views.order_action, name="order_action"),
]
