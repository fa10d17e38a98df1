"""A synthetic federal dataset for benchmarks: 85 Russian regions in their own time zones,
each with its executive bodies and some municipalities, their emissaries and responsible
officials, a coordinator, initiatives with budget lines, and open tasks spread around
`now`; plus an alert history.

Everything but the alert history goes in through the product's own paths:

- each region's roadmap is a generated roadmap file (format 1, docs/roadmap-file.md)
  loaded with `roadmap.plan.importer.import_roadmap`, as `roadmap import region.yaml`;
- its tasks are a generated task list (`tasks.csv`) loaded with the same function, the
  bulk path of `roadmap import tasks.csv --region CODE` (checked row by row, written in
  batches), called in-process.

The alert history (sent reminders) is inserted with SQL: no product path creates an alert
that was sent in the past (the sweep plans alerts for `now` and the dispatcher sends them
through real targets), and a history is all the benchmarks need of it.

The tasks have the shape of `benchmarks/federal.py`'s `build_store`: 2 % overdue by up to
60 days, 0.2 % due within a week, the rest due in the next three years (`due_share` times
the first two shares), all open, on working days of their region's calendar.

    from benchmarks.dataset import generate
    built = generate("sqlite:////tmp/federal.db", open_tasks=1_000_000, alerts=200_000,
                     now=datetime(2026, 12, 4, 1, 0, tzinfo=UTC))

Run alone: `.venv/bin/python benchmarks/dataset.py URL [OPEN_TASKS [ALERTS]]`.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

# The 85 subjects of the Federation: code (ISO 3166-2:RU, Crimea and Sevastopol as
# commonly written), name, IANA time zone. Eleven offsets, UTC+2 to UTC+12.
REGIONS: tuple[tuple[str, str, str], ...] = (
    ("AD", "Республика Адыгея", "Europe/Moscow"),
    ("AL", "Республика Алтай", "Asia/Barnaul"),
    ("BA", "Республика Башкортостан", "Asia/Yekaterinburg"),
    ("BU", "Республика Бурятия", "Asia/Irkutsk"),
    ("DA", "Республика Дагестан", "Europe/Moscow"),
    ("IN", "Республика Ингушетия", "Europe/Moscow"),
    ("KB", "Кабардино-Балкарская Республика", "Europe/Moscow"),
    ("KL", "Республика Калмыкия", "Europe/Moscow"),
    ("KC", "Карачаево-Черкесская Республика", "Europe/Moscow"),
    ("KR", "Республика Карелия", "Europe/Moscow"),
    ("KO", "Республика Коми", "Europe/Moscow"),
    ("CR", "Республика Крым", "Europe/Simferopol"),
    ("ME", "Республика Марий Эл", "Europe/Moscow"),
    ("MO", "Республика Мордовия", "Europe/Moscow"),
    ("SA", "Республика Саха (Якутия)", "Asia/Yakutsk"),
    ("SE", "Республика Северная Осетия — Алания", "Europe/Moscow"),
    ("TA", "Республика Татарстан", "Europe/Moscow"),
    ("TY", "Республика Тыва", "Asia/Krasnoyarsk"),
    ("UD", "Удмуртская Республика", "Europe/Samara"),
    ("KK", "Республика Хакасия", "Asia/Krasnoyarsk"),
    ("CE", "Чеченская Республика", "Europe/Moscow"),
    ("CU", "Чувашская Республика", "Europe/Moscow"),
    ("ALT", "Алтайский край", "Asia/Barnaul"),
    ("ZAB", "Забайкальский край", "Asia/Chita"),
    ("KAM", "Камчатский край", "Asia/Kamchatka"),
    ("KDA", "Краснодарский край", "Europe/Moscow"),
    ("KYA", "Красноярский край", "Asia/Krasnoyarsk"),
    ("PER", "Пермский край", "Asia/Yekaterinburg"),
    ("PRI", "Приморский край", "Asia/Vladivostok"),
    ("STA", "Ставропольский край", "Europe/Moscow"),
    ("KHA", "Хабаровский край", "Asia/Vladivostok"),
    ("AMU", "Амурская область", "Asia/Yakutsk"),
    ("ARK", "Архангельская область", "Europe/Moscow"),
    ("AST", "Астраханская область", "Europe/Astrakhan"),
    ("BEL", "Белгородская область", "Europe/Moscow"),
    ("BRY", "Брянская область", "Europe/Moscow"),
    ("VLA", "Владимирская область", "Europe/Moscow"),
    ("VGG", "Волгоградская область", "Europe/Volgograd"),
    ("VLG", "Вологодская область", "Europe/Moscow"),
    ("VOR", "Воронежская область", "Europe/Moscow"),
    ("IVA", "Ивановская область", "Europe/Moscow"),
    ("IRK", "Иркутская область", "Asia/Irkutsk"),
    ("KGD", "Калининградская область", "Europe/Kaliningrad"),
    ("KLU", "Калужская область", "Europe/Moscow"),
    ("KEM", "Кемеровская область — Кузбасс", "Asia/Novokuznetsk"),
    ("KIR", "Кировская область", "Europe/Kirov"),
    ("KOS", "Костромская область", "Europe/Moscow"),
    ("KGN", "Курганская область", "Asia/Yekaterinburg"),
    ("KRS", "Курская область", "Europe/Moscow"),
    ("LEN", "Ленинградская область", "Europe/Moscow"),
    ("LIP", "Липецкая область", "Europe/Moscow"),
    ("MAG", "Магаданская область", "Asia/Magadan"),
    ("MOS", "Московская область", "Europe/Moscow"),
    ("MUR", "Мурманская область", "Europe/Moscow"),
    ("NIZ", "Нижегородская область", "Europe/Moscow"),
    ("NGR", "Новгородская область", "Europe/Moscow"),
    ("NVS", "Новосибирская область", "Asia/Novosibirsk"),
    ("OMS", "Омская область", "Asia/Omsk"),
    ("ORE", "Оренбургская область", "Asia/Yekaterinburg"),
    ("ORL", "Орловская область", "Europe/Moscow"),
    ("PNZ", "Пензенская область", "Europe/Moscow"),
    ("PSK", "Псковская область", "Europe/Moscow"),
    ("ROS", "Ростовская область", "Europe/Moscow"),
    ("RYA", "Рязанская область", "Europe/Moscow"),
    ("SAM", "Самарская область", "Europe/Samara"),
    ("SAR", "Саратовская область", "Europe/Saratov"),
    ("SAK", "Сахалинская область", "Asia/Sakhalin"),
    ("SVE", "Свердловская область", "Asia/Yekaterinburg"),
    ("SMO", "Смоленская область", "Europe/Moscow"),
    ("TAM", "Тамбовская область", "Europe/Moscow"),
    ("TVE", "Тверская область", "Europe/Moscow"),
    ("TOM", "Томская область", "Asia/Tomsk"),
    ("TUL", "Тульская область", "Europe/Moscow"),
    ("TYU", "Тюменская область", "Asia/Yekaterinburg"),
    ("ULY", "Ульяновская область", "Europe/Ulyanovsk"),
    ("CHE", "Челябинская область", "Asia/Yekaterinburg"),
    ("YAR", "Ярославская область", "Europe/Moscow"),
    ("MOW", "Москва", "Europe/Moscow"),
    ("SPE", "Санкт-Петербург", "Europe/Moscow"),
    ("SEV", "Севастополь", "Europe/Simferopol"),
    ("YEV", "Еврейская автономная область", "Asia/Vladivostok"),
    ("NEN", "Ненецкий автономный округ", "Europe/Moscow"),
    ("KHM", "Ханты-Мансийский автономный округ — Югра", "Asia/Yekaterinburg"),
    ("CHU", "Чукотский автономный округ", "Asia/Anadyr"),
    ("YAN", "Ямало-Ненецкий автономный округ", "Asia/Yekaterinburg"),
)

# Executive bodies every region has: code, name (before the region's name), the sectors
# its initiatives are in.
MINISTRIES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("mincifra", "Министерство цифрового развития и связи", ("public_admin", "digital_staff")),
    ("minzdrav", "Министерство здравоохранения", ("health",)),
    ("minobr", "Министерство образования", ("education",)),
    ("minsoc", "Министерство труда и социальной защиты", ("social",)),
    ("mintrans", "Министерство транспорта и дорожного хозяйства", ("transport",)),
    ("mingkh", "Министерство жилищно-коммунального хозяйства", ("housing", "urban")),
    ("minstroy", "Министерство строительства", ("urban",)),
    ("minfin", "Министерство финансов", ("finance",)),
    ("minek", "Министерство экономического развития", ("industry", "tourism")),
    ("minselhoz", "Министерство сельского хозяйства", ("agriculture",)),
    ("minprirody", "Министерство природных ресурсов и экологии", ("ecology",)),
    ("minkult", "Министерство культуры", ("culture",)),
    ("minsport", "Министерство физической культуры и спорта", ("sport",)),
)
MUNICIPALITIES = 4  # per region: the administrative centre and three districts

INITIATIVES: dict[str, tuple[str, ...]] = {
    "public_admin": (
        "Региональная платформа обратной связи с гражданами",
        "Единая система электронного документооборота органов власти",
        "Перевод массовых социально значимых услуг в электронный вид",
    ),
    "digital_staff": ("Подготовка руководителей цифровой трансформации органов власти",),
    "health": (
        "Электронная медицинская карта и запись к врачу онлайн",
        "Телемедицинские консультации для отдалённых фельдшерско-акушерских пунктов",
        "Централизованная система управления лекарственным обеспечением",
    ),
    "education": (
        "Цифровая образовательная среда школ",
        "Электронный дневник и журнал",
    ),
    "social": ("Назначение мер социальной поддержки в проактивном режиме",),
    "transport": (
        "Интеллектуальная транспортная система агломерации",
        "Безналичная оплата проезда в общественном транспорте",
    ),
    "housing": ("Цифровая платформа управления ЖКХ и приёма показаний",),
    "urban": ("Индекс качества городской среды: мониторинг и обратная связь",),
    "finance": ("Электронный бюджет региона и муниципалитетов",),
    "industry": ("Цифровая платформа поддержки малого и среднего предпринимательства",),
    "tourism": ("Туристический портал и цифровой паспорт туриста",),
    "agriculture": ("Цифровой учёт земель сельскохозяйственного назначения",),
    "ecology": ("Мониторинг обращения с твёрдыми коммунальными отходами",),
    "culture": ("Виртуальные концертные залы и цифровые музеи",),
    "sport": ("Электронная запись в спортивные секции",),
}
SOURCES = ("federal", "regional", "municipal", "extrabudgetary")
TASK_TITLES = (
    "Представить перечень инициатив на {year} год с паспортами проектов",
    "Уточнить источники финансирования инициативы {code} на {year} год",
    "Актуализировать план-график перевода информационных систем на ГосТех",
    "Подготовить отчёт о достижении показателей за {year} год",
    "Согласовать техническое задание по инициативе {code}",
    "Перевести услугу в электронный вид на ЕПГУ до конца {year} года",
    "Провести интервью с заявителями по гипотезам инициативы {code}",
    "Направить предложения в проект изменений стратегии на {year} год",
)
STAGES = ("", "", "", "initiatives", "analysis", "drafting", "execution")
SURNAMES = [
    "Иванов",
    "Смирнов",
    "Кузнецов",
    "Попов",
    "Васильев",
    "Петров",
    "Соколов",
    "Михайлов",
    "Новиков",
    "Фёдоров",
    "Морозов",
    "Волков",
    "Алексеев",
    "Лебедев",
    "Семёнов",
    "Егоров",
    "Павлов",
    "Козлов",
    "Степанов",
    "Николаев",
    "Орлов",
    "Андреев",
    "Макаров",
    "Никитин",
    "Захаров",
    "Зайцев",
    "Соловьёв",
    "Борисов",
    "Яковлев",
    "Григорьев",
]
INITIALS = "АБВГДЕИКЛМНОПРСТЮЯ"


@dataclass(frozen=True, slots=True)
class Dataset:
    """What `generate` built."""

    url: str
    regions: int
    agencies: int
    people: int
    initiatives: int
    budget_lines: int
    open_tasks: int
    overdue_tasks: int
    due_within_week: int
    alerts: int
    seconds: float


def genitive(name: str) -> str:
    """A region's name as it follows «Министерство здравоохранения …»."""
    cities = {"Москва": "города Москвы", "Санкт-Петербург": "Санкт-Петербурга"}
    if name in cities:
        return cities[name]
    if name == "Севастополь":
        return "города Севастополя"
    head, dash, tail = name.partition(" — ")
    words, out, declined = head.split(" "), [], True
    for word in words:
        if not declined:
            out.append(word)  # «Республики Саха (Якутия)»: the name after it stays
            continue
        if word == "Республика":
            out.append("Республики")
            declined = words[0] != "Республика"  # «Удмуртская Республика»: all declined
            continue
        for ending, replaced in (
            ("ский", "ского"),
            ("цкий", "цкого"),
            ("ный", "ного"),
            ("ая", "ой"),
            ("край", "края"),
            ("область", "области"),
            ("округ", "округа"),
        ):
            if word.endswith(ending):
                word = word[: -len(ending)] + replaced
                break
        out.append(word)
    tails = {"Кузбасс": "Кузбасса", "Югра": "Югры", "Алания": "Алания"}
    return " ".join(out) + (f"{dash}{tails.get(tail, tail)}" if dash else "")


def _person(rng: random.Random, code: str, role: str) -> dict[str, Any]:
    name = f"{rng.choice(SURNAMES)} {rng.choice(INITIALS)}. {rng.choice(INITIALS)}."
    return {"code": code, "name": name, "email": f"{code}@{role}.example.org"}


def region_roadmap(code: str, name: str, timezone: str, rng: random.Random) -> dict[str, Any]:
    """A region's roadmap file (format 1) as data: its bodies and municipalities with their
    people, a coordinator, initiatives with budget lines by year and source, indicators."""
    of = genitive(name)
    agencies, initiatives, budget = [], [], []
    numbers: dict[str, int] = {}  # initiatives per sector so far: H-01, H-02, …
    for agency, title, sectors in MINISTRIES:
        agencies.append(
            {
                "code": agency,
                "name": f"{title} {of}",
                "kind": "executive_body",
                "emissary": _person(rng, f"e-{agency}", "emissary"),
                "responsible": _person(rng, f"r-{agency}", "responsible"),
            }
        )
        for sector in sectors:
            for initiative in INITIATIVES[sector]:
                numbers[sector] = numbers.get(sector, 0) + 1
                key = f"{sector[:2].upper()}-{numbers[sector]:02d}"
                initiatives.append(
                    {
                        "code": key,
                        "title": initiative,
                        "sector": sector,
                        "agency": agency,
                        "status": rng.choice(("proposed", "confirmed", "selected", "in_progress")),
                    }
                )
                for year in range(2025, 2031):
                    for source in rng.sample(SOURCES, 2):
                        planned = rng.randrange(1_000, 200_000) * 1_000
                        line = {
                            "initiative": key,
                            "year": year,
                            "source": source,
                            "planned": planned,
                        }
                        if year <= 2025:
                            line["actual"] = planned * rng.randrange(60, 101) // 100
                        budget.append(line)
    for n in range(1, MUNICIPALITIES + 1):
        district = "административного центра" if n == 1 else f"муниципального района № {n - 1}"
        agencies.append(
            {
                "code": f"mo-{n:02d}",
                "name": f"Администрация {district} ({name})",
                "kind": "municipality",
                "emissary": _person(rng, f"e-mo-{n:02d}", "emissary"),
                "responsible": _person(rng, f"r-mo-{n:02d}", "responsible"),
            }
        )
    return {
        "format": 1,
        "region": {"code": code, "name": name, "timezone": timezone},
        "strategy": {
            "title": "Стратегия цифровой трансформации ключевых отраслей экономики, социальной"
            f" сферы и государственного управления {of} до 2030 года",
            "start_year": 2025,
            "end_year": 2030,
        },
        "coordinator": _person(rng, "coord", "coordinator"),
        "agencies": agencies,
        "initiatives": initiatives,
        "budget": budget,
        "indicators": [
            {
                "code": "SRV-ONLINE",
                "name": "Доля массовых социально значимых услуг, доступных в электронном виде",
                "unit": "%",
                "sector": "public_admin",
                "agency": "mincifra",
                "baseline": {"year": 2024, "value": 60},
                "targets": {2026: 85, 2028: 95, 2030: 100},
            },
            {
                "code": "GOSTECH",
                "name": "Доля государственных информационных систем на платформе ГосТех",
                "unit": "%",
                "sector": "public_admin",
                "baseline": {"year": 2024, "value": 10},
                "targets": {2026: 50, 2030: 100},
            },
        ],
    }


def write_task_list(
    path: Path,
    first: int,
    count: int,
    agencies: list[str],
    *,
    calendar: Any,
    today: date,
    rng: random.Random,
    due_share: int = 1,
) -> tuple[int, int]:
    """`count` open tasks as a task list (`;`, UTF-8 with a BOM), numbered from `first`;
    due dates on the region's working days in the shape of federal.py. Returns how many
    are overdue and how many due within a week."""
    import csv

    overdue = soon = 0
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["code", "agency", "title", "due", "stage"])
        for n in range(first, first + count):
            share = n % 1000
            if share < 20 * due_share:  # 2 % overdue, by 1 to 60 days
                due = today - timedelta(days=1 + rng.randrange(60))
                while not calendar.is_working_day(due):
                    due -= timedelta(days=1)
                overdue += 1
            elif share < 22 * due_share:  # 0.2 % due within a week
                due = calendar.next_working_day(today + timedelta(days=rng.randrange(5)))
                soon += 1
            else:  # the rest in the next three years
                due = calendar.next_working_day(today + timedelta(days=30 + rng.randrange(1000)))
            title = TASK_TITLES[n % len(TASK_TITLES)].format(
                year=2027 + n % 4, code=f"{'HEEDTRPU'[n % 8]}{'ADUOCR'[n % 6]}-0{1 + n % 2}"
            )
            agency = agencies[n % len(agencies)]
            writer.writerow([f"F-{n:07d}", agency, title, due.isoformat(), STAGES[n % 7]])
    return overdue, soon


def generate(
    url: str,
    *,
    regions: int = 85,
    open_tasks: int,
    alerts: int,
    now: datetime,
    seed: int = 0,
    due_share: int = 1,
) -> Dataset:
    """Build a store at `url` (SQLite or PostgreSQL; migrated here, expected empty) with the
    first `regions` of the 85 regions, `open_tasks` open tasks spread over them and their
    agencies, and `alerts` sent alerts of the past."""
    from ruamel.yaml import YAML

    from roadmap.calendar import RegionCalendar
    from roadmap.plan.importer import import_roadmap
    from roadmap.settings import Settings
    from roadmap.store.unit_of_work import init_store

    started = time.perf_counter()
    rng = random.Random(seed)
    settings = Settings(database_url=url)
    init_store(settings)
    chosen = REGIONS[:regions]
    yaml = YAML(typ="safe")
    yaml.default_flow_style = False
    yaml.allow_unicode = True
    counts = {"agencies": 0, "people": 0, "initiatives": 0, "budget": 0}
    overdue = soon = 0
    with tempfile.TemporaryDirectory() as tmp:
        for number, (code, name, timezone) in enumerate(chosen):
            document = region_roadmap(code, name, timezone, rng)
            roadmap = Path(tmp) / f"{code}.yaml"
            with roadmap.open("w", encoding="utf-8") as handle:
                yaml.dump(document, handle)
            report = import_roadmap(settings, roadmap)
            for kind in ("agencies", "people", "initiatives", "budget"):
                counts[kind] += report.changes[kind].created
            # This region's share of the tasks, spread over its agencies.
            first = open_tasks * number // len(chosen)
            count = open_tasks * (number + 1) // len(chosen) - first
            if not count:
                continue
            calendar = RegionCalendar(timezone)
            tasks = Path(tmp) / f"{code}-tasks.csv"
            late, near = write_task_list(
                tasks,
                first,
                count,
                [a["code"] for a in document["agencies"]],
                calendar=calendar,
                today=calendar.local_date(now),
                rng=rng,
                due_share=due_share,
            )
            overdue, soon = overdue + late, soon + near
            report = import_roadmap(settings, tasks, region_code=code)
            assert report.changes["tasks"].created == count, report.summary()
            tasks.unlink()
    sent = _alert_history(url, alerts, now)
    return Dataset(
        url=url,
        regions=len(chosen),
        agencies=counts["agencies"],
        people=counts["people"],
        initiatives=counts["initiatives"],
        budget_lines=counts["budget"],
        open_tasks=open_tasks,
        overdue_tasks=overdue,
        due_within_week=soon,
        alerts=sent,
        seconds=time.perf_counter() - started,
    )


def _alert_history(url: str, count: int, now: datetime) -> int:
    """`count` reminders sent over the last 300 days to the assignees of the first tasks,
    inserted with SQL (no product path creates an alert sent in the past)."""
    if not count:
        return 0
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    moment = now.astimezone(UTC).replace(tzinfo=None)
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                moment = now.astimezone(UTC)
            tasks = connection.execute(
                sa.text("SELECT id, assignee_id FROM task ORDER BY id LIMIT :n"),
                {"n": min(count, 200_000)},
            ).all()
            insert = sa.text(
                "INSERT INTO alert (dedupe_key, task_id, person_id, kind, level, rung,"
                " local_date, working_days, status, attempts, next_attempt_at, created_at,"
                " sent_at) VALUES (:k, :t, :p, 'reminder', 0, 'reminder-7@x',"
                " :day, 7, 'sent', 1, :at, :at, :at)"
            )
            batch = []
            for n in range(count):
                task, person = tasks[n % len(tasks)]
                at = moment - timedelta(days=1 + n % 300, minutes=n % 600)
                batch.append({"k": f"hist-{n}", "t": task, "p": person, "day": at.date(), "at": at})
                if len(batch) == 50_000:
                    connection.execute(insert, batch)
                    batch = []
            if batch:
                connection.execute(insert, batch)
    finally:
        engine.dispose()
    return count


def main(argv: list[str]) -> None:
    url = argv[0] if argv else f"sqlite:///{tempfile.mkdtemp()}/federal.db"
    open_tasks = int(argv[1]) if len(argv) > 1 else 100_000
    alerts = int(argv[2]) if len(argv) > 2 else open_tasks // 5
    built = generate(
        url, open_tasks=open_tasks, alerts=alerts, now=datetime(2026, 12, 4, 1, 0, tzinfo=UTC)
    )
    print(built)


if __name__ == "__main__":
    main(sys.argv[1:])
