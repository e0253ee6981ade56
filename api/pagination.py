"""Pages of every API list: ``?page=`` (from 1) and ``?page_size=`` (1–200, default 50)."""

from rest_framework.pagination import PageNumberPagination


class Pagination(PageNumberPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_page_message = "页码“{page_number}”无效：{message}"
