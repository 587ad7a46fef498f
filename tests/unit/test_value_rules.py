"""Values that used to be accepted and must not be (issue 19, item 7), each refused by its rule with a message that
says what is right: resource quantities with upper bounds, budget subjects that are names, amounts that are numbers,
model names that cannot pass for others, webhooks that lead nowhere inside, and search terms whose ``%`` and ``_``
mean themselves. The rules are the request models', so every face (REST, SDK, magics) gives the same message."""

from __future__ import annotations

import ipaddress

import pytest

from maestro_jupyter import naming
from maestro_jupyter.backends.mlflow_registry import contains_pattern
from maestro_jupyter.contract import rules
from maestro_jupyter.contract.budgets import SetBudget, budget_key
from maestro_jupyter.contract.costs import EstimateCost
from maestro_jupyter.contract.deployments import CreateDeployment
from maestro_jupyter.contract.registry import GetModel, RegisterModel
from maestro_jupyter.contract.training import SubmitJob
from maestro_jupyter.errors import InvalidParameter
from maestro_jupyter.services import webhooks

RUN = "0123456789abcdef0123456789abcdef"


# --- resources -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("memory", ["999999999999999999999999999999", "5Ti", "4097Gi", "5T", "4398046511105"])
def test_memory_has_an_upper_bound(memory):
    for build in (
        lambda: EstimateCost.build(memory=memory, hours=1),
        lambda: SubmitJob.build(source="print(1)", memory=memory),
        lambda: CreateDeployment.build(model="churn", memory=memory),
    ):
        with pytest.raises(InvalidParameter, match=r"at most 4Ti"):
            build()


@pytest.mark.parametrize(("memory", "size"), [("4Ti", 4 * 2**40), ("512Mi", 512 * 2**20), ("1G", 10**9), (1, 1)])
def test_memory_up_to_the_bound_is_taken(memory, size):
    assert rules.memory_bytes(memory) == size
    assert EstimateCost.build(memory=memory).memory == str(memory)


@pytest.mark.parametrize("memory", ["0", "0.1", "-1Gi", "1e9", True, "", "1" * 40])
def test_memory_that_is_no_quantity_is_refused(memory):
    with pytest.raises(InvalidParameter, match="Invalid memory"):
        EstimateCost.build(memory=memory)


@pytest.mark.parametrize(("field", "value"), [("cpus", 257), ("cpus", 1e30), ("gpus", 17), ("workers", 65)])
def test_cpus_gpus_and_workers_have_upper_bounds(field, value):
    with pytest.raises(InvalidParameter, match=f"Invalid {field}"):
        EstimateCost.build(**{field: value})


def test_the_bounds_are_documented_in_the_schema():
    props = EstimateCost.model_json_schema()["properties"]
    assert "at most 4Ti" in props["memory"]["description"]
    assert "at most 256" in props["cpus"]["description"]
    assert "0 to 16" in props["gpus"]["description"]


# --- budgets -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("subject", [" ", "\t", "\u200b", "a\u202eb", "a\u00a0b", "e\u0301", "a/b", "x" * 201, 5, None])
def test_a_budget_subject_is_a_name(subject):
    with pytest.raises(InvalidParameter, match="user or project name"):
        SetBudget.build(scope="project", subject=subject, amount=5)


def test_a_budget_subject_is_stripped_and_may_be_any_hub_name():
    assert SetBudget.build(scope="user", subject="  alice  ", amount=5).subject == "alice"
    for name in ("jane.doe@example.com", "data-science", "équipe", "研究", "data science"):
        assert budget_key(f"project:{name}") == ("project", name)
    with pytest.raises(InvalidParameter, match="user or project name"):
        budget_key("project: ")


@pytest.mark.parametrize(("amount", "shown"), [("5", "'5'"), (True, "True"), (None, "None"), ([5], r"\[5\]")])
def test_an_amount_is_a_number_not_something_that_converts_to_one(amount, shown):
    with pytest.raises(InvalidParameter, match=f"amount is a number of dollars, not {shown}"):
        SetBudget.build(scope="project", subject="churn", amount=amount)


def test_whole_and_fractional_amounts_are_numbers():
    assert SetBudget.build(scope="project", subject="churn", amount=5).amount == 5.0
    assert SetBudget.build(scope="project", subject="churn", amount=12.5).amount == 12.5
    assert SetBudget.model_json_schema()["properties"]["amount"]["type"] == "number"


@pytest.mark.parametrize("thresholds", [["50"], [True], [50.5], "50,80", {"50": 1}])
def test_thresholds_are_whole_numbers_not_things_that_convert(thresholds):
    with pytest.raises(InvalidParameter, match="whole percentages"):
        SetBudget.build(scope="project", subject="churn", amount=5, thresholds=thresholds)


@pytest.mark.parametrize("flag", ["true", "yes", 1, 0])
def test_hard_limit_is_a_boolean(flag):
    with pytest.raises(InvalidParameter, match="hard_limit is true or false"):
        SetBudget.build(scope="project", subject="churn", amount=5, hard_limit=flag)


@pytest.mark.parametrize(
    "url",
    ["ftp://x/", "http://", "https:///path", "http://x:99999/", "http://x:0/", "http://[::1/", "http://a b/", "x"],
)
def test_a_webhook_is_an_http_url_with_a_host(url):
    with pytest.raises(InvalidParameter, match=r"A webhook is an http\(s\) URL with a host"):
        SetBudget.build(scope="project", subject="churn", amount=5, webhook=url)


# --- model names ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "why"),
    [
        ("churn\u202elmth.exe", "bidirectional control U\\+202E"),
        ("\u2066churn\u2069", "bidirectional control U\\+2066"),
        ("churn\u0301", "combining mark U\\+0301"),
        ("chu\u0308rn", "combining mark U\\+0308"),
        ("ch\u200durn", "format character U\\+200D"),
        ("churn\u00ad", "format character U\\+00AD"),
        ("churn\ue000", "format character U\\+E000"),
        ("churn\u00a0model", "space character U\\+00A0"),
        ("churn\u2028model", "space character U\\+2028"),
        ("\u212bngstr\u00f6m", "not in Unicode NFC"),  # the Angstrom sign: NFC makes it Å
    ],
)
def test_a_model_name_cannot_pass_for_another(name, why):
    for build in (
        lambda: RegisterModel.build(run_id=RUN, name=name),
        lambda: GetModel.build(name=name),
        lambda: CreateDeployment.build(model=name),
    ):
        with pytest.raises(InvalidParameter, match=f"Invalid model name .*: it (holds the .*{why}|is {why})"):
            build()


@pytest.mark.parametrize("name", ["churn", "café", "ünïcödé model", "研究モデル", "50%_off", "a-b.c_d", "it's"])
def test_readable_model_names_stay_allowed(name):
    assert RegisterModel.build(run_id=RUN, name=name).name == name
    assert GetModel.build(name=name).name == name


def test_text_problem_names_each_bidi_control():
    for char in naming.BIDI_CONTROLS:
        assert "bidirectional control" in (naming.text_problem(f"a{char}b") or "")
    assert naming.text_problem("plain name 42") is None


# --- search --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("search", "pattern", "inexact"),
    [
        ("churn", "'%churn%'", False),
        ("50%", "'%50_%'", True),
        ("a_b", "'%a_b%'", True),
        ("back\\slash", "'%back_slash%'", True),
        ('it\'s "x"', "'%it_s _x_%'", True),  # both quotes: once refused, now a search like any other
    ],
)
def test_a_search_pattern_matches_at_least_the_names_containing_the_text(search, pattern, inexact):
    assert contains_pattern(search) == (pattern, inexact)


# --- webhook addresses ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "loopback"),
        ("127.8.9.10", "loopback"),
        ("::1", "loopback"),
        ("169.254.169.254", "link-local"),
        ("169.254.170.2", "link-local"),
        ("fe80::1", "link-local"),
        ("100.100.100.200", "metadata"),
        ("168.63.129.16", "metadata"),
        ("fd00:ec2::254", "metadata"),
        ("0.0.0.0", "unspecified"),  # noqa: S104 - an address to refuse, not one to bind
        ("0.1.2.3", "unspecified"),
        ("::", "unspecified"),
        ("::ffff:169.254.169.254", "link-local"),
        ("::ffff:127.0.0.1", "loopback"),
        ("64:ff9b::a9fe:a9fe", "link-local"),  # NAT64 of 169.254.169.254
        ("224.0.0.1", "multicast"),
        ("255.255.255.255", "reserved"),
    ],
)
def test_addresses_a_webhook_may_not_reach(address, kind):
    assert kind in (webhooks.address_problem(ipaddress.ip_address(address)) or "")


@pytest.mark.parametrize(
    "address", ["10.1.2.3", "172.16.0.9", "192.168.1.20", "100.64.0.1", "fd12:3456::1", "8.8.8.8", "2001:4860::8888"]
)
def test_private_and_public_addresses_are_allowed(address):
    assert webhooks.address_problem(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://[fe80::1]/",
        "http://localhost:8081/hub/api",
        "https://127.0.0.1/",
        "http://2130706433/",  # 127.0.0.1 written as a number: the resolver's reading decides, not the text's
        "http://0x7f.1/",
        "http://[::ffff:169.254.169.254]/",
        "http://0.0.0.0:8888/",
        "http://hooks.slack.com@169.254.169.254/",  # the host is after the @
    ],
)
def test_a_webhook_to_the_machine_itself_or_its_metadata_is_refused_when_set(url):
    with pytest.raises(InvalidParameter, match=r"A webhook may not point at .*: its host resolves to"):
        webhooks.check(url)


def test_private_networks_and_unresolved_names_are_taken_when_set():
    webhooks.check("http://10.0.0.7:8080/relay")
    webhooks.check("https://192.168.1.2/hooks/x")
    webhooks.check("https://hooks.example.invalid/T0/B0/x")  # does not resolve now: checked again at delivery


def test_an_operator_may_allow_a_host():
    webhooks.check("http://localhost:8081/relay", allow=["localhost"])
    webhooks.check("http://127.0.0.1:8081/relay", allow=["127.0.0.1"])
    webhooks.check("http://localhost:8081/relay", allow=["127.0.0.1", "::1"])  # by the addresses it resolves to
    with pytest.raises(InvalidParameter):
        webhooks.check("http://169.254.169.254/", allow=["127.0.0.1"])
