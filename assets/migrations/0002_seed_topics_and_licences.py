"""Seed the vocabularies the regulations and the issue name.

Topics are the fields provincial regulations ask the database to introduce (land,
people, history, culture, achievements, economy, investment, tourism, foreign
relations). Licences are the ones contributors need from day one.
"""

from django.db import migrations

TOPICS = [
    ("land-and-nature", {"vi": "Đất đai và thiên nhiên", "en": "Land and nature", "fr": "Territoire et nature", "zh_hans": "土地与自然", "ja": "土地と自然", "ko": "땅과 자연"}),
    ("people", {"vi": "Con người", "en": "People", "fr": "Population", "zh_hans": "人民", "ja": "人々", "ko": "사람"}),
    ("history", {"vi": "Lịch sử", "en": "History", "fr": "Histoire", "zh_hans": "历史", "ja": "歴史", "ko": "역사"}),
    ("culture", {"vi": "Văn hóa", "en": "Culture", "fr": "Culture", "zh_hans": "文化", "ja": "文化", "ko": "문화"}),
    ("achievements", {"vi": "Thành tựu", "en": "Achievements", "fr": "Réalisations", "zh_hans": "成就", "ja": "成果", "ko": "성과"}),
    ("economy", {"vi": "Kinh tế", "en": "Economy", "fr": "Économie", "zh_hans": "经济", "ja": "経済", "ko": "경제"}),
    ("investment", {"vi": "Đầu tư", "en": "Investment", "fr": "Investissement", "zh_hans": "投资", "ja": "投資", "ko": "투자"}),
    ("tourism", {"vi": "Du lịch", "en": "Tourism", "fr": "Tourisme", "zh_hans": "旅游", "ja": "観光", "ko": "관광"}),
    ("foreign-relations", {"vi": "Đối ngoại", "en": "Foreign relations", "fr": "Relations extérieures", "zh_hans": "对外关系", "ja": "対外関係", "ko": "대외 관계"}),
]

LICENCES = [
    ("cc-by-4.0", "https://creativecommons.org/licenses/by/4.0/", True, True,
     {"vi": "CC BY 4.0 (Ghi công)", "en": "CC BY 4.0 (Attribution)"}),
    ("cc-by-sa-4.0", "https://creativecommons.org/licenses/by-sa/4.0/", True, True,
     {"vi": "CC BY-SA 4.0 (Ghi công – Chia sẻ tương tự)", "en": "CC BY-SA 4.0 (Attribution-ShareAlike)"}),
    ("cc0-1.0", "https://creativecommons.org/publicdomain/zero/1.0/", False, True,
     {"vi": "CC0 1.0 (Từ bỏ quyền)", "en": "CC0 1.0 (Public domain dedication)"}),
    ("pdm-1.0", "https://creativecommons.org/publicdomain/mark/1.0/", False, True,
     {"vi": "Thuộc phạm vi công cộng", "en": "Public domain mark"}),
    ("all-rights-reserved", "", True, False,
     {"vi": "Bảo lưu mọi quyền (ghi rõ nguồn khi trích dẫn)", "en": "All rights reserved (credit required)"}),
]


def seed(apps, schema_editor):
    Topic = apps.get_model("assets", "Topic")
    Licence = apps.get_model("assets", "Licence")
    for order, (slug, names) in enumerate(TOPICS):
        fields = {f"name_{code}": value for code, value in names.items()}
        Topic.objects.update_or_create(
            slug=slug, defaults={"name": names["vi"], "sort_order": order, **_known(Topic, fields)}
        )
    for code, uri, credit, reuse, names in LICENCES:
        fields = {f"name_{lang}": value for lang, value in names.items()}
        Licence.objects.update_or_create(
            code=code,
            defaults={"name": names["vi"], "uri": uri, "requires_credit": credit,
                      "allows_reuse": reuse, **_known(Licence, fields)},
        )


def _known(model, fields):
    """Only the language columns this installation has (SEN_LANGUAGES)."""
    names = {f.name for f in model._meta.get_fields()}
    return {key: value for key, value in fields.items() if key in names}


class Migration(migrations.Migration):
    dependencies = [("assets", "0001_initial")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
