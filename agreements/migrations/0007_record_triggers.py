"""The record is immutable in the database too, not only in Python (PostgreSQL only).

The models refuse to change the record (``ImmutableRecordError``), but
``QuerySet.update()``, ``QuerySet.delete()`` and raw SQL never call them. These
triggers refuse the same changes inside PostgreSQL:

- the agreement log (``AuditEvent``) and the member log (``MembershipEvent``):
  no UPDATE, no DELETE. The one exception is the member log's link to a person
  whose account is deleted: ``subject`` is ``SET_NULL`` by design (the line
  keeps the address), so exactly that change is let through;
- a frozen version (``frozen_at`` set): no UPDATE of any column, no DELETE.
  Freezing itself (``frozen_at`` from empty to set) is an update of a version
  that is not frozen yet, so it passes;
- the content rows of a frozen version (sections, responsibilities, decision
  moments): no INSERT, UPDATE or DELETE. A draft's rows stay editable, and the
  cascade delete of a draft still works;
- a signature: no UPDATE, no DELETE, except declaring it void once
  (``voided_at``, ``voided_by``, ``void_reason`` set, every other column the
  same) while its agreement has not been signed;
- a signed document: no UPDATE, no DELETE.

TRUNCATE is left alone: it fires no row triggers, and the test runner empties
tables with it. SQLite keeps only the model-level guards.

Each trigger raises an exception that says what was refused: SQLSTATE P0001, which
Django raises as a ``django.db.DatabaseError`` (psycopg 3: ``ProgrammingError``,
psycopg 2: ``InternalError``), never as an ``IntegrityError`` that a caller might
take for a lost race and retry. A later migration that really must rewrite these
rows has to disable the trigger for that statement and say why.
"""

from django.db import migrations

# The signed states are written out in the SQL, not imported: a migration must keep doing what it did when
# it was written.
FORWARD = [
    # --- the logs: append-only -----------------------------------------------------------------
    """
    CREATE OR REPLACE FUNCTION agreements_auditevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'The agreement log is append-only: % of audit event % refused.', TG_OP, OLD.id;
    END;
    $$;
    """,
    """
    CREATE TRIGGER agreements_auditevent_append_only
    BEFORE UPDATE OR DELETE ON agreements_auditevent
    FOR EACH ROW EXECUTE FUNCTION agreements_auditevent_append_only();
    """,
    """
    CREATE OR REPLACE FUNCTION agreements_membershipevent_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- Deleting a person's account empties the line's link to them (on_delete=SET_NULL);
        -- the line keeps their address. Nothing else may change.
        IF TG_OP = 'UPDATE'
           AND OLD.subject_id IS NOT NULL AND NEW.subject_id IS NULL
           AND to_jsonb(NEW) - 'subject_id' = to_jsonb(OLD) - 'subject_id' THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'The member log is append-only: % of member log line % refused.', TG_OP, OLD.id;
    END;
    $$;
    """,
    """
    CREATE TRIGGER agreements_membershipevent_append_only
    BEFORE UPDATE OR DELETE ON agreements_membershipevent
    FOR EACH ROW EXECUTE FUNCTION agreements_membershipevent_append_only();
    """,
    # --- a frozen version and its content ------------------------------------------------------
    """
    CREATE OR REPLACE FUNCTION agreements_version_frozen() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.frozen_at IS NULL THEN
            -- A draft: editable, and freezing it is this very update.
            IF TG_OP = 'DELETE' THEN
                RETURN OLD;
            END IF;
            RETURN NEW;
        END IF;
        IF TG_OP = 'UPDATE' AND to_jsonb(NEW) = to_jsonb(OLD) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'Version % is frozen (its content hash is fixed): % refused.', OLD.id, TG_OP;
    END;
    $$;
    """,
    """
    CREATE TRIGGER agreements_version_frozen
    BEFORE UPDATE OR DELETE ON agreements_agreementversion
    FOR EACH ROW EXECUTE FUNCTION agreements_version_frozen();
    """,
    """
    CREATE OR REPLACE FUNCTION agreements_frozen_content() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        frozen timestamptz;
    BEGIN
        -- FOR SHARE: a version being frozen by another transaction is waited for, then seen frozen.
        IF TG_OP IN ('UPDATE', 'DELETE') THEN
            SELECT frozen_at INTO frozen FROM agreements_agreementversion WHERE id = OLD.version_id FOR SHARE;
            IF frozen IS NOT NULL THEN
                RAISE EXCEPTION 'The content of frozen version % cannot change: % on % refused.',
                    OLD.version_id, TG_OP, TG_TABLE_NAME;
            END IF;
        END IF;
        IF TG_OP IN ('INSERT', 'UPDATE') THEN
            SELECT frozen_at INTO frozen FROM agreements_agreementversion WHERE id = NEW.version_id FOR SHARE;
            IF frozen IS NOT NULL THEN
                RAISE EXCEPTION 'The content of frozen version % cannot change: % on % refused.',
                    NEW.version_id, TG_OP, TG_TABLE_NAME;
            END IF;
            RETURN NEW;
        END IF;
        RETURN OLD;
    END;
    $$;
    """,
    """
    CREATE TRIGGER agreements_section_frozen_content
    BEFORE INSERT OR UPDATE OR DELETE ON agreements_section
    FOR EACH ROW EXECUTE FUNCTION agreements_frozen_content();
    """,
    """
    CREATE TRIGGER agreements_responsibility_frozen_content
    BEFORE INSERT OR UPDATE OR DELETE ON agreements_responsibility
    FOR EACH ROW EXECUTE FUNCTION agreements_frozen_content();
    """,
    """
    CREATE TRIGGER agreements_decisionmoment_frozen_content
    BEFORE INSERT OR UPDATE OR DELETE ON agreements_decisionmoment
    FOR EACH ROW EXECUTE FUNCTION agreements_frozen_content();
    """,
    # --- signatures and the signed document ----------------------------------------------------
    """
    CREATE OR REPLACE FUNCTION agreements_signature_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        -- The one change allowed: declaring the signature void, once, while its agreement is not signed
        -- (reopening). Every other column stays as it was.
        IF TG_OP = 'UPDATE'
           AND OLD.voided_at IS NULL AND NEW.voided_at IS NOT NULL
           AND to_jsonb(NEW) - ARRAY['voided_at', 'voided_by_id', 'void_reason']
               = to_jsonb(OLD) - ARRAY['voided_at', 'voided_by_id', 'void_reason']
           AND NOT EXISTS (
               SELECT 1
               FROM agreements_agreementversion v
               JOIN agreements_agreement a ON a.id = v.agreement_id
               WHERE v.id = OLD.version_id
                 AND (a.state IN ('signed', 'superseded', 'expired') OR a.signed_at IS NOT NULL)
           ) THEN
            RETURN NEW;
        END IF;
        RAISE EXCEPTION 'Signature % is kept as it is: % refused (it can only be declared void, once, before the agreement is signed).',
            OLD.id, TG_OP;
    END;
    $$;
    """,
    """
    CREATE TRIGGER agreements_signature_kept
    BEFORE UPDATE OR DELETE ON agreements_signature
    FOR EACH ROW EXECUTE FUNCTION agreements_signature_kept();
    """,
    """
    CREATE OR REPLACE FUNCTION agreements_signeddocument_kept() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'Signed document % is kept as it is: % refused.', OLD.id, TG_OP;
    END;
    $$;
    """,
    """
    CREATE TRIGGER agreements_signeddocument_kept
    BEFORE UPDATE OR DELETE ON agreements_signeddocument
    FOR EACH ROW EXECUTE FUNCTION agreements_signeddocument_kept();
    """,
]

TRIGGERS = [
    ("agreements_auditevent_append_only", "agreements_auditevent"),
    ("agreements_membershipevent_append_only", "agreements_membershipevent"),
    ("agreements_version_frozen", "agreements_agreementversion"),
    ("agreements_section_frozen_content", "agreements_section"),
    ("agreements_responsibility_frozen_content", "agreements_responsibility"),
    ("agreements_decisionmoment_frozen_content", "agreements_decisionmoment"),
    ("agreements_signature_kept", "agreements_signature"),
    ("agreements_signeddocument_kept", "agreements_signeddocument"),
]

FUNCTIONS = [
    "agreements_auditevent_append_only",
    "agreements_membershipevent_append_only",
    "agreements_version_frozen",
    "agreements_frozen_content",
    "agreements_signature_kept",
    "agreements_signeddocument_kept",
]

BACKWARD = [f"DROP TRIGGER IF EXISTS {trigger} ON {table};" for trigger, table in TRIGGERS] + [
    f"DROP FUNCTION IF EXISTS {function}();" for function in FUNCTIONS
]


def _on_postgresql(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return  # SQLite keeps only the model-level guards.
        for sql in statements:
            # params=None: the SQL is sent as it is (the % in RAISE are PL/pgSQL's, not placeholders).
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("agreements", "0006_signature_void"),
    ]

    operations = [
        migrations.RunPython(_on_postgresql(FORWARD), _on_postgresql(BACKWARD), elidable=False),
    ]
