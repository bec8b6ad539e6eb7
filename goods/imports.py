"""What the import does for goods: a gift in kind read from the 捐赠 sheet makes its lot, as one
recorded on the form does, and undoing the import takes the lots back with their gifts. (The
物资发放 sheet is yet to come.)"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from donations.choices import DonationKind
from donations.models import Donation

from .intake import LotIntake
from .models import Adjustment, IssueLine, Lot
from .services import _lot_void


def lots_for_imported_gifts(context, result):
    """Once every record of an import is made (registered as an "import_rechecks" hook): each
    gift in kind of the chapter that has no lot gets it, in the store of the chapter (its
    counters were not in the sheet)."""
    gifts = Donation.objects.filter(
        chapter=context.chapter, kind=DonationKind.IN_KIND, reverses__isnull=True, lot__isnull=True
    ).select_related("chapter", "fund")
    intake = LotIntake()
    for gift in gifts.order_by("date", "pk"):
        intake.received(gift, user=context.user, details={})


def undo_refuse_issued_goods(batch, voided):
    """An undo is refused when goods of the gifts it voids have been issued or counted since."""
    gifts = voided.get(Donation)
    if not gifts:
        return
    lots = Lot.objects.filter(donation__in=gifts)
    if (
        IssueLine.all_objects.filter(lot__in=lots, issue__voided_at__isnull=True).exists()
        or Adjustment.objects.filter(lot__in=lots).exists()
    ):
        raise ValidationError(_("本批次导入的捐赠物资已经出库或盘点，请先作废或冲销物资出库，再撤销导入"))


def undo_void_lots(batch, voided):
    """The lots of the gifts an undo voided are voided with them."""
    gifts = voided.get(Donation)
    if not gifts:
        return
    reason = _("撤销导入第%(pk)s批") % {"pk": batch.pk}
    for lot in Lot.objects.filter(donation__in=gifts):
        _lot_void(lot, user=batch.undone_by or batch.user, reason=reason)
