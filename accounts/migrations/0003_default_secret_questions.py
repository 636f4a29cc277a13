from django.db import migrations

QUESTIONS = [
    ("What was the name of your first pet?", "Come si chiamava il tuo primo animale domestico?"),
    ("In which town did your parents meet?", "In quale città si sono conosciuti i tuoi genitori?"),
    ("What was your childhood nickname?", "Qual era il tuo soprannome da bambino?"),
    ("What was the first machine you repaired?", "Qual è stata la prima macchina che hai riparato?"),
    ("What is the name of your favourite teacher?", "Come si chiamava il tuo insegnante preferito?"),
]


def add_questions(apps, schema_editor):
    SecretQuestion = apps.get_model("accounts", "SecretQuestion")
    if SecretQuestion.objects.exists():
        return
    SecretQuestion.objects.bulk_create(
        SecretQuestion(text=it, text_it=it, text_en=en, position=i)
        for i, (en, it) in enumerate(QUESTIONS, start=1)
    )


class Migration(migrations.Migration):
    dependencies = [("accounts", "0002_onboarding_audit_recovery")]

    operations = [migrations.RunPython(add_questions, migrations.RunPython.noop)]
