import os

from django.core.wsgi import get_wsgi_application

os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks._bare.settings"  # not the application's
application = get_wsgi_application()
