"""The Celery runtime. Tasks live in workflow/tasks.py; this only runs them."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("samenkader")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks(["workflow"])
