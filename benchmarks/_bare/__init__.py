"""The baseline of `benchmarks/respondent_load.py`: a minimal Django project with one model (a foreign key,
a JSON value, updated_at) behind a DRF ModelViewSet create with SessionAuthentication and CSRF, served
the same way as the application. What a save costs when it does nothing but store a value."""
