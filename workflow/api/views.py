"""API views: thin. Reads through the visibility selector, writes through the services."""

from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from agreements.models import Comment
from workflow.api.drafts import create_agreement_response
from workflow.api.pagination import AgreementPagination
from workflow.api.serializers import (
    AgreementCreateSerializer,
    AgreementDetailSerializer,
    AgreementListSerializer,
    AuditEventSerializer,
    CommentCreateSerializer,
    CommentSerializer,
    DeclineSerializer,
    NoteSerializer,
    SignSerializer,
)
from workflow.core.access import Action
from workflow.core.request_meta import RequestMeta
from workflow.core.visibility import agreement_get_for, agreement_list_for, audit_event_list_for, comment_get_for
from workflow.lifecycle.rules import require_permission
from workflow.lifecycle.services.amendments import agreement_amend
from workflow.lifecycle.services.comments import comment_add
from workflow.lifecycle.services.review import (
    agreement_approve,
    agreement_reopen,
    agreement_request_changes,
    agreement_submit,
    agreement_withdraw,
)
from workflow.lifecycle.services.signing import agreement_decline_to_sign, agreement_sign


class AgreementList(generics.ListAPIView):
    """GET: every agreement you may see, newest change first (filter with ?state=). POST: start a new draft."""

    serializer_class = AgreementListSerializer
    pagination_class = AgreementPagination

    def get_queryset(self):
        return agreement_list_for(self.request.user, state=self.request.query_params.get("state"))

    @extend_schema(request=AgreementCreateSerializer, responses={201: AgreementDetailSerializer})
    def post(self, request):
        return create_agreement_response(request)


class AgreementDetail(generics.RetrieveAPIView):
    """One agreement with its current version and the signatures collected per party."""

    serializer_class = AgreementDetailSerializer

    def get_object(self):
        return agreement_get_for(self.request.user, reference=self.kwargs["reference"])


class AgreementTimeline(generics.ListAPIView):
    serializer_class = AuditEventSerializer
    pagination_class = None

    def get_queryset(self):
        agreement = agreement_get_for(self.request.user, reference=self.kwargs["reference"])
        return audit_event_list_for(self.request.user, agreement=agreement)


class AgreementAction(generics.GenericAPIView):
    """POST an action on an agreement. 404: not visible; 403: not yours to do; 400: the body; 409: not now.

    In that order: whoever may not act learns nothing from the body's validation (not even its fields).
    """

    serializer_class = NoteSerializer  # what the POST body holds
    action: str  # core.access.Action: the permission asked before the body is read

    def perform(self, *, agreement, actor, data, meta):
        raise NotImplementedError

    @extend_schema(responses={200: AgreementDetailSerializer})
    def post(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        require_permission(request.user, self.action, agreement)
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = self.perform(
            agreement=agreement,
            actor=request.user,
            data=serializer.validated_data,
            meta=RequestMeta.from_request(request),
        )
        agreement.refresh_from_db()
        target = result if result is not None and hasattr(result, "reference") else agreement
        return Response(AgreementDetailSerializer(target, context={"request": request}).data, status=status.HTTP_200_OK)


class Submit(AgreementAction):
    action = Action.SUBMIT

    def perform(self, *, agreement, actor, data, meta):
        return agreement_submit(agreement=agreement, actor=actor, request_meta=meta)


class Approve(AgreementAction):
    action = Action.APPROVE

    def perform(self, *, agreement, actor, data, meta):
        return agreement_approve(agreement=agreement, actor=actor, request_meta=meta)


class RequestChanges(AgreementAction):
    action = Action.REQUEST_CHANGES

    def perform(self, *, agreement, actor, data, meta):
        return agreement_request_changes(agreement=agreement, actor=actor, note=data["note"], request_meta=meta)


class Reopen(AgreementAction):
    action = Action.REOPEN

    def perform(self, *, agreement, actor, data, meta):
        return agreement_reopen(agreement=agreement, actor=actor, note=data["note"], request_meta=meta)


class Withdraw(AgreementAction):
    action = Action.WITHDRAW

    def perform(self, *, agreement, actor, data, meta):
        return agreement_withdraw(agreement=agreement, actor=actor, note=data["note"], request_meta=meta)


class Amend(AgreementAction):
    action = Action.AMEND

    def perform(self, *, agreement, actor, data, meta):
        return agreement_amend(agreement=agreement, actor=actor, request_meta=meta)


class Sign(AgreementAction):
    action = Action.SIGN
    serializer_class = SignSerializer

    def perform(self, *, agreement, actor, data, meta):
        agreement_sign(
            agreement=agreement,
            actor=actor,
            content_hash=data["content_hash"],
            password=data["password"],
            authority_confirmed=data["authorised"],
            otp_code=data["otp_code"],
            request_meta=meta,
        )


class Decline(AgreementAction):
    """A signatory who may sign now declines to, with a reason: the agreement goes back to draft."""

    action = Action.DECLINE

    serializer_class = DeclineSerializer

    def perform(self, *, agreement, actor, data, meta):
        return agreement_decline_to_sign(agreement=agreement, actor=actor, reason=data["reason"], request_meta=meta)


class Comments(APIView):
    @extend_schema(responses={200: CommentSerializer(many=True)})
    def get(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        comments = Comment.objects.filter(version__agreement=agreement).select_related("author")
        return Response(CommentSerializer(comments, many=True).data)

    @extend_schema(request=CommentCreateSerializer, responses={201: CommentSerializer})
    def post(self, request, reference: str):
        agreement = agreement_get_for(request.user, reference=reference)
        require_permission(request.user, Action.COMMENT, agreement)
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent = None
        if serializer.validated_data["parent"]:
            parent = comment_get_for(request.user, agreement=agreement, comment_id=serializer.validated_data["parent"])
        comment = comment_add(
            agreement=agreement,
            actor=request.user,
            body=serializer.validated_data["body"],
            section_key=serializer.validated_data["section_key"],
            parent=parent,
            request_meta=RequestMeta.from_request(request),
        )
        return Response(CommentSerializer(comment).data, status=status.HTTP_201_CREATED)
