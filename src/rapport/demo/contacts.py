"""Demo contacts of Nordlicht Coffee: people in every lifecycle stage, with
identities on several networks, a timeline (visits, orders, mentions) and a few
duplicates waiting for review."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from django.utils import timezone

from rapport.contacts import lifecycle
from rapport.contacts.facade import observe, record_timeline
from rapport.contacts.models import Company, Contact, CustomField, FieldType, Identity
from rapport.contacts.resolution import Claim
from rapport.core.models import Workspace

from .brand import NORDLICHT
from .people import Person, generate_people

PAGES = ("/", "/shop/polar-espresso", "/shop/aurora-filter", "/blog/cold-brew", "/cart")


def _claims(person: Person, stage: str) -> list[Claim]:
    social = [Claim(k, v) for k, v in person.handles.items()]
    if stage == "prospect":
        return social[:1]
    return [Claim("email", person.email), Claim("phone", person.phone), *social]


def load_contacts(workspace: Workspace, count: int, seed: int = 21) -> int:
    rng = random.Random(seed)
    now = timezone.now()
    stages = ("prospect", "lead", "customer", "repeat", "advocate", "lapsed")
    people = generate_people(count, seed=seed)
    for n, person in enumerate(people):
        stage = stages[n % len(stages)]
        contact = observe(
            workspace, _claims(person, stage), trusted=stage != "prospect", source="demo"
        ).contact
        if stage != "prospect":
            contact.full_name = person.full_name
            contact.city = person.city
            contact.country = person.country
            contact.locale = person.language
        orders = {"customer": 1, "repeat": rng.randint(2, 6), "advocate": 3, "lapsed": 1}
        contact.order_count = orders.get(stage, 0)
        if stage == "advocate":
            contact.tags = ["advocate", "coffee-club"]
        contact.save()
        _history(workspace, contact, stage, rng, now)
        contact.refresh_from_db()
        lifecycle.recompute(contact)
    _visitor_then_identified(workspace, now)
    _duplicates(workspace, people[1:4])  # leads and customers: known by email
    _fields_and_companies(workspace, rng)
    return Contact.objects.for_workspace(workspace).count()


def _history(
    workspace: Workspace, contact: Contact, stage: str, rng: random.Random, now: datetime
) -> None:
    age = timedelta(days=400) if stage == "lapsed" else timedelta(days=0)
    for _ in range(rng.randint(2, 5)):
        record_timeline(
            workspace, contact=contact, kind="page",
            occurred_at=now - age - timedelta(hours=rng.randint(1, 24 * 60)),
            summary=f"Viewed {rng.choice(PAGES)}", source="demo",
        )  # fmt: skip
    for order in range(contact.order_count):
        total = rng.choice((12.9, 24.5, 39.0, 57.8))
        record_timeline(
            workspace, contact=contact, kind="order",
            occurred_at=now - age - timedelta(days=30 * (order + 1)),
            summary=f"Order of {rng.choice(NORDLICHT.products)} · €{total:.2f}",
            data={"total": total, "currency": "EUR"}, source="demo",
        )  # fmt: skip
    if "bluesky" in {i.kind for i in Identity.objects.for_workspace(workspace).filter(
        contact=contact)}:  # fmt: skip
        record_timeline(
            workspace, contact=contact, kind="mention",
            occurred_at=now - age - timedelta(hours=rng.randint(1, 72)),
            summary=f"Mentioned {NORDLICHT.handles[0]} on Bluesky", source="demo",
        )  # fmt: skip


def _visitor_then_identified(workspace: Workspace, now: datetime) -> None:
    """An anonymous browser's visits join the person when they sign up."""
    visitor = observe(workspace, [Claim("anonymous", "demo-browser-1")], trusted=False,
                      source="website").contact  # fmt: skip
    browser = Identity.objects.for_workspace(workspace).get(value="demo-browser-1")
    for page in PAGES[:3]:
        record_timeline(workspace, identity=browser, kind="page",
                        occurred_at=now - timedelta(hours=3), summary=f"Viewed {page}",
                        source="website")  # fmt: skip
    observe(workspace, [Claim("anonymous", "demo-browser-1"),
                        Claim("email", "signed.up@example.com")],
            trusted=False, source="website")  # fmt: skip
    visitor.refresh_from_db()


def _duplicates(workspace: Workspace, people: list[Person]) -> None:
    """The same people again under another email, claimed together by a public
    form: known contacts are never merged on an untrusted claim, so these wait in
    the duplicates review."""
    for person in people:
        twin_email = person.email.replace("@", ".old@")
        observe(workspace, [Claim("email", twin_email)], trusted=True, source="old-shop")
        observe(workspace, [Claim("email", person.email), Claim("email", twin_email)],
                trusted=False, source="newsletter form")  # fmt: skip


ROASTS = ["Polar espresso", "Aurora filter", "Cold brew", "Decaf"]
COMPANIES = (("Fjord Office Supplies", "fjord-office.example"),
             ("Kraków Coworking", "krakow-cowork.example"),
             ("Baltic Design Studio", "baltic-design.example"))  # fmt: skip


def _fields_and_companies(workspace: Workspace, rng: random.Random) -> None:
    """Three contact fields with values on the known customers, and a few companies
    some of them work for."""
    CustomField.objects.create(workspace=workspace, key="favourite_roast",
                               label="Favourite roast", type=FieldType.CHOICE, choices=ROASTS,
                               position=0)  # fmt: skip
    CustomField.objects.create(workspace=workspace, key="loyalty_card", label="Loyalty card",
                               type=FieldType.BOOLEAN, position=10)  # fmt: skip
    CustomField.objects.create(workspace=workspace, key="birthday", label="Birthday",
                               type=FieldType.DATE, position=20)  # fmt: skip
    companies = [
        Company.objects.create(workspace=workspace, name=name, domain=domain)
        for name, domain in COMPANIES
    ]
    known = Contact.objects.for_workspace(workspace).exclude(full_name="").order_by("pk")
    for n, contact in enumerate(known[:24]):
        custom = {"favourite_roast": ROASTS[n % len(ROASTS)], "loyalty_card": n % 3 != 0}
        if n % 2 == 0:
            born = timezone.now().date() - timedelta(days=rng.randint(18 * 365, 65 * 365))
            custom["birthday"] = born.isoformat()
        contact.custom = {**contact.custom, **custom}
        if n % 4 == 1:
            contact.company = companies[n % len(companies)]
        contact.save(update_fields=["custom", "company"])
