"""Demo content: a fact-checking desk with four original news articles, annotations of every label and
links of every default type between them (quotes said by their speakers, claims made or backed by sources).

The articles were written for this project (no copied text). Annotations are placed by quote
selector, so they stay correct if a text is edited; links name their ends by a `ref` of the demo span.
The built-in suggester is switched on and its suggestions stored, so the annotate page shows some to accept.
Used by `manage.py seed_demo`; idempotent (an article already there is left as it is).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction

from articles.anchoring import canonical_text, text_sha256
from articles.annotation_write import create_annotation, review_annotation
from articles.article_write import create_article, find_duplicate
from articles.assignment import assign
from articles.links import LinkSpec, create_links, review_link
from articles.models import Annotation, Article, Assignment, Link, Project, Role, Suggester, SuggesterKind, Suggestion
from articles.suggesters import run_on, suggesters_changed
from articles.workflow import transition

DEMO_USERS = {  # username: (password, role)
    "demo": ("demo-password", Role.OWNER),
    "alice": ("alice-password", Role.ANNOTATOR),
    "bob": ("bob-password", Role.REVIEWER),
}
PROJECT_SLUG = "demo-desk"


@dataclass(frozen=True)
class DemoSpan:
    author: str
    label: str
    quote: str
    prefix: str = ""
    note: str = ""
    attributes: dict | None = None
    status: str = ""
    ref: str = ""  # how the article's links name this span


@dataclass(frozen=True)
class DemoLink:
    """A link from one demo span to another of the same article, by their refs."""

    type: str
    from_ref: str
    to_ref: str
    author: str = "alice"
    status: str = ""


ARTICLES = [
    {
        "title": "Riverside council votes to double bike lanes by 2030",
        "byline": "Marta Løvås",
        "outlet": "The Riverside Ledger",
        "url": "https://ledger.example.org/2026/11/bike-lanes",
        "published_at": "2026-11-18T08:30:00Z",
        "text": (
            "Riverside’s city council voted 7–2 on Tuesday night to double the length of protected bike "
            "lanes by 2030, a plan its backers say will cut commuter traffic by a fifth.\n\n"
            "“Every lane we build takes cars off the bridge,” said councillor Inès Moreau, who drafted the "
            "plan. “This is the cheapest congestion policy we have.”\n\n"
            "According to the city’s 2025 mobility survey, 14% of residents already cycle to work at least "
            "once a week, up from 9% in 2019.\n\n"
            "Opponents were unconvinced. Shop owner Dariusz Nowak called the plan “a gift to a loud minority” "
            "and said deliveries on Harbour Street would become impossible. Frankly, the council has ignored "
            "small businesses for years. 🚲"
        ),
        "spans": [
            DemoSpan(
                "alice",
                "claim",
                "a plan its backers say will cut commuter traffic by a fifth",
                attributes={"check_worthiness": "high", "verdict": "unverifiable"},
                status="accepted",
            ),
            DemoSpan(
                "alice",
                "quote",
                "“Every lane we build takes cars off the bridge,”",
                attributes={"speaker": "Inès Moreau"},
                status="accepted",
                ref="moreau-quote",
            ),
            DemoSpan(
                "demo",
                "claim",
                "Every lane we build takes cars off the bridge",
                note="Nested inside the quote: the claim itself.",
                attributes={"check_worthiness": "medium"},
                ref="lanes-claim",
            ),
            DemoSpan("alice", "source", "councillor Inès Moreau", attributes={"name": "Inès Moreau"}, ref="moreau"),
            DemoSpan(
                "alice",
                "source",
                "the city’s 2025 mobility survey",
                attributes={"name": "Riverside mobility survey 2025"},
                ref="survey",
            ),
            DemoSpan(
                "alice",
                "claim",
                "14% of residents already cycle to work at least once a week, up from 9% in 2019",
                attributes={"check_worthiness": "high", "verdict": "mostly true"},
                status="accepted",
                ref="cycling-claim",
            ),
            DemoSpan("alice", "source", "Shop owner Dariusz Nowak", attributes={"name": "Dariusz Nowak"}, ref="nowak"),
            DemoSpan(
                "alice",
                "quote",
                "“a gift to a loud minority”",
                attributes={"speaker": "Dariusz Nowak"},
                ref="nowak-quote",
            ),
            DemoSpan(
                "alice",
                "opinion",
                "Frankly, the council has ignored small businesses for years.",
                note="Writer’s own view, not attributed.",
            ),
        ],
        "links": [
            DemoLink("said_by", "moreau-quote", "moreau", status="accepted"),
            DemoLink("claimed_by", "lanes-claim", "moreau", author="demo"),
            DemoLink("backed_by", "cycling-claim", "survey", status="accepted"),
            DemoLink("said_by", "nowak-quote", "nowak"),
        ],
    },
    {
        "title": "Heatwave pushes Lisbon’s power demand to a record",
        "byline": "João Araújo",
        "outlet": "Iberian Wire",
        "url": "https://iberianwire.example.com/energy/record-demand",
        "published_at": "2026-08-02T14:05:00Z",
        "text": (
            "Electricity demand in the Lisbon region hit an all-time high of 9.4 gigawatts on Friday as "
            "temperatures passed 44 °C, the grid operator REN said in a statement.\n\n"
            "“The network held, but the margin was thinner than we would like,” REN’s director of operations, "
            "Sofia Brandão, told reporters. 🌡️\n\n"
            "Energy minister António Figueira insisted that “not a single household lost power because of "
            "demand,” although residents of Almada reported outages lasting several hours.\n\n"
            "It is time the government stopped treating heatwaves as freak events and started planning for them."
        ),
        "spans": [
            DemoSpan(
                "alice",
                "claim",
                "Electricity demand in the Lisbon region hit an all-time high of 9.4 gigawatts on Friday",
                attributes={"check_worthiness": "high", "verdict": "true"},
                status="accepted",
                ref="demand-claim",
            ),
            DemoSpan("alice", "source", "the grid operator REN", attributes={"name": "REN"}, ref="ren"),
            DemoSpan(
                "alice",
                "quote",
                "“The network held, but the margin was thinner than we would like,”",
                attributes={"speaker": "Sofia Brandão"},
                ref="brandao-quote",
            ),
            DemoSpan(
                "alice",
                "source",
                "REN’s director of operations, Sofia Brandão",
                attributes={"name": "Sofia Brandão"},
                ref="brandao",
            ),
            DemoSpan(
                "alice",
                "source",
                "Energy minister António Figueira",
                attributes={"name": "António Figueira"},
                ref="figueira",
            ),
            DemoSpan(
                "demo",
                "claim",
                "“not a single household lost power because of demand,”",
                note="Contradicted by the Almada outage reports.",
                attributes={"check_worthiness": "high", "verdict": "mostly false"},
                ref="household-claim",
            ),
            DemoSpan(
                "alice",
                "quote",
                "“not a single household lost power because of demand,”",
                attributes={"speaker": "António Figueira"},
                ref="figueira-quote",
            ),
            DemoSpan(
                "alice",
                "opinion",
                "It is time the government stopped treating heatwaves as freak events and started planning for them.",
            ),
        ],
        "links": [
            DemoLink("backed_by", "demand-claim", "ren", status="accepted"),
            DemoLink("said_by", "brandao-quote", "brandao"),
            DemoLink("said_by", "figueira-quote", "figueira"),
            DemoLink("claimed_by", "household-claim", "figueira", author="demo"),
        ],
    },
    {
        "title": "Study finds school phone bans linked to better test scores",
        "byline": "Priya Raghunathan",
        "outlet": "Northern Education Review",
        "url": "https://ner.example.net/research/phone-bans",
        "published_at": "2026-10-07T06:00:00Z",
        "text": (
            "Secondary schools that banned phones during the day saw maths scores rise by an average of 6 "
            "points over two years, according to a study published on Monday by the Institute for Fiscal "
            "Learning.\n\n"
            "The researchers compared 412 schools and cautioned that the effect “may partly reflect other "
            "changes made at the same time.”\n\n"
            "Head teacher Chloé Dubois said her pupils were “calmer, more focused and frankly happier” since "
            "the ban. Parents’ group Screen Sense welcomed the findings, while the National Union of Students "
            "called them “far from conclusive.”\n\n"
            "Banning phones is common sense, and ministers should stop dithering."
        ),
        "spans": [
            DemoSpan(
                "alice",
                "claim",
                "maths scores rise by an average of 6 points over two years",
                attributes={"check_worthiness": "high", "verdict": "mixed"},
                ref="scores-claim",
            ),
            DemoSpan(
                "alice",
                "source",
                "a study published on Monday by the Institute for Fiscal Learning",
                attributes={"name": "Institute for Fiscal Learning", "url": "https://ifl.example.org/phones"},
                ref="study",
            ),
            DemoSpan("alice", "source", "Head teacher Chloé Dubois", attributes={"name": "Chloé Dubois"}, ref="dubois"),
            DemoSpan(
                "alice",
                "quote",
                "“calmer, more focused and frankly happier”",
                attributes={"speaker": "Chloé Dubois"},
                ref="dubois-quote",
            ),
            DemoSpan(
                "alice",
                "source",
                "Parents’ group Screen Sense",
                attributes={"name": "Screen Sense"},
                ref="screen-sense",
            ),
            DemoSpan("alice", "opinion", "welcomed the findings", note="Screen Sense’s view.", ref="welcome"),
            DemoSpan(
                "alice",
                "source",
                "the National Union of Students",
                attributes={"name": "National Union of Students"},
                ref="nus",
            ),
            DemoSpan(
                "alice",
                "quote",
                "“far from conclusive.”",
                attributes={"speaker": "National Union of Students"},
                ref="nus-quote",
            ),
            DemoSpan("alice", "opinion", "Banning phones is common sense, and ministers should stop dithering."),
        ],
        "links": [
            DemoLink("backed_by", "scores-claim", "study"),
            DemoLink("said_by", "dubois-quote", "dubois"),
            DemoLink("held_by", "welcome", "screen-sense"),
            DemoLink("said_by", "nus-quote", "nus"),
        ],
    },
    {
        "title": "東京 startup claims its sensor cuts food waste by 30%",
        "byline": "Kenji Watanabe and Ana Sørensen",
        "outlet": "Pacific Business Daily",
        "url": "https://pbd.example.jp/startups/food-sensor",
        "published_at": "2026-09-21T23:15:00Z",
        "text": (
            "A Tokyo start-up, Reizōko Labs (冷蔵庫ラボ), says its fridge sensor cuts household food waste by "
            "30%, citing a six-month trial with 250 families.\n\n"
            "“People throw food away because they forget it exists,” said co-founder Yūki Tanaka. “We remind "
            "them before it is too late.” 🥦\n\n"
            "The trial was run by the company itself and has not been peer reviewed. Independent researcher "
            "Dr. Amélie Fontaine of the Food Systems Lab said the figure was “plausible but unproven.”\n\n"
            "Gadgets will not fix a problem that starts in the supermarket aisle."
        ),
        "spans": [
            DemoSpan(
                "alice",
                "claim",
                "its fridge sensor cuts household food waste by 30%",
                attributes={"check_worthiness": "high", "verdict": "unverifiable"},
                ref="waste-claim",
            ),
            DemoSpan(
                "alice", "source", "Reizōko Labs (冷蔵庫ラボ)", attributes={"name": "Reizōko Labs"}, ref="reizoko"
            ),
            DemoSpan(
                "alice",
                "source",
                "a six-month trial with 250 families",
                note="Company-run trial, not peer reviewed.",
                ref="trial",
            ),
            DemoSpan(
                "alice",
                "quote",
                "“People throw food away because they forget it exists,”",
                attributes={"speaker": "Yūki Tanaka"},
                ref="tanaka-quote",
            ),
            DemoSpan("alice", "source", "co-founder Yūki Tanaka", attributes={"name": "Yūki Tanaka"}, ref="tanaka"),
            DemoSpan(
                "demo", "source", "Dr. Amélie Fontaine of the Food Systems Lab", attributes={"name": "Food Systems Lab"}
            ),
            DemoSpan("alice", "opinion", "Gadgets will not fix a problem that starts in the supermarket aisle."),
        ],
        "links": [
            DemoLink("claimed_by", "waste-claim", "reizoko"),
            DemoLink("backed_by", "waste-claim", "trial"),
            DemoLink("said_by", "tanaka-quote", "tanaka"),
        ],
    },
]


def _user(username: str) -> User:
    password, _role = DEMO_USERS[username]
    user, created = User.objects.get_or_create(username=username)
    if created or not user.check_password(password):
        user.set_password(password)
        user.save()
    return user


def _project(users: dict[str, User]) -> Project:
    project = Project.objects.filter(slug=PROJECT_SLUG).first()
    if project is None:
        project = Project.create_with_owner(
            owner=users["demo"],
            name="Demo fact-checking desk",
            slug=PROJECT_SLUG,
            # The demo articles' sites do not exist: nothing to watch.
            watch_hourly_days=0,
            watch_daily_days=0,
            description="Sample newsroom project: four articles annotated with claims, quotes, sources and opinions.",
            guidelines=(
                "Claim: a checkable statement of fact. Tag the smallest span that states it.\n"
                "Quote: words attributed to someone, including the quotation marks; fill in the speaker.\n"
                "Source: who or what the information comes from.\n"
                "Opinion: a judgement or prediction, not checkable as fact.\n"
                "Spans may overlap: a quote can contain a claim."
            ),
            organisation="Demo Fact-Check Desk",
        )
    for username, (_password, role) in DEMO_USERS.items():
        project.memberships.update_or_create(user=users[username], defaults={"role": role})
    return project


def _article(project: Project, owner: User, spec: dict) -> tuple[Article, bool]:
    existing = find_duplicate(project, text_hash=text_sha256(canonical_text(spec["text"])))
    if existing is not None:
        return existing, False
    metadata = {k: spec[k] for k in ("byline", "outlet", "url")}
    metadata["published_at"] = datetime.fromisoformat(spec["published_at"])
    return create_article(project, by=owner, title=spec["title"], text=spec["text"], **metadata), True


def _annotate(article: Article, span: DemoSpan, users: dict[str, User]) -> Annotation:
    annotation = create_annotation(
        article,
        author=users[span.author],
        label=span.label,
        quote=span.quote,
        note=span.note,
        attributes=span.attributes or {},
    )
    if span.status:
        review_annotation(annotation, by=users["bob"], status=span.status)
    return annotation


def _link(article: Article, links: list[DemoLink], spans: dict[str, Annotation], users: dict[str, User]) -> None:
    """Link the article's spans through the one write path, each author's links at once; bob reviews some."""
    for author in dict.fromkeys(link.author for link in links):
        mine = [link for link in links if link.author == author]
        specs = [LinkSpec(spans[link.from_ref].pk, spans[link.to_ref].pk, link.type) for link in mine]
        for link, stored in zip(mine, create_links(article, specs, author=users[author]), strict=True):
            if link.status:
                review_link(stored, by=users["bob"], status=link.status)


def _assign(project: Project, articles: list[Article], users: dict[str, User]) -> None:
    """Give alice every article: the phone-ban study is submitted for bob's review, the heatwave under way."""
    if project.articles.filter(assignments__isnull=False).exists():
        return
    assign(project, articles=[a.pk for a in articles], annotators=[users["alice"].pk], by=users["demo"])
    work = {a.article_id: a for a in Assignment.objects.filter(article__in=articles, annotator=users["alice"])}
    transition(work[articles[2].pk], "submit", by=users["alice"])
    transition(work[articles[1].pk], "start", by=users["alice"])


@transaction.atomic
def seed() -> Project:
    """Create (or complete) the demo project; running it again changes nothing."""
    users = {username: _user(username) for username in DEMO_USERS}
    project = _project(users)
    articles = []
    for spec in ARTICLES:
        article, is_new = _article(project, users["demo"], spec)
        if is_new:
            made = [(span, _annotate(article, span, users)) for span in spec["spans"]]
            _link(article, spec["links"], {span.ref: annotation for span, annotation in made if span.ref}, users)
        articles.append(article)
    _assign(project, articles, users)
    _suggest(project, articles)
    return project


def _suggest(project: Project, articles: list[Article]) -> None:
    """Switch the built-in suggester on and store its suggestions on the demo articles that have none yet (it is
    switched on after the articles are added, so adding them queued no run)."""
    builtin = Suggester.objects.get(project=project, kind=SuggesterKind.BUILTIN)
    if not builtin.enabled:
        builtin.enabled = True
        builtin.save(update_fields=["enabled"])
        suggesters_changed()
    for article in articles:
        if not Suggestion.objects.filter(article=article, suggester=builtin).exists():
            run_on(article, [builtin])


def demo_annotation_count() -> int:
    return Annotation.objects.filter(article__project__slug=PROJECT_SLUG).count()


def demo_suggestion_count() -> int:
    return Suggestion.objects.filter(article__project__slug=PROJECT_SLUG, current=True).count()


def demo_link_count() -> int:
    return Link.objects.filter(article__project__slug=PROJECT_SLUG).count()
