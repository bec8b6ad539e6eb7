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


# Letters and digits that cannot be mistaken for one another when read aloud or copied by hand.
GENERATED_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def password_generate(length=14):
    """A random password for a new account or a reset, shown once to the administrator who made
    it: long enough for the validators, with letters and digits, nothing easily misread."""
    import secrets

    while True:
        password = "".join(secrets.choice(GENERATED_ALPHABET) for _ in range(length))
        if any(c.isdigit() for c in password) and any(c.isalpha() for c in password):
            return password
