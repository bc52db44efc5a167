"""Coupons and flash sales belong to one store: only that store's server key may use them.

Existing ones are given the promotions store (``SHOPOPS_PROMOTIONS_STORE_ID``, ``own`` by
default), the store the API served them for until now.
"""

from django.conf import settings
from django.db import migrations, models


def promotions_store(apps, schema_editor):
    store = getattr(settings, "SHOPOPS_PROMOTIONS_STORE_ID", "own")
    for name in ("Coupon", "FlashSale"):
        apps.get_model("promotions", name).objects.filter(store_id="").update(store_id=store)


class Migration(migrations.Migration):

    dependencies = [
        ("promotions", "0003_promotion_updated_at"),
    ]

    operations = [
        migrations.AddField(
            model_name="coupon",
            name="store_id",
            field=models.CharField(default="", help_text="the store whose server key may claim and redeem its codes",
                                   max_length=64),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="flashsale",
            name="store_id",
            field=models.CharField(default="", help_text="the store whose server key may reserve and release its stock",
                                   max_length=64),
            preserve_default=False,
        ),
        migrations.RunPython(promotions_store, migrations.RunPython.noop),
    ]
