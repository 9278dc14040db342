"""The permission policies answer "may this user do X to this row" and "which rows", the same way."""

from __future__ import annotations

import pytest
from django.http import Http404

from actions.models import Status
from actions.permissions import action_policy
from findings.permissions import finding_policy
from inspections.permissions import authority_policy, inspection_policy

pytestmark = pytest.mark.django_db

# who: (view, change, verify) for an action of our council, complete, owned by `owner`
EXPECTED = {
    "owner": (True, True, False),
    "colleague": (True, True, False),  # a lead: changes it, never verifies
    "leader": (True, True, True),  # comments (a change of the note only) and verifies
    "partner": (False, False, False),  # not their action
    "outsider": (False, False, False),
    "council_admin": (True, True, True),
}


@pytest.mark.parametrize("who", EXPECTED)
def test_the_action_policy_per_persona(request, who, make_action):
    user = request.getfixturevalue(who)
    action = make_action(status=Status.COMPLETE)
    for verb, expected in zip(("view", "change", "verify"), EXPECTED[who]):
        assert action_policy.user_has_permission_for_instance(user, verb, action) is expected, verb
        assert action_policy.instances_user_has_permission_for(user, verb).filter(pk=action.pk).exists() is expected, verb


def test_nobody_verifies_their_own_action(make_action, leader):
    action = make_action(status=Status.COMPLETE, owner=leader)
    assert not action_policy.user_has_permission_for_instance(leader, "verify", action)
    assert not action_policy.instances_user_has_permission_for(leader, "verify").exists()


def test_a_partner_sees_and_changes_only_their_own(make_action, partner):
    theirs = make_action(owner=partner)
    make_action(title="Someone else's")
    assert list(action_policy.instances_user_has_permission_for(partner, "change")) == [theirs]
    permissions = action_policy.permissions_for(partner, theirs)
    assert permissions.fields == {"status", "note", "evidence", "evidence_link", "evidence_file"}
    assert permissions.settable_statuses == {Status.COMPLETE} and not permissions.can_verify


def test_get_for_user_is_a_404_outside_the_councils(make_action, outsider, colleague):
    action = make_action()
    assert action_policy.get_for_user(colleague, action.pk) == action
    with pytest.raises(Http404):
        action_policy.get_for_user(outsider, action.pk)
    with pytest.raises(Http404):
        finding_policy.get_for_user(outsider, action.finding_id)
    with pytest.raises(Http404):
        inspection_policy.get_for_user(outsider, action.finding.inspection_id)


def test_only_admins_change_inspections_findings_and_councils(make_action, colleague, council_admin, our_council):
    finding = make_action().finding
    assert finding_policy.user_has_permission_for_instance(colleague, "view", finding)
    assert not finding_policy.user_has_permission_for_instance(colleague, "change", finding)
    assert finding_policy.user_has_permission_for_instance(council_admin, "change", finding)
    assert inspection_policy.user_has_permission_for_instance(council_admin, "change", finding.inspection)
    assert not inspection_policy.user_has_permission_for_instance(colleague, "change", finding.inspection)
    assert list(authority_policy.instances_user_has_permission_for(council_admin, "import")) == [our_council]


def test_an_unknown_verb_fails_loudly(make_action, colleague):
    with pytest.raises(ValueError):
        action_policy.user_has_permission_for_instance(colleague, "delete", make_action())
