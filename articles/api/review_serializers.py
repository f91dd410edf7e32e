"""JSON shapes of the team-review API: assignments, workflow steps, comments, history, agreement, dashboard.

Input serializers only check shapes (types, lengths, choices); articles.workflow, assignment, discussion
and adjudication hold the rules. Report serializers render plain dicts and document their shape.
"""

from __future__ import annotations

from rest_framework import serializers

from articles.access import MAX_ID
from articles.agreement import PassageState
from articles.api.fields import RequestSerializer, StrictBooleanField, StrictIntegerField, Text
from articles.assignment import MAX_ANNOTATORS, MAX_ARTICLES
from articles.models import AnnotationEvent, Assignment, AssignmentEvent, Comment, ReviewStatus
from articles.text_rules import LIMITS
from articles.workflow import TRANSITIONS, available_actions

Id = {"min_value": 1, "max_value": MAX_ID}


class AssignmentSerializer(serializers.ModelSerializer):
    project = serializers.IntegerField(source="article.project_id", read_only=True)
    article_title = serializers.CharField(source="article.title", read_only=True)
    annotator = serializers.IntegerField(source="annotator_id", read_only=True)
    annotator_username = serializers.CharField(source="annotator.username", read_only=True)
    reviewed_by = serializers.CharField(source="reviewed_by.username", read_only=True, allow_null=True, default=None)
    flagged = serializers.SerializerMethodField(
        help_text="Spans flagged with a question (counted in the review queue, else 0)."
    )
    actions = serializers.SerializerMethodField(help_text="Workflow actions you may take on it now.")

    class Meta:
        model = Assignment
        fields = [
            "id",
            "project",
            "article",
            "article_title",
            "annotator",
            "annotator_username",
            "state",
            "message",
            "reviewed_by",
            "submitted_at",
            "reviewed_at",
            "version",
            "created_at",
            "updated_at",
            "flagged",
            "actions",
        ]
        read_only_fields = fields

    def get_flagged(self, assignment: Assignment) -> int:
        return getattr(assignment, "flagged", 0)

    def get_actions(self, assignment: Assignment) -> list[str]:
        return available_actions(assignment, self.context["request"].user, getattr(assignment, "my_role", None))


class AssignRequestSerializer(RequestSerializer):
    articles = serializers.ListField(child=StrictIntegerField(**Id), allow_empty=False, max_length=MAX_ARTICLES)
    annotators = serializers.ListField(
        child=StrictIntegerField(**Id),
        allow_empty=False,
        max_length=MAX_ANNOTATORS,
        help_text="User ids of members who may annotate.",
    )


class SpreadRequestSerializer(RequestSerializer):
    per_article = StrictIntegerField(
        min_value=1, max_value=20, required=False, help_text="Annotators per article (default: the project's setting)."
    )
    annotators = serializers.ListField(
        child=StrictIntegerField(**Id),
        allow_empty=False,
        required=False,
        max_length=MAX_ANNOTATORS,
        help_text="Default: every annotator member.",
    )


class SpreadResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    assignments = AssignmentSerializer(many=True)


class TransitionRequestSerializer(RequestSerializer):
    action = serializers.ChoiceField(choices=list(TRANSITIONS))
    message = Text(
        required=False,
        allow_blank=True,
        max_length=LIMITS["message"],
        help_text="Required for request_changes and reopen: what the annotator should change.",
    )


class AssignmentEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)
    from_state = serializers.CharField(read_only=True, help_text="The state before (empty for the assignment itself).")
    to_state = serializers.CharField(read_only=True, help_text="The state after.")

    class Meta:
        model = AssignmentEvent
        fields = ["id", "action", "from_state", "to_state", "message", "actor", "created_at"]
        read_only_fields = fields


class ReviewRequestSerializer(RequestSerializer):
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    comment = Text(
        required=False,
        allow_blank=True,
        max_length=LIMITS["comment"],
        help_text="Optional: starts a discussion thread on the annotation (e.g. why it was rejected).",
    )


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.username", read_only=True)
    resolved_by = serializers.CharField(source="resolved_by.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = Comment
        fields = ["id", "annotation", "parent", "author", "body", "is_resolved", "resolved_by", "created_at"]
        read_only_fields = fields


class ThreadSerializer(serializers.Serializer):
    root = CommentSerializer()
    replies = CommentSerializer(many=True)
    is_resolved = serializers.BooleanField()


class CommentRequestSerializer(RequestSerializer):
    body = Text(max_length=LIMITS["comment"], help_text="Plain text; shown escaped.")
    parent = StrictIntegerField(required=False, help_text="Reply to this comment's thread.", **Id)


class ResolveRequestSerializer(RequestSerializer):
    resolved = StrictBooleanField(required=False, default=True)


class FlagRequestSerializer(RequestSerializer):
    question = Text(max_length=LIMITS["question"], help_text="What the reviewer should look at.")


class AnnotationEventSerializer(serializers.ModelSerializer):
    annotation = serializers.IntegerField(source="annotation_id", read_only=True)
    actor = serializers.CharField(source="actor.username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = AnnotationEvent
        fields = ["id", "annotation", "action", "actor", "changes", "snapshot", "created_at"]
        read_only_fields = fields


class AdjudicationRequestSerializer(RequestSerializer):
    action = serializers.ChoiceField(choices=["accept", "reject", "write", "accept_agreed"])
    annotation = StrictIntegerField(
        required=False, help_text="For accept and reject: any annotation of the version.", **Id
    )
    label = serializers.CharField(required=False, max_length=32, help_text="For write: the label key.")
    start = StrictIntegerField(required=False, min_value=0, max_value=MAX_ID)
    end = StrictIntegerField(required=False, min_value=0, max_value=MAX_ID)
    replaces = serializers.ListField(child=StrictIntegerField(**Id), required=False, max_length=1000)

    def validate(self, data: dict) -> dict:
        needed = {"accept": ["annotation"], "reject": ["annotation"], "write": ["label", "start", "end"]}
        missing = [name for name in needed.get(data["action"], []) if name not in data]
        if missing:
            raise serializers.ValidationError({name: ["This field is required for this action."] for name in missing})
        return data


class VersionMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    status = serializers.ChoiceField(choices=ReviewStatus.choices)
    version = serializers.IntegerField()


class VersionSerializer(serializers.Serializer):
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    label = serializers.CharField()
    quote = serializers.CharField()
    status = serializers.CharField(help_text="pending, accepted, rejected, or mixed.")
    annotations = VersionMemberSerializer(many=True)


class ClusterSerializer(serializers.Serializer):
    label = serializers.CharField()
    start = serializers.IntegerField()
    end = serializers.IntegerField()
    state = serializers.ChoiceField(
        choices=[s.value for s in PassageState],
        help_text="Exactly one of agreed, disputed, settled (docs/review.md, Terms).",
    )
    is_agreed = serializers.BooleanField(help_text="state is agreed: every annotator holds its one version.")
    is_settled = serializers.BooleanField(help_text="state is settled: not agreed, and no span in it is pending.")
    versions = VersionSerializer(many=True)


class PassageCountsSerializer(serializers.Serializer):
    agreed = serializers.IntegerField()
    disputed = serializers.IntegerField()
    settled = serializers.IntegerField()


class AdjudicationSerializer(serializers.Serializer):
    article = serializers.IntegerField(source="article.pk")
    passages = PassageCountsSerializer(help_text="The clusters by state; the agreement report gives the same counts.")
    clusters = ClusterSerializer(many=True)
    accepted = serializers.ListField(
        child=serializers.ListField(child=serializers.JSONField()),
        help_text="The accepted set: distinct [start, end, label].",
    )


class FiguresSerializer(serializers.Serializer):
    exact_f1 = serializers.FloatField(allow_null=True)
    overlap_f1 = serializers.FloatField(allow_null=True)
    alpha = serializers.FloatField(allow_null=True, help_text="Krippendorff's unitizing alpha.")


class LabelledFiguresSerializer(FiguresSerializer):
    labels = serializers.DictField(child=FiguresSerializer(), help_text="The same figures per label key.")


class PairSerializer(LabelledFiguresSerializer):
    a = serializers.CharField(help_text="Username of one annotator.")
    b = serializers.CharField()
    articles = serializers.IntegerField(help_text="Articles both finished.")


class ArticleAgreementSerializer(FiguresSerializer):
    article = serializers.IntegerField()
    title = serializers.CharField()
    annotators = serializers.ListField(child=serializers.CharField())
    passages = PassageCountsSerializer(help_text="The article's passages by state, as its Compare page counts them.")


class AgreementSerializer(serializers.Serializer):
    annotators = serializers.ListField(child=serializers.CharField())
    labels = serializers.ListField(child=serializers.CharField())
    overall = LabelledFiguresSerializer(help_text="F1 pooled over pairs; alpha is the mean over pairs.")
    pairs = PairSerializer(many=True)
    articles = ArticleAgreementSerializer(many=True)


class ProgressSerializer(serializers.Serializer):
    username = serializers.CharField()
    role = serializers.CharField(allow_null=True, help_text="null: no longer a member.")
    states = serializers.DictField(child=serializers.IntegerField(), help_text="Assignments per state.")
    statuses = serializers.DictField(child=serializers.IntegerField(), help_text="Annotations per review status.")
    acceptance_rate = serializers.FloatField(allow_null=True)


class WeekSerializer(serializers.Serializer):
    start = serializers.DateField()
    submitted = serializers.IntegerField()
    approved = serializers.IntegerField()
    articles = serializers.IntegerField(help_text="Articles whose last annotator finished this week.")
    overlap_f1 = serializers.FloatField(allow_null=True)
    alpha = serializers.FloatField(allow_null=True)


class DashboardSerializer(serializers.Serializer):
    articles_by_status = serializers.DictField(child=serializers.IntegerField())
    annotations_by_label = serializers.DictField(child=serializers.IntegerField())
    annotations_by_status = serializers.DictField(child=serializers.IntegerField())
    acceptance_rate = serializers.FloatField(allow_null=True)
    people = ProgressSerializer(many=True)
    weeks = WeekSerializer(many=True)
    agreement = FiguresSerializer(allow_null=True, help_text="null for roles that may not see agreement.")


def _figures(f1, alpha) -> dict:
    return {"exact_f1": f1.exact.f1 if f1 else None, "overlap_f1": f1.overlap.f1 if f1 else None, "alpha": alpha}


def _by_label(f1, alphas: dict) -> dict:
    return {
        label: {"exact_f1": exact.f1, "overlap_f1": overlap.f1, "alpha": alphas.get(label)}
        for label, (exact, overlap) in sorted(f1.labels.items())
    }


def agreement_json(agreement) -> dict:
    """The agreement report as JSON: usernames and titles instead of ids where people read them."""
    report, names = agreement.report, agreement.names
    return {
        "annotators": [names.get(c, "") for c in report.coders],
        "labels": report.labels,
        "overall": {**_figures(report.f1, report.alpha), "labels": _by_label(report.f1, report.alpha_labels)},
        "pairs": [
            {
                "a": names.get(a, ""),
                "b": names.get(b, ""),
                "articles": pair.documents,
                **_figures(pair.f1, pair.alpha.overall),
                "labels": _by_label(pair.f1, pair.alpha.labels),
            }
            for (a, b), pair in report.pairs.items()
        ],
        "articles": [
            {
                "article": d.key,
                "title": agreement.titles.get(d.key, ""),
                "annotators": [names.get(c, "") for c in d.coders],
                "passages": vars(agreement.passages[d.key]),
                **_figures(d.f1, d.alpha.overall),
            }
            for d in report.documents
        ],
    }


def dashboard_json(board) -> dict:
    """The dashboard figures as JSON."""
    report = board.agreement
    return {
        "articles_by_status": board.articles_by_status,
        "annotations_by_label": {label.key: label.count for label in board.labels},
        "annotations_by_status": board.statuses,
        "acceptance_rate": board.acceptance_rate,
        "people": [
            {
                "username": p.username,
                "role": p.role,
                "states": p.states,
                "statuses": p.statuses,
                "acceptance_rate": p.acceptance_rate,
            }
            for p in board.people
        ],
        "weeks": [vars(week) for week in board.weeks],
        "agreement": _figures(report.f1, report.alpha) if report else None,
    }
