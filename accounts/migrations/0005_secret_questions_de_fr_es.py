from django.db import migrations

# English text of a default question (0003) -> German, French, Spanish. A question an
# administrator already translated keeps its text.
QUESTIONS = {
    "What was the name of your first pet?": (
        "Wie hieß Ihr erstes Haustier?",
        "Quel était le nom de votre premier animal de compagnie ?",
        "¿Cómo se llamaba tu primera mascota?",
    ),
    "In which town did your parents meet?": (
        "In welcher Stadt haben sich Ihre Eltern kennengelernt?",
        "Dans quelle ville vos parents se sont-ils rencontrés ?",
        "¿En qué ciudad se conocieron tus padres?",
    ),
    "What was your childhood nickname?": (
        "Wie lautete Ihr Spitzname als Kind?",
        "Quel était votre surnom d'enfance ?",
        "¿Cuál era tu apodo de la infancia?",
    ),
    "What was the first machine you repaired?": (
        "Welche Maschine haben Sie als erste repariert?",
        "Quelle est la première machine que vous avez réparée ?",
        "¿Cuál fue la primera máquina que reparaste?",
    ),
    "What is the name of your favourite teacher?": (
        "Wie hieß Ihre Lieblingslehrerin oder Ihr Lieblingslehrer?",
        "Comment s'appelait votre enseignant préféré ?",
        "¿Cómo se llamaba tu profesor favorito?",
    ),
}


def translate_questions(apps, schema_editor):
    SecretQuestion = apps.get_model("accounts", "SecretQuestion")
    for question in SecretQuestion.objects.filter(text_en__in=list(QUESTIONS)):
        de, fr, es = QUESTIONS[question.text_en]
        question.text_de = question.text_de or de
        question.text_fr = question.text_fr or fr
        question.text_es = question.text_es or es
        question.save(update_fields=["text_de", "text_fr", "text_es"])


class Migration(migrations.Migration):
    dependencies = [("accounts", "0004_five_languages")]

    operations = [migrations.RunPython(translate_questions, migrations.RunPython.noop)]
