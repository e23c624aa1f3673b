# Stubs for the native module `cryptomate._native` (built from src/py/). The regions between
# "# BEGIN GENERATED" and "# END GENERATED" come from the field table in src/api/fields.rs: after changing the
# table, run `CRYPTOMATE_BLESS_STUBS=1 cargo test`. Everything else is written by hand.

import builtins
import datetime
from typing import Any, Callable, Coroutine, Iterable, Mapping, Sequence, TypedDict, final

from typing_extensions import Self, disjoint_base

__version__: str
__all__ = ["Address", "AssociatedPerson", "AsyncClient", "AsyncIndividuals", "Client", "CompanyClient", "Country", "Document", "Emulator", "IdentificationType", "IdentifyingInformation", "IndividualAddress", "IndividualClient", "Individuals", "RecordedRequest", "Subdivision", "_Batch", "_LoopWaker", "_Model", "_Pending", "__version__", "_endpoint_table", "_field_table", "_panic_for_tests", "_unpickle_model"]

def _unpickle_model(schema_name: str, json: str) -> _Model: ...
def _panic_for_tests(message: str) -> None: ...
def _field_table() -> dict[str, list[tuple[str, str]]]: ...
def _endpoint_table() -> dict[str, tuple[str, str, tuple[str, ...], list[tuple[str, str, bool]] | None]]: ...

@disjoint_base
class _Model:
    @property
    def extra(self) -> dict[str, Any]:
        """Fields the API sent that this version does not know (a fresh dict)."""
    def to_dict(self) -> dict[str, Any]:
        """JSON-shaped data: the fields that are set, then `extra`."""
    def __eq__(self, value: object, /) -> bool: ...
    def __ne__(self, value: object, /) -> bool: ...
    def __hash__(self) -> int: ...
    def __reduce__(self) -> tuple[Any, tuple[str, str]]: ...
    def _repr_pretty_(self, printer: Any, cycle: bool) -> None: ...
    def _repr_html_(self) -> str: ...

# BEGIN GENERATED: models
class _AddressDict(TypedDict, total=False):
    street_line_1: str | None
    street_line_2: str | None
    city: str | None
    postal_code: str | None
    state: str | None
    country: str | None

class _DocumentDict(TypedDict, total=False):
    id: str | None
    name: str | None
    description: str | None
    issuing_country: str | None
    number: str | None
    image_front: str | None
    image_back: str | None

class _IdentifyingInformationDict(TypedDict, total=False):
    type: str | None
    issuing_country: str | None
    number: str | None
    description: str | None
    expiration: str | None
    image_front: str | None
    image_back: str | None

class _AssociatedPersonDict(TypedDict, total=False):
    first_name: str | None
    last_name: str | None
    email: str | None
    birth_date: datetime.date | str | None
    residential_address: Address | _AddressDict | None
    has_ownership: bool | None
    has_control: bool | None
    is_signer: bool | None
    is_director: bool | None
    identifying_information: Sequence[IdentifyingInformation | _IdentifyingInformationDict] | None
    documents: Sequence[Document | _DocumentDict] | None

class _IndividualAddressDict(TypedDict, total=False):
    street_line1: str | None
    street_line2: str | None
    city: str | None
    postal_code: str | None
    state: str | None
    state_code: str | None
    country: str | None
    country_code: str | None

class _SubdivisionDict(TypedDict, total=False):
    name: str | None
    code: str | None

@final
class Address(_Model):
    __match_args__ = ("street_line_1", "street_line_2", "city", "postal_code", "state", "country",)
    def __new__(
        cls,
        *,
        street_line_1: str | None = None,
        street_line_2: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        state: str | None = None,
        country: str | None = None,
    ) -> Address: ...
    def replace(
        self,
        *,
        street_line_1: str | None = None,
        street_line_2: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        state: str | None = None,
        country: str | None = None,
    ) -> Address: ...
    @property
    def street_line_1(self) -> str | None: ...
    @property
    def street_line_2(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def postal_code(self) -> str | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...

@final
class Document(_Model):
    __match_args__ = ("id", "name", "description", "issuing_country", "number", "image_front", "image_back",)
    def __new__(
        cls,
        *,
        id: str | None = None,
        name: str | None = None,
        description: str | None = None,
        issuing_country: str | None = None,
        number: str | None = None,
        image_front: str | None = None,
        image_back: str | None = None,
    ) -> Document: ...
    def replace(
        self,
        *,
        id: str | None = None,
        name: str | None = None,
        description: str | None = None,
        issuing_country: str | None = None,
        number: str | None = None,
        image_front: str | None = None,
        image_back: str | None = None,
    ) -> Document: ...
    @property
    def id(self) -> str | None: ...
    @property
    def name(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def issuing_country(self) -> str | None: ...
    @property
    def number(self) -> str | None: ...
    @property
    def image_front(self) -> str | None: ...
    @property
    def image_back(self) -> str | None: ...

@final
class IdentifyingInformation(_Model):
    __match_args__ = ("type", "issuing_country", "number", "description", "expiration", "image_front", "image_back",)
    def __new__(
        cls,
        *,
        type: str | None = None,
        issuing_country: str | None = None,
        number: str | None = None,
        description: str | None = None,
        expiration: str | None = None,
        image_front: str | None = None,
        image_back: str | None = None,
    ) -> IdentifyingInformation: ...
    def replace(
        self,
        *,
        type: str | None = None,
        issuing_country: str | None = None,
        number: str | None = None,
        description: str | None = None,
        expiration: str | None = None,
        image_front: str | None = None,
        image_back: str | None = None,
    ) -> IdentifyingInformation: ...
    @property
    def type(self) -> str | None: ...
    @property
    def issuing_country(self) -> str | None: ...
    @property
    def number(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
    @property
    def expiration(self) -> str | None: ...
    @property
    def image_front(self) -> str | None: ...
    @property
    def image_back(self) -> str | None: ...

@final
class AssociatedPerson(_Model):
    __match_args__ = ("first_name", "last_name", "email", "birth_date", "residential_address", "has_ownership", "has_control", "is_signer", "is_director", "identifying_information", "documents",)
    def __new__(
        cls,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        birth_date: datetime.date | str | None = None,
        residential_address: Address | _AddressDict | None = None,
        has_ownership: bool | None = None,
        has_control: bool | None = None,
        is_signer: bool | None = None,
        is_director: bool | None = None,
        identifying_information: Sequence[IdentifyingInformation | _IdentifyingInformationDict] | None = None,
        documents: Sequence[Document | _DocumentDict] | None = None,
    ) -> AssociatedPerson: ...
    def replace(
        self,
        *,
        first_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        birth_date: datetime.date | str | None = None,
        residential_address: Address | _AddressDict | None = None,
        has_ownership: bool | None = None,
        has_control: bool | None = None,
        is_signer: bool | None = None,
        is_director: bool | None = None,
        identifying_information: Sequence[IdentifyingInformation | _IdentifyingInformationDict] | None = None,
        documents: Sequence[Document | _DocumentDict] | None = None,
    ) -> AssociatedPerson: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def birth_date(self) -> datetime.date | None: ...
    @property
    def residential_address(self) -> Address | None: ...
    @property
    def has_ownership(self) -> bool | None: ...
    @property
    def has_control(self) -> bool | None: ...
    @property
    def is_signer(self) -> bool | None: ...
    @property
    def is_director(self) -> bool | None: ...
    @property
    def identifying_information(self) -> tuple[IdentifyingInformation, ...] | None: ...
    @property
    def documents(self) -> tuple[Document, ...] | None: ...

@final
class CompanyClient(_Model):
    __match_args__ = ("id", "company_id", "type", "status", "phone_country_code", "phone_number", "username", "first_name", "second_name", "last_name", "gender", "email", "birth_date", "address", "document_type", "document_number", "expiration_date", "individual_identification_type", "individual_identification", "otp", "sms", "whatsapp", "telegram", "occupation", "annual_salary", "account_purpose", "expected_monthly_volume", "documents", "wallet_ids", "business_legal_name", "business_trade_name", "business_description", "business_type", "business_industry", "is_dao", "registered_address", "physical_address", "identifying_information", "has_material_intermediary_ownership", "ownership_threshold", "signed_agreement_id", "source_of_funds", "estimated_annual_revenue_usd", "expected_monthly_payments_usd", "operates_in_prohibited_countries", "high_risk_activities", "conducts_money_services", "acting_as_intermediary", "primary_website", "other_websites", "rejection_code", "rejection_description", "created_at", "updated_at",)
    def __new__(
        cls,
        *,
        id: str | None = None,
        company_id: str | None = None,
        type: str | None = None,
        status: str | None = None,
        phone_country_code: int | None = None,
        phone_number: int | None = None,
        username: str | None = None,
        first_name: str | None = None,
        second_name: str | None = None,
        last_name: str | None = None,
        gender: str | None = None,
        email: str | None = None,
        birth_date: datetime.date | str | None = None,
        address: Address | _AddressDict | None = None,
        document_type: str | None = None,
        document_number: str | None = None,
        expiration_date: datetime.date | str | None = None,
        individual_identification_type: str | None = None,
        individual_identification: str | None = None,
        otp: bool | None = None,
        sms: bool | None = None,
        whatsapp: bool | None = None,
        telegram: bool | None = None,
        occupation: str | None = None,
        annual_salary: str | None = None,
        account_purpose: str | None = None,
        expected_monthly_volume: str | None = None,
        documents: Sequence[Document | _DocumentDict] | None = None,
        wallet_ids: Sequence[str] | None = None,
        business_legal_name: str | None = None,
        business_trade_name: str | None = None,
        business_description: str | None = None,
        business_type: str | None = None,
        business_industry: Sequence[str] | None = None,
        is_dao: bool | None = None,
        registered_address: Address | _AddressDict | None = None,
        physical_address: Address | _AddressDict | None = None,
        identifying_information: Sequence[IdentifyingInformation | _IdentifyingInformationDict] | None = None,
        has_material_intermediary_ownership: bool | None = None,
        ownership_threshold: int | None = None,
        signed_agreement_id: str | None = None,
        source_of_funds: str | None = None,
        estimated_annual_revenue_usd: str | None = None,
        expected_monthly_payments_usd: int | None = None,
        operates_in_prohibited_countries: bool | None = None,
        high_risk_activities: Sequence[str] | None = None,
        conducts_money_services: bool | None = None,
        acting_as_intermediary: bool | None = None,
        primary_website: str | None = None,
        other_websites: Sequence[str] | None = None,
        rejection_code: str | None = None,
        rejection_description: str | None = None,
        created_at: datetime.datetime | str | None = None,
        updated_at: datetime.datetime | str | None = None,
    ) -> CompanyClient: ...
    def replace(
        self,
        *,
        id: str | None = None,
        company_id: str | None = None,
        type: str | None = None,
        status: str | None = None,
        phone_country_code: int | None = None,
        phone_number: int | None = None,
        username: str | None = None,
        first_name: str | None = None,
        second_name: str | None = None,
        last_name: str | None = None,
        gender: str | None = None,
        email: str | None = None,
        birth_date: datetime.date | str | None = None,
        address: Address | _AddressDict | None = None,
        document_type: str | None = None,
        document_number: str | None = None,
        expiration_date: datetime.date | str | None = None,
        individual_identification_type: str | None = None,
        individual_identification: str | None = None,
        otp: bool | None = None,
        sms: bool | None = None,
        whatsapp: bool | None = None,
        telegram: bool | None = None,
        occupation: str | None = None,
        annual_salary: str | None = None,
        account_purpose: str | None = None,
        expected_monthly_volume: str | None = None,
        documents: Sequence[Document | _DocumentDict] | None = None,
        wallet_ids: Sequence[str] | None = None,
        business_legal_name: str | None = None,
        business_trade_name: str | None = None,
        business_description: str | None = None,
        business_type: str | None = None,
        business_industry: Sequence[str] | None = None,
        is_dao: bool | None = None,
        registered_address: Address | _AddressDict | None = None,
        physical_address: Address | _AddressDict | None = None,
        identifying_information: Sequence[IdentifyingInformation | _IdentifyingInformationDict] | None = None,
        has_material_intermediary_ownership: bool | None = None,
        ownership_threshold: int | None = None,
        signed_agreement_id: str | None = None,
        source_of_funds: str | None = None,
        estimated_annual_revenue_usd: str | None = None,
        expected_monthly_payments_usd: int | None = None,
        operates_in_prohibited_countries: bool | None = None,
        high_risk_activities: Sequence[str] | None = None,
        conducts_money_services: bool | None = None,
        acting_as_intermediary: bool | None = None,
        primary_website: str | None = None,
        other_websites: Sequence[str] | None = None,
        rejection_code: str | None = None,
        rejection_description: str | None = None,
        created_at: datetime.datetime | str | None = None,
        updated_at: datetime.datetime | str | None = None,
    ) -> CompanyClient: ...
    @property
    def id(self) -> str | None: ...
    @property
    def company_id(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def phone_country_code(self) -> int | None: ...
    @property
    def phone_number(self) -> int | None: ...
    @property
    def username(self) -> str | None: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def second_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def gender(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def birth_date(self) -> datetime.date | None: ...
    @property
    def address(self) -> Address | None: ...
    @property
    def document_type(self) -> str | None: ...
    @property
    def document_number(self) -> str | None: ...
    @property
    def expiration_date(self) -> datetime.date | None: ...
    @property
    def individual_identification_type(self) -> str | None: ...
    @property
    def individual_identification(self) -> str | None: ...
    @property
    def otp(self) -> bool | None: ...
    @property
    def sms(self) -> bool | None: ...
    @property
    def whatsapp(self) -> bool | None: ...
    @property
    def telegram(self) -> bool | None: ...
    @property
    def occupation(self) -> str | None: ...
    @property
    def annual_salary(self) -> str | None: ...
    @property
    def account_purpose(self) -> str | None: ...
    @property
    def expected_monthly_volume(self) -> str | None: ...
    @property
    def documents(self) -> tuple[Document, ...] | None: ...
    @property
    def wallet_ids(self) -> tuple[str, ...] | None: ...
    @property
    def business_legal_name(self) -> str | None: ...
    @property
    def business_trade_name(self) -> str | None: ...
    @property
    def business_description(self) -> str | None: ...
    @property
    def business_type(self) -> str | None: ...
    @property
    def business_industry(self) -> tuple[str, ...] | None: ...
    @property
    def is_dao(self) -> bool | None: ...
    @property
    def registered_address(self) -> Address | None: ...
    @property
    def physical_address(self) -> Address | None: ...
    @property
    def identifying_information(self) -> tuple[IdentifyingInformation, ...] | None: ...
    @property
    def has_material_intermediary_ownership(self) -> bool | None: ...
    @property
    def ownership_threshold(self) -> int | None: ...
    @property
    def signed_agreement_id(self) -> str | None: ...
    @property
    def source_of_funds(self) -> str | None: ...
    @property
    def estimated_annual_revenue_usd(self) -> str | None: ...
    @property
    def expected_monthly_payments_usd(self) -> int | None: ...
    @property
    def operates_in_prohibited_countries(self) -> bool | None: ...
    @property
    def high_risk_activities(self) -> tuple[str, ...] | None: ...
    @property
    def conducts_money_services(self) -> bool | None: ...
    @property
    def acting_as_intermediary(self) -> bool | None: ...
    @property
    def primary_website(self) -> str | None: ...
    @property
    def other_websites(self) -> tuple[str, ...] | None: ...
    @property
    def rejection_code(self) -> str | None: ...
    @property
    def rejection_description(self) -> str | None: ...
    @property
    def created_at(self) -> datetime.datetime | None: ...
    @property
    def updated_at(self) -> datetime.datetime | None: ...

@final
class IndividualAddress(_Model):
    __match_args__ = ("street_line1", "street_line2", "city", "postal_code", "state", "state_code", "country", "country_code",)
    def __new__(
        cls,
        *,
        street_line1: str | None = None,
        street_line2: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        state: str | None = None,
        state_code: str | None = None,
        country: str | None = None,
        country_code: str | None = None,
    ) -> IndividualAddress: ...
    def replace(
        self,
        *,
        street_line1: str | None = None,
        street_line2: str | None = None,
        city: str | None = None,
        postal_code: str | None = None,
        state: str | None = None,
        state_code: str | None = None,
        country: str | None = None,
        country_code: str | None = None,
    ) -> IndividualAddress: ...
    @property
    def street_line1(self) -> str | None: ...
    @property
    def street_line2(self) -> str | None: ...
    @property
    def city(self) -> str | None: ...
    @property
    def postal_code(self) -> str | None: ...
    @property
    def state(self) -> str | None: ...
    @property
    def state_code(self) -> str | None: ...
    @property
    def country(self) -> str | None: ...
    @property
    def country_code(self) -> str | None: ...

@final
class IndividualClient(_Model):
    __match_args__ = ("id", "type", "status", "first_name", "second_name", "last_name", "email", "birth_date", "phone_country_code", "phone_number", "address", "created_at", "updated_at",)
    def __new__(
        cls,
        *,
        id: str | None = None,
        type: str | None = None,
        status: str | None = None,
        first_name: str | None = None,
        second_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        birth_date: datetime.date | str | None = None,
        phone_country_code: int | None = None,
        phone_number: int | None = None,
        address: IndividualAddress | _IndividualAddressDict | None = None,
        created_at: datetime.datetime | str | None = None,
        updated_at: datetime.datetime | str | None = None,
    ) -> IndividualClient: ...
    def replace(
        self,
        *,
        id: str | None = None,
        type: str | None = None,
        status: str | None = None,
        first_name: str | None = None,
        second_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        birth_date: datetime.date | str | None = None,
        phone_country_code: int | None = None,
        phone_number: int | None = None,
        address: IndividualAddress | _IndividualAddressDict | None = None,
        created_at: datetime.datetime | str | None = None,
        updated_at: datetime.datetime | str | None = None,
    ) -> IndividualClient: ...
    @property
    def id(self) -> str | None: ...
    @property
    def type(self) -> str | None: ...
    @property
    def status(self) -> str | None: ...
    @property
    def first_name(self) -> str | None: ...
    @property
    def second_name(self) -> str | None: ...
    @property
    def last_name(self) -> str | None: ...
    @property
    def email(self) -> str | None: ...
    @property
    def birth_date(self) -> datetime.date | None: ...
    @property
    def phone_country_code(self) -> int | None: ...
    @property
    def phone_number(self) -> int | None: ...
    @property
    def address(self) -> IndividualAddress | None: ...
    @property
    def created_at(self) -> datetime.datetime | None: ...
    @property
    def updated_at(self) -> datetime.datetime | None: ...

@final
class Subdivision(_Model):
    __match_args__ = ("name", "code",)
    def __new__(
        cls,
        *,
        name: str | None = None,
        code: str | None = None,
    ) -> Subdivision: ...
    def replace(
        self,
        *,
        name: str | None = None,
        code: str | None = None,
    ) -> Subdivision: ...
    @property
    def name(self) -> str | None: ...
    @property
    def code(self) -> str | None: ...

@final
class Country(_Model):
    __match_args__ = ("name", "alpha3", "postal_code_format", "subdivisions",)
    def __new__(
        cls,
        *,
        name: str | None = None,
        alpha3: str | None = None,
        postal_code_format: str | None = None,
        subdivisions: Sequence[Subdivision | _SubdivisionDict] | None = None,
    ) -> Country: ...
    def replace(
        self,
        *,
        name: str | None = None,
        alpha3: str | None = None,
        postal_code_format: str | None = None,
        subdivisions: Sequence[Subdivision | _SubdivisionDict] | None = None,
    ) -> Country: ...
    @property
    def name(self) -> str | None: ...
    @property
    def alpha3(self) -> str | None: ...
    @property
    def postal_code_format(self) -> str | None: ...
    @property
    def subdivisions(self) -> tuple[Subdivision, ...] | None: ...

@final
class IdentificationType(_Model):
    __match_args__ = ("type", "description",)
    def __new__(
        cls,
        *,
        type: str | None = None,
        description: str | None = None,
    ) -> IdentificationType: ...
    def replace(
        self,
        *,
        type: str | None = None,
        description: str | None = None,
    ) -> IdentificationType: ...
    @property
    def type(self) -> str | None: ...
    @property
    def description(self) -> str | None: ...
# END GENERATED: models

@final
class Client:
    """A client of the CryptoMate API. Thread-safe: share one between threads."""

# BEGIN GENERATED: client_new
    def __new__(
        cls,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        environment: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        max_retries: int = 2,
        rate_limit: float | None = 15.0,
        rate_limit_store: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_response_size: int = 10485760,
        allow_http: bool = False,
    ) -> Client: ...
# END GENERATED: client_new
# BEGIN GENERATED: endpoint update_client sync
    def update_client(
        self,
        id: str,
        /,
        *,
        company_id: str | None = ...,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
        username: str | None = ...,
        first_name: str | None = ...,
        second_name: str | None = ...,
        last_name: str | None = ...,
        gender: str | None = ...,
        email: str | None = ...,
        birth_date: datetime.date | str | None = ...,
        address: Address | _AddressDict | None = ...,
        expiration_date: datetime.date | str | None = ...,
        individual_identification_type: str | None = ...,
        individual_identification: str | None = ...,
        otp: bool | None = ...,
        sms: bool | None = ...,
        whatsapp: bool | None = ...,
        telegram: bool | None = ...,
        occupation: str | None = ...,
        annual_salary: str | None = ...,
        account_purpose: str | None = ...,
        expected_monthly_volume: str | None = ...,
        documents: Sequence[Document | _DocumentDict] | None = ...,
    ) -> CompanyClient: ...
# END GENERATED: endpoint update_client sync
# BEGIN GENERATED: endpoint get_client sync
    def get_client(
        self,
        id: str,
        /,
    ) -> CompanyClient: ...
# END GENERATED: endpoint get_client sync
    def list_clients(
        self,
        *,
        otp: bool | None = None,
        sms: bool | None = None,
        whatsapp: bool | None = None,
        telegram: bool | None = None,
    ) -> list[CompanyClient]: ...
# BEGIN GENERATED: endpoint create_client sync
    def create_client(
        self,
        *,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
        username: str | None = ...,
        first_name: str | None = ...,
        second_name: str | None = ...,
        last_name: str | None = ...,
        gender: str | None = ...,
        email: str | None = ...,
        birth_date: datetime.date | str | None = ...,
        address: Address | _AddressDict | None = ...,
        expiration_date: datetime.date | str | None = ...,
        individual_identification_type: str | None = ...,
        individual_identification: str | None = ...,
        otp: bool | None = ...,
        sms: bool | None = ...,
        whatsapp: bool | None = ...,
        telegram: bool | None = ...,
        occupation: str | None = ...,
        annual_salary: str | None = ...,
        account_purpose: str | None = ...,
        expected_monthly_volume: str | None = ...,
        documents: Sequence[Document | _DocumentDict] | None = ...,
        bank_ramp: bool | None = ...,
        credit_card_ramp: bool | None = ...,
        individual_cards: bool | None = ...,
    ) -> CompanyClient: ...
# END GENERATED: endpoint create_client sync
# BEGIN GENERATED: endpoint create_business_client sync
    def create_business_client(
        self,
        *,
        email: str,
        business_legal_name: str,
        business_description: str,
        business_type: str,
        business_industry: Sequence[str],
        registered_address: Address | _AddressDict,
        identifying_information: Sequence[IdentifyingInformation | _IdentifyingInformationDict],
        high_risk_activities: Sequence[str],
        primary_website: str,
        associated_persons: Sequence[AssociatedPerson | _AssociatedPersonDict],
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
        username: str | None = ...,
        otp: bool | None = ...,
        sms: bool | None = ...,
        whatsapp: bool | None = ...,
        telegram: bool | None = ...,
        account_purpose: str | None = ...,
        business_trade_name: str | None = ...,
        is_dao: bool | None = ...,
        physical_address: Address | _AddressDict | None = ...,
        has_material_intermediary_ownership: bool | None = ...,
        ownership_threshold: int | None = ...,
        source_of_funds: str | None = ...,
        estimated_annual_revenue_usd: str | None = ...,
        expected_monthly_payments_usd: int | None = ...,
        operates_in_prohibited_countries: bool | None = ...,
        conducts_money_services: bool | None = ...,
        acting_as_intermediary: bool | None = ...,
        other_websites: Sequence[str] | None = ...,
        business_documents: Sequence[Any] | None = ...,
        account_purpose_other: str | None = ...,
        source_of_funds_description: str | None = ...,
        high_risk_activities_explanation: str | None = ...,
        conducts_money_services_using_platform: bool | None = ...,
        conducts_money_services_description: str | None = ...,
        compliance_screening_explanation: str | None = ...,
        regulated_activity: Any | None = ...,
    ) -> CompanyClient: ...
# END GENERATED: endpoint create_business_client sync
# BEGIN GENERATED: endpoint delete_client sync
    def delete_client(
        self,
        id: str,
        /,
    ) -> None: ...
# END GENERATED: endpoint delete_client sync
# BEGIN GENERATED: endpoint enable_otp sync
    def enable_otp(
        self,
        id: str,
        /,
    ) -> CompanyClient: ...
# END GENERATED: endpoint enable_otp sync
    def get_client_by_whatsapp_phone(self, full_phone_number: str | int, /) -> CompanyClient: ...
    @property
    def individuals(self) -> Individuals:
        """The Gen 2 individual clients (`/management/clients/individuals`)."""
    def update_clients(
        self,
        updates: Iterable[tuple[str, Mapping[str, Any]]],
        *,
        concurrency: int = 8,
        progress: Callable[[int, int | None], object] | bool | None = None,
    ) -> list[CompanyClient | Exception]:
        """Many `update_client` calls, at most `concurrency` in flight; in input order, each item's
        `CompanyClient` or the exception it ended with."""
    def with_options(
        self,
        *,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> Client: ...
    def close(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def is_closed(self) -> bool: ...

@final
class Individuals:
    """`client.individuals`: the Gen 2 individual clients."""

# BEGIN GENERATED: endpoint individuals.create sync
    def create(
        self,
        *,
        first_name: str,
        last_name: str,
        email: str,
        birth_date: datetime.date | str,
        address: IndividualAddress | _IndividualAddressDict,
        second_name: str | None = ...,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
    ) -> IndividualClient: ...
# END GENERATED: endpoint individuals.create sync
# BEGIN GENERATED: endpoint individuals.list sync
    def list(
        self,
    ) -> builtins.list[IndividualClient]: ...
# END GENERATED: endpoint individuals.list sync
# BEGIN GENERATED: endpoint individuals.get sync
    def get(
        self,
        id: str,
        /,
    ) -> IndividualClient: ...
# END GENERATED: endpoint individuals.get sync
# BEGIN GENERATED: endpoint individuals.replace sync
    def replace(
        self,
        id: str,
        /,
        *,
        first_name: str,
        last_name: str,
        email: str,
        birth_date: datetime.date | str,
        address: IndividualAddress | _IndividualAddressDict,
        second_name: str | None = ...,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
    ) -> IndividualClient: ...
# END GENERATED: endpoint individuals.replace sync
# BEGIN GENERATED: individuals_update sync
    def update(
        self,
        id: str,
        /,
        *,
        first_name: str | None = ...,
        second_name: str | None = ...,
        last_name: str | None = ...,
        email: str | None = ...,
        birth_date: datetime.date | str | None = ...,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
        address: IndividualAddress | _IndividualAddressDict | None = ...,
    ) -> IndividualClient: ...
# END GENERATED: individuals_update sync
# BEGIN GENERATED: endpoint individuals.delete sync
    def delete(
        self,
        id: str,
        /,
    ) -> None: ...
# END GENERATED: endpoint individuals.delete sync
# BEGIN GENERATED: endpoint individuals.countries sync
    def countries(
        self,
    ) -> builtins.list[Country]: ...
# END GENERATED: endpoint individuals.countries sync
# BEGIN GENERATED: endpoint individuals.identification_types sync
    def identification_types(
        self,
        country_code: str,
        /,
    ) -> builtins.list[IdentificationType]: ...
# END GENERATED: endpoint individuals.identification_types sync

@final
class AsyncClient:
    """The asyncio client: `Client`'s calls as coroutines, on the same request path."""

# BEGIN GENERATED: async_client_new
    def __new__(
        cls,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        environment: str | None = None,
        timeout: float = 30.0,
        connect_timeout: float = 5.0,
        max_retries: int = 2,
        rate_limit: float | None = 15.0,
        rate_limit_store: str | None = None,
        default_headers: Mapping[str, str] | None = None,
        max_response_size: int = 10485760,
        allow_http: bool = False,
    ) -> AsyncClient: ...
# END GENERATED: async_client_new
# BEGIN GENERATED: endpoint update_client async
    def update_client(
        self,
        id: str,
        /,
        *,
        company_id: str | None = ...,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
        username: str | None = ...,
        first_name: str | None = ...,
        second_name: str | None = ...,
        last_name: str | None = ...,
        gender: str | None = ...,
        email: str | None = ...,
        birth_date: datetime.date | str | None = ...,
        address: Address | _AddressDict | None = ...,
        expiration_date: datetime.date | str | None = ...,
        individual_identification_type: str | None = ...,
        individual_identification: str | None = ...,
        otp: bool | None = ...,
        sms: bool | None = ...,
        whatsapp: bool | None = ...,
        telegram: bool | None = ...,
        occupation: str | None = ...,
        annual_salary: str | None = ...,
        account_purpose: str | None = ...,
        expected_monthly_volume: str | None = ...,
        documents: Sequence[Document | _DocumentDict] | None = ...,
    ) -> Coroutine[Any, Any, CompanyClient]: ...
# END GENERATED: endpoint update_client async
# BEGIN GENERATED: endpoint get_client async
    def get_client(
        self,
        id: str,
        /,
    ) -> Coroutine[Any, Any, CompanyClient]: ...
# END GENERATED: endpoint get_client async
    def list_clients(
        self,
        *,
        otp: bool | None = None,
        sms: bool | None = None,
        whatsapp: bool | None = None,
        telegram: bool | None = None,
    ) -> Coroutine[Any, Any, list[CompanyClient]]: ...
# BEGIN GENERATED: endpoint create_client async
    def create_client(
        self,
        *,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
        username: str | None = ...,
        first_name: str | None = ...,
        second_name: str | None = ...,
        last_name: str | None = ...,
        gender: str | None = ...,
        email: str | None = ...,
        birth_date: datetime.date | str | None = ...,
        address: Address | _AddressDict | None = ...,
        expiration_date: datetime.date | str | None = ...,
        individual_identification_type: str | None = ...,
        individual_identification: str | None = ...,
        otp: bool | None = ...,
        sms: bool | None = ...,
        whatsapp: bool | None = ...,
        telegram: bool | None = ...,
        occupation: str | None = ...,
        annual_salary: str | None = ...,
        account_purpose: str | None = ...,
        expected_monthly_volume: str | None = ...,
        documents: Sequence[Document | _DocumentDict] | None = ...,
        bank_ramp: bool | None = ...,
        credit_card_ramp: bool | None = ...,
        individual_cards: bool | None = ...,
    ) -> Coroutine[Any, Any, CompanyClient]: ...
# END GENERATED: endpoint create_client async
# BEGIN GENERATED: endpoint create_business_client async
    def create_business_client(
        self,
        *,
        email: str,
        business_legal_name: str,
        business_description: str,
        business_type: str,
        business_industry: Sequence[str],
        registered_address: Address | _AddressDict,
        identifying_information: Sequence[IdentifyingInformation | _IdentifyingInformationDict],
        high_risk_activities: Sequence[str],
        primary_website: str,
        associated_persons: Sequence[AssociatedPerson | _AssociatedPersonDict],
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
        username: str | None = ...,
        otp: bool | None = ...,
        sms: bool | None = ...,
        whatsapp: bool | None = ...,
        telegram: bool | None = ...,
        account_purpose: str | None = ...,
        business_trade_name: str | None = ...,
        is_dao: bool | None = ...,
        physical_address: Address | _AddressDict | None = ...,
        has_material_intermediary_ownership: bool | None = ...,
        ownership_threshold: int | None = ...,
        source_of_funds: str | None = ...,
        estimated_annual_revenue_usd: str | None = ...,
        expected_monthly_payments_usd: int | None = ...,
        operates_in_prohibited_countries: bool | None = ...,
        conducts_money_services: bool | None = ...,
        acting_as_intermediary: bool | None = ...,
        other_websites: Sequence[str] | None = ...,
        business_documents: Sequence[Any] | None = ...,
        account_purpose_other: str | None = ...,
        source_of_funds_description: str | None = ...,
        high_risk_activities_explanation: str | None = ...,
        conducts_money_services_using_platform: bool | None = ...,
        conducts_money_services_description: str | None = ...,
        compliance_screening_explanation: str | None = ...,
        regulated_activity: Any | None = ...,
    ) -> Coroutine[Any, Any, CompanyClient]: ...
# END GENERATED: endpoint create_business_client async
# BEGIN GENERATED: endpoint delete_client async
    def delete_client(
        self,
        id: str,
        /,
    ) -> Coroutine[Any, Any, None]: ...
# END GENERATED: endpoint delete_client async
# BEGIN GENERATED: endpoint enable_otp async
    def enable_otp(
        self,
        id: str,
        /,
    ) -> Coroutine[Any, Any, CompanyClient]: ...
# END GENERATED: endpoint enable_otp async
    def get_client_by_whatsapp_phone(self, full_phone_number: str | int, /) -> Coroutine[Any, Any, CompanyClient]: ...
    @property
    def individuals(self) -> AsyncIndividuals:
        """The Gen 2 individual clients (`/management/clients/individuals`)."""
    def update_clients(
        self,
        updates: Iterable[tuple[str, Mapping[str, Any]]],
        *,
        concurrency: int = 8,
        progress: Callable[[int, int | None], object] | bool | None = None,
    ) -> Coroutine[Any, Any, list[CompanyClient | Exception]]: ...
    def with_options(
        self,
        *,
        timeout: float | None = None,
        connect_timeout: float | None = None,
        max_retries: int | None = None,
        default_headers: Mapping[str, str] | None = None,
    ) -> AsyncClient: ...
    def close(self) -> Coroutine[Any, Any, None]: ...
    def __aenter__(self) -> Coroutine[Any, Any, Self]: ...
    def __aexit__(self, *exc_info: object) -> Coroutine[Any, Any, None]: ...
    @property
    def base_url(self) -> str: ...
    @property
    def timeout(self) -> float: ...
    @property
    def max_retries(self) -> int: ...
    @property
    def is_closed(self) -> bool: ...

@final
class AsyncIndividuals:
    """`AsyncClient.individuals`: the Gen 2 individual clients, as coroutines."""

# BEGIN GENERATED: endpoint individuals.create async
    def create(
        self,
        *,
        first_name: str,
        last_name: str,
        email: str,
        birth_date: datetime.date | str,
        address: IndividualAddress | _IndividualAddressDict,
        second_name: str | None = ...,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
    ) -> Coroutine[Any, Any, IndividualClient]: ...
# END GENERATED: endpoint individuals.create async
# BEGIN GENERATED: endpoint individuals.list async
    def list(
        self,
    ) -> Coroutine[Any, Any, builtins.list[IndividualClient]]: ...
# END GENERATED: endpoint individuals.list async
# BEGIN GENERATED: endpoint individuals.get async
    def get(
        self,
        id: str,
        /,
    ) -> Coroutine[Any, Any, IndividualClient]: ...
# END GENERATED: endpoint individuals.get async
# BEGIN GENERATED: endpoint individuals.replace async
    def replace(
        self,
        id: str,
        /,
        *,
        first_name: str,
        last_name: str,
        email: str,
        birth_date: datetime.date | str,
        address: IndividualAddress | _IndividualAddressDict,
        second_name: str | None = ...,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
    ) -> Coroutine[Any, Any, IndividualClient]: ...
# END GENERATED: endpoint individuals.replace async
# BEGIN GENERATED: individuals_update async
    def update(
        self,
        id: str,
        /,
        *,
        first_name: str | None = ...,
        second_name: str | None = ...,
        last_name: str | None = ...,
        email: str | None = ...,
        birth_date: datetime.date | str | None = ...,
        phone_country_code: int | None = ...,
        phone_number: int | None = ...,
        address: IndividualAddress | _IndividualAddressDict | None = ...,
    ) -> Coroutine[Any, Any, IndividualClient]: ...
# END GENERATED: individuals_update async
# BEGIN GENERATED: endpoint individuals.delete async
    def delete(
        self,
        id: str,
        /,
    ) -> Coroutine[Any, Any, None]: ...
# END GENERATED: endpoint individuals.delete async
# BEGIN GENERATED: endpoint individuals.countries async
    def countries(
        self,
    ) -> Coroutine[Any, Any, builtins.list[Country]]: ...
# END GENERATED: endpoint individuals.countries async
# BEGIN GENERATED: endpoint individuals.identification_types async
    def identification_types(
        self,
        country_code: str,
        /,
    ) -> Coroutine[Any, Any, builtins.list[IdentificationType]]: ...
# END GENERATED: endpoint individuals.identification_types async

@final
class _Batch:
    @property
    def concurrency(self) -> int: ...
    @property
    def in_flight(self) -> int: ...
    def submit(self, index: int, item: Any) -> Exception | None: ...
    def wait(self) -> list[tuple[int, CompanyClient | Exception]]: ...
    def next(self) -> Coroutine[Any, Any, list[tuple[int, CompanyClient | Exception]]]: ...
    def cancel(self) -> None: ...

@final
class _Pending:
    def __await__(self) -> Any: ...

@final
class _LoopWaker:
    def __new__(cls) -> _LoopWaker: ...
    def fileno(self) -> int: ...
    @property
    def current(self) -> bool: ...
    def drain(self) -> None: ...

@final
class RecordedRequest:
    """One request the emulator received."""

    @property
    def method(self) -> str: ...
    @property
    def path(self) -> str: ...
    @property
    def headers(self) -> dict[str, str]: ...
    @property
    def json(self) -> Any: ...
    @property
    def body(self) -> bytes: ...
    @property
    def received_at(self) -> float: ...

@final
class Emulator:
    """An emulator of the CryptoMate Clients API on 127.0.0.1 (see `cryptomate.testing`)."""

    def __new__(
        cls, *, rate_limit: float | None = None, time_scale: float = 1.0, port: int = 0, journal_limit: int = 10000
    ) -> Emulator: ...
    @property
    def base_url(self) -> str: ...
    @property
    def port(self) -> int: ...
    @property
    def api_key(self) -> str: ...
    @property
    def running(self) -> bool: ...
    @property
    def requests(self) -> list[RecordedRequest]: ...
    def add_api_key(self, key: str, level: int = 3) -> None: ...
# BEGIN GENERATED: add_client
    def add_client(
        self,
        *,
        id: str | None = None,
        company_id: str | None = None,
        type: str | None = None,
        status: str | None = None,
        phone_country_code: int | None = None,
        phone_number: int | None = None,
        username: str | None = None,
        first_name: str | None = None,
        second_name: str | None = None,
        last_name: str | None = None,
        gender: str | None = None,
        email: str | None = None,
        birth_date: datetime.date | str | None = None,
        address: Address | _AddressDict | None = None,
        document_type: str | None = None,
        document_number: str | None = None,
        expiration_date: datetime.date | str | None = None,
        individual_identification_type: str | None = None,
        individual_identification: str | None = None,
        otp: bool | None = None,
        sms: bool | None = None,
        whatsapp: bool | None = None,
        telegram: bool | None = None,
        occupation: str | None = None,
        annual_salary: str | None = None,
        account_purpose: str | None = None,
        expected_monthly_volume: str | None = None,
        documents: Sequence[Document | _DocumentDict] | None = None,
        wallet_ids: Sequence[str] | None = None,
        business_legal_name: str | None = None,
        business_trade_name: str | None = None,
        business_description: str | None = None,
        business_type: str | None = None,
        business_industry: Sequence[str] | None = None,
        is_dao: bool | None = None,
        registered_address: Address | _AddressDict | None = None,
        physical_address: Address | _AddressDict | None = None,
        identifying_information: Sequence[IdentifyingInformation | _IdentifyingInformationDict] | None = None,
        has_material_intermediary_ownership: bool | None = None,
        ownership_threshold: int | None = None,
        signed_agreement_id: str | None = None,
        source_of_funds: str | None = None,
        estimated_annual_revenue_usd: str | None = None,
        expected_monthly_payments_usd: int | None = None,
        operates_in_prohibited_countries: bool | None = None,
        high_risk_activities: Sequence[str] | None = None,
        conducts_money_services: bool | None = None,
        acting_as_intermediary: bool | None = None,
        primary_website: str | None = None,
        other_websites: Sequence[str] | None = None,
        rejection_code: str | None = None,
        rejection_description: str | None = None,
        created_at: datetime.datetime | str | None = None,
        updated_at: datetime.datetime | str | None = None,
    ) -> CompanyClient: ...
# END GENERATED: add_client
    def get(self, id: str) -> CompanyClient | None: ...
# BEGIN GENERATED: add_individual
    def add_individual(
        self,
        *,
        id: str | None = None,
        type: str | None = None,
        status: str | None = None,
        first_name: str | None = None,
        second_name: str | None = None,
        last_name: str | None = None,
        email: str | None = None,
        birth_date: datetime.date | str | None = None,
        phone_country_code: int | None = None,
        phone_number: int | None = None,
        address: IndividualAddress | _IndividualAddressDict | None = None,
        created_at: datetime.datetime | str | None = None,
        updated_at: datetime.datetime | str | None = None,
    ) -> IndividualClient: ...
# END GENERATED: add_individual
    def get_individual(self, id: str) -> IndividualClient | None: ...
    def fail_next(
        self,
        status: int = 503,
        *,
        times: int = 1,
        retry_after: float | None = None,
        body: Any = None,
        disconnect: bool = False,
    ) -> None: ...
    def delay_next(self, seconds: float, *, times: int = 1) -> None: ...
    def reset(self) -> None: ...
    def client(self, **options: Any) -> Client: ...
    def stop(self) -> None: ...
    def __enter__(self) -> Self: ...
    def __exit__(self, *exc_info: object) -> None: ...
