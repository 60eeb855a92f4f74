"""REST endpoints for government contracts (DRF; documented in the OpenAPI schema).

Thin: parse and validate the request shape, call a selector or a service, render the result.
Amounts are strings with two decimals, dates ISO. Errors use the API's common format.
"""

import datetime as dt
from decimal import Decimal
from urllib.parse import urlencode

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from contracts import selectors, services
from contracts.interest import milestone_interest
from contracts.models import ArrearsCase, Contract, Milestone
from contracts.payment_terms import payment_term_above_default
from workflow import clock, roles
from workflow.api.fields import AmountField
from workflow.api.serializers import InputSerializer
from workflow.errors import NotFound, PermissionDenied, ValidationFailed
from workflow.pagination import keyset_cursor, keyset_parse


class CounterpartySerializer(InputSerializer):
    name = serializers.CharField(max_length=200)
    uscc = serializers.CharField(max_length=18)
    size = serializers.ChoiceField(choices=["micro", "small", "medium", "large"])


class MilestoneInSerializer(InputSerializer):
    kind = serializers.ChoiceField(choices=Milestone.Kind.values)
    title = serializers.CharField(max_length=200)
    amount = AmountField(required=False, allow_null=True, min_value=0)
    planned_on = serializers.DateField()
    payment_after_acceptance = serializers.BooleanField(required=False, default=False)
    acceptance_period_days = serializers.IntegerField(required=False, allow_null=True, min_value=0, max_value=365)


class ContractInSerializer(InputSerializer):
    number = serializers.CharField(max_length=64)
    title = serializers.CharField(max_length=200)
    kind = serializers.ChoiceField(choices=Contract.Kind.values)
    procurement = serializers.BooleanField(required=False, default=False)
    counterparty = CounterpartySerializer()
    amount = AmountField(min_value=0)
    signed_on = serializers.DateField()
    ends_on = serializers.DateField(required=False, allow_null=True)
    payment_term_days = serializers.IntegerField(required=False, allow_null=True, min_value=1, max_value=3650)
    late_interest_daily = serializers.DecimalField(
        max_digits=9, decimal_places=6, required=False, allow_null=True, min_value=0
    )
    milestones = MilestoneInSerializer(many=True, required=False)


class MilestoneOutSerializer(serializers.ModelSerializer):
    amount = AmountField(allow_null=True)
    paid_amount = AmountField()

    class Meta:
        model = Milestone
        fields = [
            "id",
            "kind",
            "title",
            "status",
            "amount",
            "planned_on",
            "payment_after_acceptance",
            "acceptance_period_days",
            "delivered_on",
            "accepted_on",
            "payment_due_on",
            "payment_rule",
            "paid_amount",
        ]


class PaymentOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    milestone = serializers.IntegerField(source="milestone_id")
    amount = AmountField()
    paid_on = serializers.DateField()


class WarningOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    rule = serializers.CharField()
    level = serializers.CharField(source="get_level_display")
    level_code = serializers.IntegerField(source="level")
    status = serializers.CharField()
    milestone = serializers.IntegerField(source="milestone_id", allow_null=True)
    reference_on = serializers.DateField()
    raised_on = serializers.DateField()


class ArrearsOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    contract = serializers.IntegerField(source="contract_id")
    milestone = serializers.IntegerField(source="milestone_id")
    due_on = serializers.DateField()
    owed = AmountField()
    repaid = AmountField()
    interest = serializers.SerializerMethodField()
    status = serializers.CharField()

    def get_interest(self, case) -> str:
        return str(milestone_interest(case.milestone, as_of=clock.today()))


class DeadlinesOutSerializer(serializers.Serializer):
    register = serializers.DateField(source="register_due_on")
    publish = serializers.DateField(source="publish_due_on", allow_null=True)


class ContractOutSerializer(serializers.ModelSerializer):
    amount = AmountField()
    agency = serializers.SerializerMethodField()
    counterparty = serializers.SerializerMethodField()
    deadlines = DeadlinesOutSerializer(source="*")
    registered_on_time = serializers.SerializerMethodField()
    payment_term_above_default = serializers.SerializerMethodField(
        help_text="A large enterprise agreed a longer term than the statutory default of 60 days: lawful "
        "(保障中小企业款项支付条例 第九条第二款), to be looked at for reasonableness."
    )
    milestones = MilestoneOutSerializer(many=True)
    payments = PaymentOutSerializer(many=True)
    warnings = WarningOutSerializer(many=True)
    arrears = ArrearsOutSerializer(many=True)

    class Meta:
        model = Contract
        fields = [
            "id",
            "number",
            "title",
            "kind",
            "procurement",
            "status",
            "agency",
            "counterparty",
            "amount",
            "signed_on",
            "ends_on",
            "payment_term_days",
            "payment_term_above_default",
            "late_interest_daily",
            "registered_on",
            "registered_on_time",
            "next_report_due_on",
            "version",
            "deadlines",
            "milestones",
            "payments",
            "warnings",
            "arrears",
        ]

    def get_agency(self, c) -> dict:
        return {"id": c.agency_id, "code": c.agency.code, "name": c.agency.name}

    def get_counterparty(self, c) -> dict:
        return {"name": c.counterparty.name, "uscc": c.counterparty.uscc, "size": c.counterparty_size}

    def get_payment_term_above_default(self, c) -> bool:
        return payment_term_above_default(c)

    def get_registered_on_time(self, c) -> bool | None:
        if c.registered_on is None or c.register_due_on is None:
            return None
        return c.registered_on <= c.register_due_on


def _contract_response(request, pk, code=status.HTTP_200_OK):
    contract = selectors.contract_get_for_user(user=request.user, pk=pk)
    return Response(ContractOutSerializer(contract).data, status=code)


LIST_LIMIT = 200


class ContractListQuerySerializer(InputSerializer):
    after = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=200,
        help_text="The cursor of the next page: the `X-Next-Cursor` header (also in the `Link` header, "
        'rel="next") of the previous page. Without it, the newest contracts.',
    )
    limit = serializers.IntegerField(
        required=False, min_value=1, max_value=LIST_LIMIT, default=LIST_LIMIT, help_text="Contracts per page."
    )

    def validate_after(self, raw: str):
        if not raw:
            return None
        values = keyset_parse(raw, 2)
        try:
            return (dt.date.fromisoformat(values[0]), int(values[1])) if values else None
        except ValueError:
            return None


class ContractListCreateApi(APIView):
    @extend_schema(
        parameters=[ContractListQuerySerializer],
        responses=ContractOutSerializer(many=True),
        description="The visible contracts, newest signed first, `limit` (at most 200) a page. Keyset "
        "pagination: when there are more, the response carries `X-Next-Cursor` and a `Link` header "
        '(rel="next"); pass the cursor as `after`. A page costs the same at any depth.',
    )
    def get(self, request):
        query = ContractListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        after = query.validated_data.get("after")
        if after is None and request.query_params.get("after"):  # not one of ours: refuse, do not restart
            raise ValidationFailed(_("This is not a cursor of this list."), "invalid_cursor", field="after")
        rows, next_key = selectors.contracts_keyset(request.user, after=after, limit=query.validated_data["limit"])
        response = Response(
            [
                {
                    "id": c["id"],
                    "number": c["number"],
                    "title": c["title"],
                    "status": c["status"],
                    "agency": c["agency__code"],
                    "amount": f"{c['amount']:.2f}",
                    "signed_on": c["signed_on"],
                }
                for c in rows
            ]
        )
        if next_key is not None:
            cursor = keyset_cursor(next_key[0].isoformat(), next_key[1])
            params = {"after": cursor}
            if "limit" in request.query_params:
                params["limit"] = str(query.validated_data["limit"])
            response["X-Next-Cursor"] = cursor
            response["Link"] = f'<{request.build_absolute_uri(request.path + "?" + urlencode(params))}>; rel="next"'
        return response

    @extend_schema(request=ContractInSerializer, responses={201: ContractOutSerializer})
    def post(self, request):
        if not roles.has_role(request.user, roles.AGENCY_CLERK) or request.user.agency_id is None:
            raise PermissionDenied(_("Only an agency clerk records contracts."), "forbidden")
        data = ContractInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        contract = services.contract_register(
            agency=request.user.agency, data=data.validated_data, acting_user=request.user
        )
        return _contract_response(request, contract.pk, status.HTTP_201_CREATED)


class ContractDetailApi(APIView):
    @extend_schema(responses=ContractOutSerializer)
    def get(self, request, pk):
        return _contract_response(request, pk)


class DeliveryInSerializer(InputSerializer):
    delivered_on = serializers.DateField()
    accepted_on = serializers.DateField(required=False, allow_null=True)


class MilestoneDeliveryApi(APIView):
    @extend_schema(request=DeliveryInSerializer, responses=MilestoneOutSerializer)
    def post(self, request, pk, mid):
        contract = selectors.contract_get_for_clerk(user=request.user, pk=pk)
        milestone = next((m for m in contract.milestones.all() if m.pk == mid), None)
        if milestone is None:
            raise NotFound(_("No such milestone on this contract."), "not_found")
        data = DeliveryInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = services.milestone_record_delivery(
            milestone=milestone, acting_user=request.user, **data.validated_data
        )
        return Response(MilestoneOutSerializer(milestone).data)


class PaymentInSerializer(InputSerializer):
    milestone = serializers.IntegerField()
    amount = AmountField(min_value=0)
    paid_on = serializers.DateField()


class PaymentCreateApi(APIView):
    @extend_schema(request=PaymentInSerializer, responses={201: PaymentOutSerializer})
    def post(self, request, pk):
        contract = selectors.contract_get_for_clerk(user=request.user, pk=pk)
        data = PaymentInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        milestone = next((m for m in contract.milestones.all() if m.pk == data.validated_data["milestone"]), None)
        if milestone is None:
            raise ValidationFailed(_("No such milestone on this contract."), "invalid", field="milestone")
        payment = services.payment_record(
            contract=contract,
            milestone=milestone,
            amount=data.validated_data["amount"],
            paid_on=data.validated_data["paid_on"],
            acting_user=request.user,
        )
        return Response(PaymentOutSerializer(payment).data, status=status.HTTP_201_CREATED)


class ArrearsListApi(APIView):
    @extend_schema(responses=ArrearsOutSerializer(many=True))
    def get(self, request):
        qp = request.query_params
        st = qp.get("status")
        if st and st not in ArrearsCase.Status.values:
            raise ValidationFailed(_("Unknown status."), "invalid", field="status")
        qs = selectors.arrears_visible_to(request.user, contract=qp.get("contract"), agency=qp.get("agency"), status=st)
        return Response(ArrearsOutSerializer(qs, many=True).data)


class EvaluationRowSerializer(serializers.Serializer):
    agency = serializers.DictField()
    indicators = serializers.DictField(child=serializers.FloatField(allow_null=True))
    figures = serializers.DictField()
    score = serializers.FloatField(allow_null=True)
    rank = serializers.IntegerField(allow_null=True)


class EvaluationOutSerializer(serializers.Serializer):
    period = serializers.CharField()
    start = serializers.DateField()
    end = serializers.DateField()
    agencies = EvaluationRowSerializer(many=True)


class EvaluationApi(APIView):
    """Per-agency government-integrity indicators and score for a period (`?period=2026Q3`)."""

    @extend_schema(
        parameters=[OpenApiParameter("period", str, required=True, description="2026Q3, 2026, 2026-07 or a..b")],
        responses=EvaluationOutSerializer,
    )
    def get(self, request):
        from contracts.evaluation.services import evaluation_compute, period_parse

        user = request.user
        if not (roles.has_role(user, roles.SUPERVISOR) or user.is_superuser or user.agency_id):
            raise PermissionDenied(_("The evaluation is for supervisors and agencies."), "forbidden")
        period = period_parse(request.query_params.get("period", ""))
        rows = evaluation_compute(period_start=period.start, period_end=period.end)
        if not (roles.has_role(user, roles.SUPERVISOR) or user.is_superuser):
            visible = set(selectors.agencies_visible_ids(user))
            rows = [r for r in rows if r["agency"]["id"] in visible]
        return Response({"period": period.label, "start": period.start, "end": period.end, "agencies": rows})


class ReasonInSerializer(InputSerializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class ContractFulfilApi(APIView):
    @extend_schema(request=ReasonInSerializer, responses=ContractOutSerializer)
    def post(self, request, pk):
        contract = selectors.contract_get_for_clerk(user=request.user, pk=pk)
        data = ReasonInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contract_fulfil(contract=contract, acting_user=request.user, note=data.validated_data["reason"])
        return _contract_response(request, pk)


class ContractTerminateApi(APIView):
    @extend_schema(request=ReasonInSerializer, responses=ContractOutSerializer)
    def post(self, request, pk):
        contract = selectors.contract_get_for_clerk(user=request.user, pk=pk)
        data = ReasonInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.contract_terminate(contract=contract, reason=data.validated_data["reason"], acting_user=request.user)
        return _contract_response(request, pk)


class InstalmentInSerializer(InputSerializer):
    due_on = serializers.DateField()
    amount = AmountField(min_value=0)


class PlanInSerializer(InputSerializer):
    instalments = InstalmentInSerializer(many=True)


class PlanOutSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    status = serializers.CharField()
    instalments = serializers.SerializerMethodField()

    def get_instalments(self, case) -> list[dict]:
        return [{"due_on": i.due_on.isoformat(), "amount": f"{i.amount:.2f}"} for i in case.instalments.all()]


class ArrearsPlanApi(APIView):
    """The repayment plan of an arrears case (the contracting agency's clerks or head)."""

    @extend_schema(request=PlanInSerializer, responses=PlanOutSerializer)
    def post(self, request, pk):
        case = selectors.arrears_visible_to(request.user).filter(pk=pk).first()
        if case is None:
            raise NotFound(_("No such arrears case."), "not_found")
        selectors.contract_get_for_clerk(user=request.user, pk=case.contract_id)
        data = PlanInSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        case = services.arrears_plan_set(
            case=case, instalments=data.validated_data["instalments"], acting_user=request.user
        )
        return Response(PlanOutSerializer(case).data)


class RatesOutSerializer(serializers.Serializer):
    period = serializers.CharField()
    group_by = serializers.CharField(allow_null=True)
    rates = serializers.DictField(help_text="Overall figures, or figures per agency id / region")


class ArrearsRatesApi(APIView):
    """化解率 and 清偿率 for cases identified in a period: overall, per agency or per region."""

    @extend_schema(
        parameters=[
            OpenApiParameter("period", str, required=True),
            OpenApiParameter("group_by", str, enum=["agency", "region"], required=False),
        ],
        responses=RatesOutSerializer,
    )
    def get(self, request):
        from contracts.evaluation.services import arrears_rates, period_parse
        from workflow.scoping import sees_everything

        if not sees_everything(request.user):
            raise PermissionDenied(_("The rates are for supervisors."), "forbidden")
        period = period_parse(request.query_params.get("period", ""))
        group_by = request.query_params.get("group_by") or None
        if group_by not in (None, "agency", "region"):
            raise ValidationFailed(_("group_by is agency or region."), "invalid", field="group_by")
        rates = arrears_rates(start=period.start, end=period.end, group_by=group_by)

        def clean(row):
            return {k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in row.items()}

        body = clean(rates) if group_by is None else {str(k): clean(v) for k, v in rates.items()}
        return Response({"period": period.label, "group_by": group_by, "rates": body})
