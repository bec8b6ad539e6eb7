from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from redcross.demo import DEMO_PASSWORD, demo_load
from redcross.recording import DEMO, history_context


class Command(BaseCommand):
    help = _("建立演示数据：红十字会、演示账号和各会的业务记录（可重复运行）")

    def handle(self, *args, **options):
        with history_context(None, DEMO):  # history reads it as 系统（演示数据）
            accounts = demo_load()
        self.stdout.write(self.style.SUCCESS(_("演示数据已就绪。")))
        self.stdout.write(_("演示账号（密码均为 %(password)s）：") % {"password": DEMO_PASSWORD})
        for username, chapter, role in accounts:
            self.stdout.write(f"  {username:<14} {chapter} · {role}")
