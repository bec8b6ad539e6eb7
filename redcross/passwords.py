"""Password rules, said in the product's own words (Django's Chinese catalogue lacks this one)."""

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    def validate(self, password, user=None):
        if len(password) < self.min_length:
            raise ValidationError(
                _("密码太短：至少需要 %(min_length)s 个字符。") % {"min_length": self.min_length},
                code="password_too_short",
            )

    def get_help_text(self):
        return _("密码至少需要 %(min_length)s 个字符。") % {"min_length": self.min_length}
