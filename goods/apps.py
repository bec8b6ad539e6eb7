from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GoodsConfig(AppConfig):
    name = "goods"
    verbose_name = _("物资")

    def ready(self):
        """Tells the kernel (``redcross.registry``) and ``donations`` what this app brings: the
        corrections of its records, what its records move in a fund's books (cash and goods
        apart), and the lot every gift in kind makes."""
        from decimal import Decimal

        from django.db.models import Case, F, Q, Value, When
        from django.db.models.functions import Coalesce, NullIf

        from donations.choices import LedgerEntryKind
        from donations.selectors import MONEY, FundOutflow, register_drive_panel, register_fund_outflow
        from donations.services import register_goods_intake
        from redcross.registry import (
            register,
            register_correction_hooks,
            register_demo_loader,
            register_export,
            register_import_option,
            register_import_sheet,
        )

        from . import demo, exports, imports, intake, models, services, views
        from .choices import LotOrigin

        zero = Value(Decimal("0.00"), output_field=MONEY)
        register_correction_hooks(models.Issue, services.IssueCorrections())
        register_correction_hooks(models.Lot, services.LotCorrections())
        register_correction_hooks(models.Adjustment, services.AdjustmentCorrections())
        register_goods_intake(intake.LotIntake())
        register_demo_loader(demo.demo_goods, order=75)
        register_export("goods", exports.GoodsLedger)
        register_drive_panel(views.drive_panel)
        register("home_panels", views.transit_panel)
        register("import_rechecks", imports.lots_for_imported_gifts)
        register("import_undo_checks", imports.undo_refuse_issued_goods)
        register("import_undone", imports.undo_void_lots)
        register_import_sheet(imports.GoodsIssueSheet, order=80)
        register_import_option("发放对象", imports.targets_offered, order=85)
        register("import_rechecks", imports.issues_recheck)
        register("import_undo_checks", imports.undo_refuse_allocations_used)
        register("import_undone", imports.undo_issues_follow)
        # A purchase: the fund's cash becomes goods (cash out, goods in: its book value stays);
        # an allocation from above: goods come in.
        register_fund_outflow(
            FundOutflow(
                kind=LedgerEntryKind.GOODS_RECEIPT,
                model=models.LotInFund,
                amount=Case(
                    When(origin=LotOrigin.PURCHASE, then=zero), default=-F("total_value"), output_field=MONEY
                ),
                cash=Case(
                    When(origin=LotOrigin.PURCHASE, then=F("total_value")), default=zero, output_field=MONEY
                ),
                inflow=F("total_value"),
                party=Coalesce(NullIf(F("supplier"), Value("")), F("origin_chapter__name")),
                purpose=F("item__name"),
                route="goods:lot-detail",
            )
        )
        # Goods leaving to a chapter below, a receiving unit, or written off.
        register_fund_outflow(
            FundOutflow(
                kind=LedgerEntryKind.GOODS_ISSUE,
                model=models.LineInFund,
                amount=F("value"),
                cash=zero,
                party=Coalesce(
                    F("issue__recipient_chapter__name"),
                    NullIf(F("issue__receiving_unit"), Value("")),
                    F("issue__reason"),
                ),
                purpose=F("lot__item__name"),
                route="goods:line-detail",
            )
        )
        # A stock count's difference: goods found (in) or missing (out).
        register_fund_outflow(
            FundOutflow(
                kind=LedgerEntryKind.GOODS_ADJUSTMENT,
                model=models.Adjustment,
                amount=-F("value"),
                cash=zero,
                inflow=Case(When(Q(value__gt=0), then=F("value")), default=zero, output_field=MONEY),
                party=Value(""),
                purpose=F("reason"),
                route="goods:adjustment-detail",
            )
        )
