"""CompanyClient, Address and Document as values: construction, immutability, equality, repr,
to_dict, pickle, copy, match, replace, notebook display. No server needed."""

import contextlib
import copy
import datetime
import json
import pickle

import pytest

import cryptomate
from cryptomate import Address, CompanyClient, Document

ADDRESS_FIELDS = ["street_line_1", "street_line_2", "city", "postal_code", "state", "country"]
DOCUMENT_FIELDS = ["id", "name", "description", "issuing_country", "number", "image_front", "image_back"]
COMPANY_CLIENT_FIELDS = [
    "id", "company_id", "type", "status", "phone_country_code", "phone_number",
    "first_name", "second_name", "last_name", "gender", "email", "birth_date", "address",
    "document_type", "document_number", "expiration_date",
    "individual_identification_type", "individual_identification",
    "otp", "sms", "whatsapp", "telegram", "username", "wallet_ids", "created_at", "updated_at",
    "business_legal_name", "business_trade_name", "business_description", "business_type",
    "business_industry", "is_dao", "registered_address", "physical_address",
    "identifying_information", "has_material_intermediary_ownership", "ownership_threshold",
    "signed_agreement_id", "account_purpose", "source_of_funds", "estimated_annual_revenue_usd",
    "expected_monthly_payments_usd", "operates_in_prohibited_countries", "high_risk_activities",
    "conducts_money_services", "acting_as_intermediary", "primary_website", "other_websites",
    "rejection_code", "rejection_description", "documents",
]

UTC = datetime.timezone.utc

# (class, keyword arguments, a field to change, a new value for it)
SAMPLES = {
    "CompanyClient": (
        CompanyClient,
        dict(
            id="client_123",
            first_name="John",
            sms=False,
            phone_number=1168860622,
            birth_date=datetime.date(1990, 5, 17),
            created_at=datetime.datetime(2026, 4, 15, 10, 30, tzinfo=UTC),
            address=Address(city="Springfield", country="USA"),
            documents=[Document(name="passport", number="X1")],
        ),
        "first_name",
        "Jane",
    ),
    "Address": (Address, dict(street_line_1="1 Main St", city="Springfield"), "city", "Shelbyville"),
    "Document": (Document, dict(name="passport", number="X1234567"), "number", "Y7654321"),
}
FIELDS = {CompanyClient: COMPANY_CLIENT_FIELDS, Address: ADDRESS_FIELDS, Document: DOCUMENT_FIELDS}


@pytest.fixture(params=sorted(SAMPLES))
def sample(request):
    return SAMPLES[request.param]


@pytest.fixture
def instance(sample):
    cls, kwargs, _, _ = sample
    return cls(**kwargs)


def set_fields(data):
    """The entries of a to_dict() result that are not None."""
    return {k: v for k, v in data.items() if v is not None}


# -- construction ----------------------------------------------------------------------------------

@pytest.mark.parametrize("cls", [CompanyClient, Address, Document], ids=lambda c: c.__name__)
def test_every_documented_field_defaults_to_none(cls):
    empty = cls()
    for name in FIELDS[cls]:
        assert getattr(empty, name) is None, name


def test_keyword_construction_sets_attributes(sample, instance):
    _, kwargs, _, _ = sample
    for name, value in kwargs.items():
        got = getattr(instance, name)
        assert (list(got) if isinstance(value, list) else got) == value, name


def test_positional_arguments_are_refused(sample):
    cls, kwargs, _, _ = sample
    with pytest.raises(TypeError):
        cls(*kwargs.values())


def test_unknown_keyword_is_refused(sample):
    cls, _, _, _ = sample
    with pytest.raises(TypeError, match="no_such_field"):
        cls(no_such_field=1)


# -- immutability and equality ---------------------------------------------------------------------

def test_attributes_cannot_be_set(sample, instance):
    _, _, field, new_value = sample
    with pytest.raises((AttributeError, TypeError)):
        setattr(instance, field, new_value)
    assert getattr(instance, field) != new_value


def test_new_attributes_cannot_be_added(instance):
    with pytest.raises((AttributeError, TypeError)):
        instance.something_else = 1


def test_equality_is_by_value(sample, instance):
    cls, kwargs, field, new_value = sample
    assert instance == cls(**kwargs)
    assert not (instance != cls(**kwargs))
    assert instance != cls(**{**kwargs, field: new_value})
    assert instance != cls()
    assert instance != "not a model"


def test_different_model_types_are_not_equal():
    assert Address() != Document()
    assert Address(city="X") != CompanyClient()


# -- repr, to_dict ---------------------------------------------------------------------------------

def test_repr_shows_class_and_set_fields(sample, instance):
    cls, kwargs, field, _ = sample
    text = repr(instance)
    assert text.startswith(cls.__name__ + "(")
    assert field in text
    assert str(kwargs[field]) in text


def test_to_dict_is_json_shaped(sample, instance):
    _, kwargs, field, _ = sample
    data = instance.to_dict()
    assert isinstance(data, dict)
    assert json.loads(json.dumps(data))[field] == kwargs[field]


def test_company_client_to_dict_converts_nested_values():
    _, kwargs, _, _ = SAMPLES["CompanyClient"]
    data = CompanyClient(**kwargs).to_dict()
    json.dumps(data)
    assert data["id"] == "client_123"
    assert data["sms"] is False
    assert data["birth_date"] == "1990-05-17"
    assert datetime.datetime.fromisoformat(data["created_at"]) == kwargs["created_at"]
    assert set_fields(data["address"]) == {"city": "Springfield", "country": "USA"}
    assert [set_fields(d) for d in data["documents"]] == [{"name": "passport", "number": "X1"}]


# -- pickle, copy, match, replace ------------------------------------------------------------------

@pytest.mark.parametrize("protocol", range(2, pickle.HIGHEST_PROTOCOL + 1))
def test_pickle_round_trip(instance, protocol):
    again = pickle.loads(pickle.dumps(instance, protocol=protocol))
    assert type(again) is type(instance)
    assert again == instance


@pytest.mark.parametrize("copier", [copy.copy, copy.deepcopy], ids=["copy", "deepcopy"])
def test_copy(instance, copier):
    again = copier(instance)
    assert type(again) is type(instance)
    assert again == instance


def test_match_args_lists_fields(sample):
    cls, _, _, _ = sample
    assert isinstance(cls.__match_args__, tuple)
    assert set(FIELDS[cls]) <= set(cls.__match_args__)


def test_match_statement(sample, instance):
    cls, kwargs, field, _ = sample
    first, second = cls.__match_args__[:2]
    match instance:
        case cls(a, b):
            assert (a, b) == (getattr(instance, first), getattr(instance, second))
        case _:
            pytest.fail("positional class pattern did not match")


def test_match_keyword_and_nested_patterns():
    value = CompanyClient(id="c1", first_name="John", address=Address(city="X"), documents=[Document(name="p")])
    match value:
        case CompanyClient(first_name="Jane"):
            pytest.fail("matched the wrong first_name")
        case CompanyClient(first_name="John", address=Address(city=city), documents=[Document(name=doc)]):
            assert (city, doc) == ("X", "p")
        case _:
            pytest.fail("keyword class pattern did not match")


def test_replace_returns_a_changed_copy(sample, instance):
    cls, kwargs, field, new_value = sample
    changed = instance.replace(**{field: new_value})
    assert type(changed) is cls
    assert getattr(changed, field) == new_value
    assert getattr(instance, field) == kwargs[field]
    assert changed == cls(**{**kwargs, field: new_value})


def test_replace_without_changes_is_equal(instance):
    assert instance.replace() == instance


def test_replace_with_unknown_field_is_refused(instance):
    with pytest.raises(TypeError, match="no_such_field"):
        instance.replace(no_such_field=1)


# -- notebook display ------------------------------------------------------------------------------

class FakePrettyPrinter:
    """Enough of IPython's RepresentationPrinter to collect what _repr_pretty_ prints."""

    def __init__(self):
        self.parts = []

    def text(self, text):
        self.parts.append(text)

    def breakable(self, sep=" "):
        self.parts.append(sep)

    def pretty(self, obj):
        self.parts.append(repr(obj))

    def begin_group(self, indent=0, open=""):
        self.parts.append(open)

    def end_group(self, dedent=0, close=""):
        self.parts.append(close)

    @contextlib.contextmanager
    def group(self, indent=0, open="", close=""):
        self.begin_group(indent, open)
        yield
        self.end_group(indent, close)

    @contextlib.contextmanager
    def indent(self, indent):
        yield


def test_repr_pretty_prints_field_values(sample, instance):
    cls, kwargs, field, _ = sample
    printer = FakePrettyPrinter()
    instance._repr_pretty_(printer, False)
    output = "".join(printer.parts)
    assert cls.__name__ in output
    assert str(kwargs[field]) in output


def test_repr_html_shows_field_values(sample, instance):
    _, kwargs, field, _ = sample
    html = instance._repr_html_()
    assert isinstance(html, str)
    assert str(kwargs[field]) in html


@pytest.mark.parametrize(
    ("model", "field"),
    [(CompanyClient, "first_name"), (Address, "city"), (Document, "name")],
    ids=lambda v: getattr(v, "__name__", v),
)
def test_repr_html_escapes_values(model, field):
    html = model(**{field: "<b>bold</b> & co"})._repr_html_()
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; co" in html
    assert "<b>bold</b>" not in html
