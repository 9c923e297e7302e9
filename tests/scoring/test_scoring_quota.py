"""The HTXS quota: at most ratio × HTT per agency and per quota group; grades never change."""

from scoring import Grade, Params, QuotaEntry, check_quota, quota_allowed


def _people(agency, group, htxs, htt, start=0):
    grades = [Grade.HTXS] * htxs + [Grade.HTT] * htt
    return [
        QuotaEntry(f"{agency}-{group}-{start + i}", g, agency, group) for i, g in enumerate(grades)
    ]


def test_quota_within_limit_has_no_violation():
    """2 HTXS with 10 HTT (allowed 2) is within the quota."""
    report = check_quota(_people("ubnd", None, 2, 10))
    assert report.violations == ()
    assert report.checks[0].allowed == 2


def test_quota_agency_violation_reports_how_many_to_lower():
    """3 HTXS with 10 HTT: allowed 2, one must be lowered, candidates listed."""
    report = check_quota(_people("ubnd", None, 3, 10))
    (violation,) = report.violations
    assert (violation.scope, violation.agency, violation.group) == ("agency", "ubnd", None)
    assert (violation.htxs_count, violation.htt_count, violation.allowed) == (3, 10, 2)
    assert violation.must_lower == 1
    assert len(violation.htxs_person_ids) == 3


def test_quota_group_violation_inside_compliant_agency():
    """A quota group over its limit is reported even when the agency total is fine."""
    people = _people("ubnd", "g1", 2, 5) + _people("ubnd", "g2", 0, 10, start=100)
    report = check_quota(people)
    assert [(v.scope, v.group, v.allowed, v.must_lower) for v in report.violations] == [
        ("quota_group", "g1", 1, 1)
    ]


def test_quota_floor_rounding_is_default():
    """20% of 9 HTT is 1.8, floored to 1."""
    assert quota_allowed(9, Params()) == 1


def test_quota_never_changes_grades():
    """The check only reports: the entries keep their grades."""
    people = _people("ubnd", None, 5, 1)
    check_quota(people)
    assert [p.grade for p in people] == [Grade.HTXS] * 5 + [Grade.HTT]


def test_quota_agencies_are_counted_separately():
    """Each agency is checked on its own people."""
    report = check_quota(_people("a", None, 1, 5) + _people("b", None, 1, 4))
    assert [(c.agency, c.allowed, c.must_lower) for c in report.checks] == [
        ("a", 1, 0),
        ("b", 0, 1),
    ]


def test_quota_explanation_names_each_scope():
    """The explanation has one step per scope checked."""
    report = check_quota(_people("ubnd", "g1", 1, 5))
    assert [s.code for s in report.explanation] == [
        "quota:agency:ubnd",
        "quota:quota_group:ubnd:g1",
    ]
