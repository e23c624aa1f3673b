"""Valid arguments for the creates, shared by the tests of the rest of the Clients API."""

import datetime

# Everything individuals.create requires, and nothing else.
PERSON = dict(
    first_name="Ada", last_name="Lovelace", email="ada@example.com", birth_date=datetime.date(1990, 1, 2),
    address={"street_line1": "1 Main St", "city": "Buenos Aires", "postal_code": "1000", "state": "ARG-C", "country": "ARG"},
)

# Everything create_business_client requires (reference §3.13), with one associated person in control who signs.
BUSINESS = dict(
    email="ops@acme.example", business_legal_name="ACME SA", business_description="Anvils", business_type="corporation",
    business_industry=["541511"], registered_address={"street_line_1": "1 Road", "city": "Austin", "country": "USA"},
    identifying_information=[{"type": "ein", "issuing_country": "USA", "number": "12-3456789"}],
    high_risk_activities=[], primary_website="https://acme.example",
    associated_persons=[{"first_name": "Wile", "last_name": "Coyote", "email": "w@acme.example", "birth_date": "1980-01-01",
                         "residential_address": {"city": "Austin", "country": "USA"}, "has_control": True,
                         "is_signer": True}],
)
