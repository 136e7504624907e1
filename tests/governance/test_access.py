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

    from recoque.core.store import session_scope
    from recoque.governance.models import User

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


@pytest.mark.parametrize("password", ["aaaaaaaaaaaa", "password1234", "azertyuiopqs", "bobbobbobbob1"])
def test_common_and_trivial_passwords_are_refused(engine, password):
    with pytest.raises(access.AccessError, match="too easy to guess"):
        access.create_user(engine, "bob", password, "agent")


def test_failed_logins_are_logged_and_throttled_per_account_and_address(engine):
    access.create_user(engine, "dora", "correct horse battery", "agent")
    for _ in range(access.MAX_FAILURES_PER_ACCOUNT):
        with pytest.raises(access.AccessError, match="wrong password"):
            access.login(engine, "dora", "not the password", client="192.0.2.1")
    # the right password now waits out the window, from any address: a guesser gains nothing
    with pytest.raises(access.LoginThrottled, match="this account") as refused:
        access.login(engine, "dora", "correct horse battery", client="192.0.2.2")
    assert 0 < refused.value.retry_after_s <= 15 * 60
    failures = [e for e in access.access_log(engine) if e.resource == "login" and not e.allowed]
    assert len(failures) == access.MAX_FAILURES_PER_ACCOUNT + 1 and failures[0].actor == "dora"
    assert "192.0.2.1" in failures[-1].purpose and "refused" in failures[0].purpose
    # one address trying many accounts is throttled too, and other addresses are not
    for i in range(access.MAX_FAILURES_PER_CLIENT):
        with pytest.raises(access.AccessError):
            access.login(engine, f"user{i}", "whatever password", client="198.51.100.7")
    access.create_user(engine, "eve", "correct horse battery", "agent")
    with pytest.raises(access.LoginThrottled, match="this address"):
        access.login(engine, "eve", "correct horse battery", client="198.51.100.7")
    assert access.session_user(engine, access.login(engine, "eve", "correct horse battery", client="192.0.2.9"))
