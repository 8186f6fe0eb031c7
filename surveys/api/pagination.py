"""The API's page size rules: `?limit=` is capped, so a huge number is a big page, not a database error."""

from rest_framework.pagination import LimitOffsetPagination


class ApiPagination(LimitOffsetPagination):
    # DRF passes an uncapped limit straight to SQL LIMIT, where a value past 64 bits is a server error.
    max_limit = 1000
