"""What each record looks like in the API (read-only). Flat where a spreadsheet wants columns: a council,
visit, theme or owner is an id and a name beside it, so CSV and Power BI tables need no expanding."""

from __future__ import annotations

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from actions.models import Action
from core.people import person_label
from findings.models import Finding
from inspections.models import GRADE_RANK, Inspection, Judgement, LocalAuthority


class CouncilSerializer(serializers.ModelSerializer):
    class Meta:
        model = LocalAuthority
        fields = ["id", "name", "slug", "ofsted_urn", "dfe_code", "ons_code", "region"]


class InspectionSerializer(serializers.ModelSerializer):
    authority_id = serializers.IntegerField()
    authority_name = serializers.CharField(source="authority.name")
    kind_label = serializers.CharField(source="get_kind_display")
    focus_area_label = serializers.CharField(source="get_focus_area_display")
    inspectors = serializers.ListField(child=serializers.CharField())

    class Meta:
        model = Inspection
        fields = [
            "id", "authority_id", "authority_name", "kind", "kind_label", "framework", "visit_start", "visit_end",
            "published_on", "focus_area", "focus_area_label", "inspectors", "headline", "plan_submitted_on",
        ]


class JudgementSerializer(serializers.ModelSerializer):
    inspection_id = serializers.IntegerField()
    authority_id = serializers.IntegerField(source="inspection.authority_id")
    authority_name = serializers.CharField(source="inspection.authority.name")
    visit_start = serializers.DateField(source="inspection.visit_start")
    area_label = serializers.CharField(source="get_area_display")
    grade_label = serializers.CharField(source="get_grade_display")
    grade_rank = serializers.SerializerMethodField(help_text="1 Outstanding, 2 Good, 3 Requires improvement, 4 Inadequate")

    class Meta:
        model = Judgement
        fields = ["id", "inspection_id", "authority_id", "authority_name", "visit_start", "area", "area_label",
                  "grade", "grade_label", "grade_rank"]

    def get_grade_rank(self, judgement) -> int:
        return GRADE_RANK[judgement.grade]


class FindingSerializer(serializers.ModelSerializer):
    inspection_id = serializers.IntegerField()
    authority_id = serializers.IntegerField(source="inspection.authority_id")
    authority_name = serializers.CharField(source="inspection.authority.name")
    visit_start = serializers.DateField(source="inspection.visit_start")
    kind_label = serializers.CharField(source="get_kind_display")
    theme_id = serializers.IntegerField(allow_null=True)
    theme_name = serializers.CharField(source="theme.name", allow_null=True, default=None)
    framework_refs = serializers.ListField(
        child=serializers.CharField(),
        help_text="Children's Social Care: National Framework references, e.g. 'outcome 4', 'enabler 2'",
    )
    repeats_id = serializers.IntegerField(allow_null=True, help_text="The earlier finding this one raises again")

    class Meta:
        model = Finding
        fields = ["id", "inspection_id", "authority_id", "authority_name", "visit_start", "kind", "kind_label",
                  "position", "text", "theme_id", "theme_name", "framework_refs", "repeats_id"]


class ProgressUpdateSerializer(serializers.Serializer):
    at = serializers.DateTimeField(source="created_at")
    note = serializers.CharField()
    by = serializers.SerializerMethodField()

    def get_by(self, update) -> str:
        return person_label(update.author, nobody="System")


class ActionSerializer(serializers.ModelSerializer):
    finding_id = serializers.IntegerField()
    inspection_id = serializers.IntegerField(source="finding.inspection_id")
    authority_id = serializers.IntegerField(source="finding.inspection.authority_id")
    authority_name = serializers.CharField(source="finding.inspection.authority.name")
    theme_id = serializers.IntegerField(source="finding.theme_id", allow_null=True)
    theme_name = serializers.CharField(source="finding.theme.name", allow_null=True, default=None)
    owner_id = serializers.IntegerField(allow_null=True)
    owner = serializers.SerializerMethodField(help_text="The owner's name, or 'Unassigned'")
    status_label = serializers.CharField(source="get_status_display")
    rag_label = serializers.CharField(source="get_rag_display")
    overdue = serializers.SerializerMethodField()
    last_progress_update = serializers.SerializerMethodField(
        help_text="The latest progress note (history row with a note; senior leaders' comments excluded)"
    )

    class Meta:
        model = Action
        fields = [
            "id", "title", "description", "finding_id", "inspection_id", "authority_id", "authority_name",
            "theme_id", "theme_name", "owner_id", "owner", "status", "status_label", "rag", "rag_label",
            "due_date", "overdue", "measure_name", "measure_baseline", "measure_target", "measure_latest",
            "measure_latest_on", "created_at", "updated_at", "last_progress_update",
        ]

    def get_owner(self, action) -> str:
        return person_label(action.owner, nobody="Unassigned")

    def get_overdue(self, action) -> bool:
        return action.is_overdue(self.context.get("today") or timezone.localdate())

    @extend_schema_field(ProgressUpdateSerializer(allow_null=True))
    def get_last_progress_update(self, action):
        rows = getattr(action, "last_progress_rows", None)
        if not rows:
            return None
        return ProgressUpdateSerializer(rows[0]).data


class PositionSerializer(serializers.Serializer):
    """An action's position at the end of a day: its latest history row on or before it."""

    action_id = serializers.IntegerField()
    title = serializers.CharField()
    on = serializers.DateField()
    existed = serializers.BooleanField(help_text="False when the action had no history yet on that day")
    status = serializers.CharField(allow_null=True)
    status_label = serializers.CharField(allow_null=True)
    rag = serializers.CharField(allow_null=True)
    rag_label = serializers.CharField(allow_null=True)
    measure_value = serializers.DecimalField(max_digits=12, decimal_places=2, allow_null=True)
    recorded_at = serializers.DateTimeField(allow_null=True, help_text="When that history row was written")
    version = serializers.IntegerField(allow_null=True)


class PositionQuerySerializer(serializers.Serializer):
    on = serializers.DateField(required=False, help_text="The day (YYYY-MM-DD); today when left out")


# --- the dashboard -----------------------------------------------------------------------------------


class PlanSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField()
    visit_start = serializers.DateField()
    title = serializers.CharField()


class StatusCountSerializer(serializers.Serializer):
    status = serializers.CharField()
    label = serializers.CharField()
    count = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class HeadlineSerializer(serializers.Serializer):
    total_actions = serializers.IntegerField()
    done_actions = serializers.IntegerField()
    percent_complete = serializers.IntegerField(allow_null=True)
    overdue = serializers.IntegerField()
    due_soon = serializers.IntegerField(help_text="Open and due within 30 days")
    findings_total = serializers.IntegerField()
    findings_closed = serializers.IntegerField()
    findings_open = serializers.IntegerField()
    by_status = StatusCountSerializer(many=True)


class GroupProgressSerializer(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()
    total = serializers.IntegerField()
    done = serializers.IntegerField()
    open = serializers.IntegerField()
    overdue = serializers.IntegerField()
    percent = serializers.IntegerField(allow_null=True)


class MonthSerializer(serializers.Serializer):
    month = serializers.DateField(help_text="The first of the month")
    completed = serializers.IntegerField()
    outstanding = serializers.IntegerField()


class DashboardActionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    due_date = serializers.DateField(allow_null=True)
    status = serializers.CharField()
    rag = serializers.CharField()


class DashboardSerializer(serializers.Serializer):
    authority_id = serializers.IntegerField()
    authority_name = serializers.CharField()
    on = serializers.DateField()
    plan = PlanSerializer(allow_null=True, help_text="The plan the figures are for; null for all plans")
    plans = PlanSerializer(many=True)
    headline = HeadlineSerializer()
    themes = GroupProgressSerializer(many=True)
    owners = GroupProgressSerializer(many=True)
    months = MonthSerializer(many=True)
    overdue_actions = DashboardActionSerializer(many=True, help_text="The longest overdue, at most 10")


class DashboardQuerySerializer(serializers.Serializer):
    inspection = serializers.CharField(
        required=False, help_text="An inspection id for its plan, or 'all'; the current plan when left out"
    )
