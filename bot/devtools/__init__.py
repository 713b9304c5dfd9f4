"""Developer tools shipped in the package so `launchbot demo` can use them too.

- `fake_slack`: a fake Slack Web API server (real HTTP, in a thread) that records every call.
- `slack_client`: `SignedSender`, which sends Slack's requests to the bot, signed for real.
- `block_limits`: Slack's Block Kit limits as pure checks, for builder unit tests.
"""
