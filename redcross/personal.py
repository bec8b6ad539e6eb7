"""Personal data (ID and phone numbers): shown in full only to those who need it, masked for the rest."""

from .idnumber import mask_id_number


def mask_phone(value):
    """13812345678 → 138****5678; short numbers keep only their last two digits."""
    value = (value or "").strip()
    if len(value) >= 8:
        return value[:3] + "*" * (len(value) - 7) + value[-4:]
    return "*" * max(len(value) - 2, 0) + value[-2:]


MASKS = {"id_number": mask_id_number, "phone": mask_phone}


def shown(access, chapter_id, value, kind):
    """``value`` as the user behind ``access`` may see it: in full or masked."""
    if not value:
        return ""
    if access.can_see_personal_data(chapter_id):
        return value
    return MASKS[kind](value)
