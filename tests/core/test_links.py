"""core.links: a link built once for a list, each row's value filled in where the mark stands."""

import pytest
from django.urls import reverse

from core.links import ID_MARK, SLUG_MARK, filled_in


def test_each_rows_value_goes_where_the_mark_stands():
    path = filled_in(reverse("actions:action_detail", kwargs={"pk": ID_MARK}), ID_MARK)
    assert path(42) == reverse("actions:action_detail", kwargs={"pk": 42})
    council = filled_in(reverse("dashboards:dashboard", kwargs={"slug": SLUG_MARK}), SLUG_MARK)
    assert council("barnsley") == reverse("dashboards:dashboard", kwargs={"slug": "barnsley"})


def test_a_link_without_the_mark_is_refused():
    with pytest.raises(ValueError):
        filled_in("/actions/", ID_MARK)
