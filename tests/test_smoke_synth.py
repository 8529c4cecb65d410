"""The default configuration synthesizes every environment with zero unacknowledged findings."""


def test_every_environment_synthesizes_without_unacknowledged_findings(synth):
    report = synth.validation_report()
    for plugin in report["pluginReports"]:
        assert plugin["conclusion"] == "success", (plugin["pluginName"], plugin["violations"][:3])
    assert set(synth.stages) == {"dev", "acc", "prod"}
