"""Deterministic news-like text for the generated loopback site.

Everything here is a pure function of a :class:`random.Random` the caller seeds, so the same seed
always gives the same titles, paragraphs and slugs.
"""

import random
import re

ACTORS = (
    "Iran",
    "Iraq",
    "Syria",
    "Lebanon",
    "Yemen",
    "Russia",
    "China",
    "Venezuela",
    "Cuba",
    "Egypt",
    "Algeria",
    "Tunisia",
    "Jordan",
    "Turkey",
    "Brazil",
    "India",
    "South Africa",
    "Belarus",
    "Qatar",
    "Oman",
    "The UN",
    "The EU",
    "The African Union",
    "Hezbollah",
    "The Arab League",
    "BRICS",
    "The IMF",
    "The WHO",
    "Palestinian factions",
    "Farmers' unions",
)
VERBS = (
    "warns",
    "rejects",
    "welcomes",
    "condemns",
    "backs",
    "discusses",
    "announces",
    "signs",
    "questions",
    "demands",
    "plans",
    "suspends",
    "extends",
    "reviews",
    "praises",
    "criticizes",
)
OBJECTS = (
    "new sanctions",
    "trade deal",
    "ceasefire proposal",
    "energy pact",
    "border talks",
    "grain corridor",
    "water agreement",
    "railway project",
    "debt relief plan",
    "security pact",
    "aid convoy",
    "peace initiative",
    "climate fund",
    "port expansion",
    "oil price cap",
    "vaccine program",
    "currency swap",
    "fishing rights",
    "data center plan",
    "wheat imports",
)
QUALIFIERS = (
    "after emergency summit",
    "amid regional tensions",
    "despite US pressure",
    "ahead of vote",
    "as talks stall",
    "in joint statement",
    "following drone strike",
    "after week of protests",
    "as prices soar",
    "before winter",
    "in rare move",
    "at Security Council",
    "during state visit",
    "as deadline nears",
    "after Gaza strikes",
    "amid fuel shortages",
)
PLACES = (
    "Beirut",
    "Baghdad",
    "Damascus",
    "Sanaa",
    "Tehran",
    "Moscow",
    "Beijing",
    "Caracas",
    "Havana",
    "Cairo",
    "Algiers",
    "Amman",
    "Ankara",
    "Brasilia",
    "New Delhi",
    "Pretoria",
    "Minsk",
    "Doha",
)
PEOPLE = (
    "the foreign minister",
    "the prime minister",
    "a senior official",
    "the spokesperson",
    "the defense ministry",
    "local sources",
    "the central bank governor",
    "a military source",
    "the health ministry",
    "the trade union",
    "the energy minister",
    "an aid worker",
)
CLAUSES = (
    "the measures would deepen the crisis for ordinary families",
    "the talks had made real progress on the main points",
    "the decision violated earlier commitments made by all sides",
    "the country was ready to respond to any escalation",
    "the agreement would be reviewed again within six months",
    "the shipments would resume once safety was guaranteed",
    "the budget could not cover the cost of reconstruction",
    "the delegation would travel again next week",
    "the region needed cooperation rather than confrontation",
    "the figures showed a sharp fall in exports this year",
    "further details would be announced in the coming days",
    "the offer did not meet the minimum demands of the people",
)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
SOURCES = (
    "Agencies",
    "Al Mayadeen",
    "Al Mayadeen English",
    "Reuters",
    "AFP",
    "Al Mayadeen + Agencies",
)
WRITERS = (
    "Karim Nasser",
    "Leila Haddad",
    "Daniel Whitmore",
    "Nour El Amine",
    "Samir Khoury",
    "Maya Rahal",
    "Omar Fadel",
    "Hana Saleh",
    "Julian Marsh",
    "Rami Aoun",
    "Sara Mansour",
    "Elias Tannous",
)
TAGS = (
    "Russia",
    "Ukraine",
    "China",
    "Iran",
    "Iraq",
    "Syria",
    "Lebanon",
    "Yemen",
    "Palestine",
    "Gaza",
    "United States",
    "European Union",
    "NATO",
    "Sanctions",
    "Oil",
    "Economy",
    "Climate change",
    "Health",
    "Football",
    "Technology",
    "Africa",
    "Latin America",
    "BRICS",
    "Energy",
    "Trade",
)
COVERAGES = ("Russia & NATO", "Operation Al-Aqsa Flood", "The Economic War", "Climate Crisis")
HANDLES = ("Al Mayadeen English (@MayadeenEnglish)", "Press TV (@PressTV)", "UN News (@UN_News)")
IMAGE_CAPTIONS = (
    "A general view of the meeting venue (AFP)",
    "Officials attend a press conference (Reuters)",
    "Protesters gather in the city center (Al Mayadeen)",
    "Trucks wait at the border crossing (AP)",
)


def title(rng: random.Random) -> str:
    """A headline such as ``Iran warns new sanctions after emergency summit``."""
    words = [rng.choice(ACTORS), rng.choice(VERBS), rng.choice(OBJECTS), rng.choice(QUALIFIERS)]
    if rng.random() < 0.3:
        words[0] = f"{words[0]}, {rng.choice(ACTORS)}"
    if rng.random() < 0.15:
        words.insert(0, f"{rng.choice(PLACES)}:")
    return " ".join(words)


def sentence(rng: random.Random) -> str:
    """One sentence of body text."""
    who = rng.choice(PEOPLE)
    match rng.randrange(4):
        case 0:
            return f"Speaking in {rng.choice(PLACES)} on {rng.choice(WEEKDAYS)}, {who} said {rng.choice(CLAUSES)}."
        case 1:
            return f"According to {who}, {rng.choice(CLAUSES)}."
        case 2:
            return f'"We believe {rng.choice(CLAUSES)}," {who} told reporters.'
        case _:
            action = f"{rng.choice(ACTORS)} {rng.choice(VERBS)} the {rng.choice(OBJECTS)}"
            return f"{action}, and {who} added that {rng.choice(CLAUSES)}."


def paragraph(rng: random.Random) -> str:
    """Two to four sentences."""
    return " ".join(sentence(rng) for _ in range(rng.randint(2, 4)))


_OLD_RULE_DROPPED = re.compile(r"[^a-z0-9: -]+")
_NEW_RULE_REPLACED = re.compile(r"[^a-z0-9]")
SLUG_LENGTH = 60


def slug_old_rule(headline: str) -> str:
    """The site's slug rule until about 2023: punctuation dropped but ``:`` kept, cut at 60.

    >>> slug_old_rule("Lukashenko: Belarusian troops not partaking in Russian operation")
    'lukashenko:-belarusian-troops-not-partaking-in-russian-opera'
    """
    text = _OLD_RULE_DROPPED.sub("", headline.lower()).replace(" ", "-")
    return text[:SLUG_LENGTH].rstrip("-")


def slug_new_rule(headline: str) -> str:
    """The rule from 2024: every non-alphanumeric character becomes ``-``, cut at 60.

    >>> slug_new_rule("Iraq at a crossroads: A new war front?")
    'iraq-at-a-crossroads--a-new-war-front-'
    """
    text = _NEW_RULE_REPLACED.sub("-", headline.lower())
    return text[:SLUG_LENGTH].rstrip("-") if len(text) > SLUG_LENGTH else text


def slugify_name(name: str) -> str:
    """URL segment for an author, tag or coverage name.

    >>> slugify_name("Russia & NATO")
    'russia---nato'
    """
    return _NEW_RULE_REPLACED.sub("-", name.lower())
