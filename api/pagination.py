"""Pages of 100 records (`page`, `page_size` up to 1,000). The total and the next page's address are also
response headers (`X-Total-Count`, `Link`), so a CSV page, which has no room for them, can be followed."""

from __future__ import annotations

from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000

    def get_paginated_response(self, data):
        response = super().get_paginated_response(data)
        response["X-Total-Count"] = str(self.page.paginator.count)
        links = []
        if self.get_next_link():
            links.append(f'<{self.get_next_link()}>; rel="next"')
        if self.get_previous_link():
            links.append(f'<{self.get_previous_link()}>; rel="prev"')
        if links:
            response["Link"] = ", ".join(links)
        return response
