"""Access: agent accounts, sessions, roles, logged reads and refusals."""

import pytest

from recoque.governance import access


def test_passwords_are_hashed_and_checked(engine):
    access.create_user(engine, "alice", "correct horse battery", "agent")
    token = access.login(engine, "alice", "correct horse battery")
    assert access.session_user(engine, token).username == "alice"
    with pytest.raises(access.AccessError, match="unknown user or wrong password"):
        access.login(engine, "alice", "wrong password!!")
    with pytest.raises(access.AccessError, match="unknown user or wrong password"):
        access.login(engine, "nobody", "correct horse battery")
    from sqlalchemy import select

    from recoque.core.models import User
    from recoque.core.store import session_scope

    with session_scope(engine) as s:
        stored = s.scalars(select(User.password_hash)).one()
    assert stored.startswith("$argon2") and "correct horse" not in stored
    access.logout(engine, token)
    assert access.session_user(engine, token) is None


@pytest.mark.parametrize("role,password,needle", [("wizard", "long enough pass", "role"),
                                                   ("agent", "short", "12 characters")])
def test_bad_accounts_are_refused(engine, role, password, needle):
    with pytest.raises(access.AccessError, match=needle):
        access.create_user(engine, "bob", password, role)


def test_duplicate_user(engine):
    access.create_user(engine, "carol", "a long password", "auditor")
    with pytest.raises(access.AccessError, match="already exists"):
        access.create_user(engine, "carol", "another long password", "agent")


def test_roles_grant_what_they_should():
    assert access.allowed("agent", "read_person") and not access.allowed("agent", "read_journal")
    assert access.allowed("auditor", "read_access_log") and not access.allowed("auditor", "read_person")
    assert not access.allowed("resident", "read_person")
    assert access.allowed("supervisor", "validate_batch")
